// The outbox survives SIGKILL: a real server process is killed while it is busy delivering webhooks and
// e-mails (to a slow HTTP receiver and an SMTP server in this test), then restarted on the same file.
// Every message reaches every recipient, and none twice except the attempts that were under way at the
// kill (their claims are still in the file: the bound is read from it), which come again with the same
// webhook-id / Message-ID and the same body, so the recipient can tell. Two rounds on the same file.
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

  // A slow webhook receiver, so deliveries are under way when the server dies.
  const hooks: { id: string; body: string }[] = [];
  const receiver = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      hooks.push({ id: String(req.headers['webhook-id']), body: Buffer.concat(chunks).toString('utf8') });
      setTimeout(() => res.writeHead(204).end(), 40);
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  t.teardown(() => new Promise<void>((ok) => receiver.close(() => ok())));
  const mails: { id: string; to: string; text: string }[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then((m) => {
        for (const r of session.envelope.rcptTo) mails.push({ id: m.messageId ?? '', to: r.address, text: m.text ?? '' });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((ok) => smtp.listen(0, '127.0.0.1', ok));
  t.teardown(() => new Promise<void>((ok) => smtp.close(() => ok())));
  const env = {
    SMTP_URL: `smtp://127.0.0.1:${(smtp.server.address() as AddressInfo).port}`,
    WEBHOOK_ALLOW_PRIVATE: 'true',
  };

  let server = await startServer(t, databasePath, env);
  const api = (method: string, path: string, body?: unknown) => call(server.port, method, `/api/v1${path}`, token, body);
  t.equal((await api('POST', '/networks', { slug: 'net', name: 'Netværk' })).status, 201);
  const hook = await api('POST', '/networks/net/webhooks', { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`, events: ['registration.confirmed'] });
  t.equal(hook.status, 201);

  let inFlightAtKills = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    const m = await api('POST', '/networks/net/meetings', { title: `Møde ${round}`, date: futureDate(30 + round), startTime: '10:00', endTime: '15:00', status: 'announced' });
    const before = hooks.length;
    for (let i = 0; i < PEOPLE; i++) {
      const p = await api('POST', '/networks/net/participants', { name: `Deltager ${round}-${i} Ø`, email: `d${round}x${i}@kommune.dk` });
      t.equal((await api('POST', `/meetings/${m.json.id}/registrations`, { participantId: p.json.id })).status, 201);
    }
    // Busy: some of this round's deliveries have arrived, not all.
    await waitFor('the first deliveries', () => hooks.length >= before + 3, 30_000);
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
  const expected = (() => {
    const db = file();
    const ids = db.prepare("SELECT id FROM outbox_messages WHERE type = 'registration.confirmed' ORDER BY id").pluck().all() as string[];
    db.close();
    return ids;
  })();
  t.equal(expected.length, ROUNDS * PEOPLE, 'a message per acknowledged registration');
  await waitFor('every webhook', () => new Set(hooks.map((h) => h.id)).size === expected.length, 60_000);
  await waitFor('every e-mail', () => new Set(mails.map((m) => `${m.id} ${m.to}`)).size === expected.length, 60_000);
  await waitFor('the outbox empty', () => {
    const db = file();
    const left = db.prepare("SELECT count(*) FROM outbox_deliveries WHERE status <> 'delivered'").pluck().get() as number;
    db.close();
    return left === 0;
  }, 60_000);

  t.same([...new Set(hooks.map((h) => h.id))].sort(), expected, 'every message reached the webhook');
  const duplicates = hooks.length - new Set(hooks.map((h) => h.id)).size + (mails.length - new Set(mails.map((m) => `${m.id} ${m.to}`)).size);
  t.ok(duplicates <= inFlightAtKills, `sent twice only what was under way at a kill (${duplicates} repeated, ${inFlightAtKills} under way)`);
  for (const id of new Set(hooks.map((h) => h.id))) {
    t.equal(new Set(hooks.filter((h) => h.id === id).map((h) => h.body)).size, 1, `${id}: the same body every time`);
  }
  t.equal(new Set(mails.map((m) => m.to)).size, ROUNDS * PEOPLE, 'every participant got their receipt');
  const db = file();
  const counts = db.prepare("SELECT channel, count(*) AS n FROM outbox_deliveries WHERE status = 'delivered' GROUP BY channel ORDER BY channel").all();
  db.close();
  t.same(counts, [
    { channel: 'email', n: ROUNDS * PEOPLE },
    { channel: 'webhook', n: ROUNDS * PEOPLE },
  ], 'each delivery recorded once, as delivered');
  server.child.kill('SIGTERM');
  await server.exited;
});
