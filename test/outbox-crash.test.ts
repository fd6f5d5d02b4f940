// The outbox survives SIGKILL: a real server process is killed while it is busy delivering webhooks and
// e-mails (to a slow HTTP receiver and an SMTP server in this test), then restarted on the same file; two
// rounds on the same file. Exactly once over a network is an at-least-once sender plus a stable id the
// recipient deduplicates on (Standard Webhooks: `webhook-id`; e-mail: `Message-ID`), so the receivers here
// behave as correct recipients do: the HTTP receiver keeps a message the first time it sees its webhook-id
// (answering 2xx to a repeat), the mailbox keeps one e-mail per Message-ID and recipient. Shown: every
// message is in each recipient's store exactly once; the raw repeats (kept apart) are byte-identical to the
// first copy and no more than the deliveries that were under way (claimed in the file) at the kills; every
// delivery row ends delivered, once.
import t from 'tap';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { closeDatabase, openDatabase } from '../db/client.js';
import { createToken } from '../server/auth/tokens.js';
import { futureDate } from './helpers.js';
import { waitFor } from './outbox-helpers.js';
import { startServer } from './server-process.js';

t.setTimeout(240_000);
const ROUNDS = 2;
const PEOPLE = 24;

function call(port: number, method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = http.request(
      { host: '127.0.0.1', port, method, path, agent: false, headers: { authorization: `Bearer ${token}`, ...(payload ? { 'content-type': 'application/json' } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          resolve({ status: res.statusCode ?? 0, json: text ? JSON.parse(text) : null });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

t.test('kill -9 while the outbox is busy: after a restart every message arrives, once per recipient', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'outbox-crash-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const databasePath = join(dir, 'netagenda.db');
  const setup = openDatabase(databasePath);
  const { raw: token } = createToken(setup, { name: 'crash-test', role: 'admin' });
  closeDatabase(setup);

  // A slow webhook receiver, so deliveries are under way when the server dies. A correct recipient: the first
  // copy of each webhook-id is kept, a repeat is answered 2xx and only noted (raw, to compare).
  const hookStore = new Map<string, string>();
  const hookRepeats: { id: string; body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('error', () => undefined); // the sender was killed mid-request
    res.on('error', () => undefined);
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const id = String(req.headers['webhook-id']);
      const body = Buffer.concat(chunks).toString('utf8');
      if (hookStore.has(id)) hookRepeats.push({ id, body });
      else hookStore.set(id, body);
      setTimeout(() => res.writeHead(204).end(), 40);
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  t.teardown(() => new Promise<void>((ok) => receiver.close(() => ok())));
  // The mailbox: one e-mail per Message-ID and recipient (the raw bytes of the first copy); repeats noted.
  // (Kept before the 250 is sent: a kill in between leaves the sender unsure, as a lost answer would.)
  const mailbox = new Map<string, Buffer>();
  const mailRepeats: { key: string; raw: Buffer }[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks);
        simpleParser(raw).then((m) => {
          for (const r of session.envelope.rcptTo) {
            const key = `${m.messageId ?? ''} ${r.address}`;
            if (mailbox.has(key)) mailRepeats.push({ key, raw });
            else mailbox.set(key, raw);
          }
          // Slow to accept, like the HTTP receiver, so e-mails too are under way at the kills.
          setTimeout(() => callback(), 40);
        }, callback);
      });
    },
  });
  // A sender killed mid-session resets its connection: smtp-server reports that as an 'error' event.
  smtp.on('error', () => undefined);
  await new Promise<void>((ok) => smtp.listen(0, '127.0.0.1', ok));
  t.teardown(() => new Promise<void>((ok) => smtp.close(() => ok())));
  const env = {
    SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    WEBHOOK_ALLOW_PRIVATE: 'true',
    // The public address stays the same across restarts, as in production: the links in an e-mail (and so its
    // bytes) do not change when it is sent again after a restart (the port the test listens on does).
    PUBLIC_BASE_URL: 'https://agenda.example.dk',
  };

  let server = await startServer(t, databasePath, env);
  const api = (method: string, path: string, body?: unknown) => call(server.port, method, `/api/v1${path}`, token, body);
  t.equal((await api('POST', '/networks', { slug: 'net', name: 'Netværk' })).status, 201);
  const hook = await api('POST', '/networks/net/webhooks', { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, events: ['registration.confirmed'] });
  t.equal(hook.status, 201);

  let inFlightAtKills = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const m = await api('POST', '/networks/net/meetings', { title: `Møde ${round}`, date: futureDate(30 + round), startTime: '10:00', endTime: '15:00', status: 'announced' });
    const before = hookStore.size;
    for (let i = 0; i < PEOPLE; i++) {
      const p = await api('POST', '/networks/net/participants', { name: `Deltager ${round}-${i} Ø`, email: `d${round}x${i}@kommune.dk` });
      t.equal((await api('POST', `/meetings/${m.json.id}/registrations`, { participantId: p.json.id })).status, 201);
    }
    // Busy: some of this round's deliveries have arrived, not all.
    await waitFor('the first deliveries', () => hookStore.size >= before + 3, 30_000);
    server.child.kill('SIGKILL');
    t.equal((await server.exited).signal, 'SIGKILL', `round ${round}: killed`);
    const file = new Database(databasePath, { readonly: true });
    const pending = file.prepare("SELECT count(*) FROM outbox_deliveries WHERE status = 'pending'").pluck().get() as number;
    const unfanned = file.prepare('SELECT count(*) FROM outbox_messages WHERE fanned_out_at IS NULL').pluck().get() as number;
    inFlightAtKills += file.prepare('SELECT count(*) FROM outbox_deliveries WHERE claimed_at_ms IS NOT NULL').pluck().get() as number;
    file.close();
    t.ok(pending + unfanned > 0, `round ${round}: the outbox was busy at the kill (${pending} deliveries pending, ${unfanned} messages not fanned out)`);
    server = await startServer(t, databasePath, env);
  }

  const file = () => new Database(databasePath, { readonly: true });
  const { expected, expectedMail } = (() => {
    const db = file();
    const messages = db.prepare("SELECT id, recipients FROM outbox_messages WHERE type = 'registration.confirmed' ORDER BY id").all() as { id: string; recipients: string }[];
    const email = db.prepare('SELECT email FROM participants WHERE id = ?').pluck();
    const mail = messages.flatMap((m) => (JSON.parse(m.recipients) as string[]).map((pid) => `<${m.id}.${pid}@agenda.example.dk> ${email.get(pid) as string}`));
    db.close();
    return { expected: messages.map((m) => m.id), expectedMail: mail.sort() };
  })();
  t.equal(expected.length, ROUNDS * PEOPLE, 'a message per acknowledged registration');
  t.equal(expectedMail.length, ROUNDS * PEOPLE, 'an e-mail recipient per message');
  await waitFor('every webhook', () => hookStore.size === expected.length, 60_000);
  await waitFor('every e-mail', () => mailbox.size === expectedMail.length, 60_000);
  await waitFor('the outbox empty', () => {
    const db = file();
    const left = db.prepare("SELECT count(*) FROM outbox_deliveries WHERE status <> 'delivered'").pluck().get() as number;
    db.close();
    return left === 0;
  }, 60_000);

  // Each recipient's store holds every expected message, once (keyed by its id), and nothing else.
  t.same([...hookStore.keys()].sort(), expected, 'the webhook receiver holds every message exactly once');
  t.same([...mailbox.keys()].sort(), expectedMail, 'each participant’s mailbox holds their receipt exactly once');
  // Raw repeats: the same bytes as the first copy, and no more than what was under way at the kills.
  for (const r of hookRepeats) t.equal(r.body, hookStore.get(r.id), `webhook ${r.id} repeated byte for byte`);
  for (const r of mailRepeats) t.ok(r.raw.equals(mailbox.get(r.key)!), `e-mail ${r.key} repeated byte for byte`);
  const repeats = hookRepeats.length + mailRepeats.length;
  t.ok(repeats <= inFlightAtKills, `sent again only what was under way at a kill (${repeats} repeats, ${inFlightAtKills} under way)`);
  t.comment(`repeats: ${hookRepeats.length} webhook, ${mailRepeats.length} e-mail; under way at the kills: ${inFlightAtKills}`);
  // Every delivery row: one per message, channel and recipient, delivered.
  const db = file();
  const rows = db
    .prepare(
      "SELECT channel, count(*) AS n, sum(status = 'delivered' AND delivered_at IS NOT NULL AND claimed_at_ms IS NULL) AS delivered, max(c) AS perTarget FROM (SELECT *, count(*) OVER (PARTITION BY message_id, channel, target) AS c FROM outbox_deliveries) GROUP BY channel ORDER BY channel",
    )
    .all();
  db.close();
  t.same(rows, [
    { channel: 'email', n: ROUNDS * PEOPLE, delivered: ROUNDS * PEOPLE, perTarget: 1 },
    { channel: 'webhook', n: ROUNDS * PEOPLE, delivered: ROUNDS * PEOPLE, perTarget: 1 },
  ], 'each delivery row ends delivered, one per message and recipient');
  server.child.kill('SIGTERM');
  await server.exited;
});
