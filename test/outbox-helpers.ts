// Test helpers for the outbox: a real HTTP receiver on 127.0.0.1, an independent Standard Webhooks
// signature check, and waiting for what the worker delivers.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  headers: IncomingHttpHeaders;
  body: string;
}

/** A webhook receiver: records every POST; answers 500 to the first `failFirst` requests, 204 after. */
export async function receiver(t: { teardown: (fn: () => unknown) => void }, options: { failFirst?: number; alwaysFail?: boolean } = {}) {
  const received: Received[] = [];
  let failures = options.failFirst ?? 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (options.alwaysFail || failures > 0) {
        failures -= 1;
        res.writeHead(500).end('nope');
      } else res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.teardown(() => new Promise<void>((ok) => server.close(() => ok())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received };
}

/**
 * Standard Webhooks verification, written from the specification (not the server's code): the key is the
 * base64-decoded secret after `whsec_`; the signed content `{id}.{timestamp}.{body}`; the header a
 * space-separated list of `v1,<base64>` of which one must match.
 */
export function verifyStandardWebhook(secret: string, headers: IncomingHttpHeaders, body: string, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  const id = headers['webhook-id'];
  const timestamp = headers['webhook-timestamp'];
  const signatures = headers['webhook-signature'];
  if (typeof id !== 'string' || typeof timestamp !== 'string' || typeof signatures !== 'string') return false;
  if (!/^\d+$/.test(timestamp) || Math.abs(nowSeconds - Number(timestamp)) > 300) return false;
  if (!secret.startsWith('whsec_')) return false;
  const expected = createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`${id}.${timestamp}.${body}`).digest();
  return signatures.split(' ').some((s) => {
    const [version, sig] = s.split(',');
    if (version !== 'v1' || !sig) return false;
    const given = Buffer.from(sig, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

/** Waits until `check` holds (polling); fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A real SMTP server (smtp-server) on 127.0.0.1 that keeps every message it is given, parsed, per recipient. */
export async function smtpMailbox(t: { teardown: (fn: () => unknown) => void }) {
  const { SMTPServer } = await import('smtp-server');
  const { simpleParser } = await import('mailparser');
  const mails: { to: string; messageId: string; subject: string; text: string; calendars: string[] }[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      simpleParser(stream).then((m) => {
        const calendars = m.attachments.filter((a) => a.contentType === 'text/calendar').map((a) => a.content.toString('utf8'));
        for (const r of session.envelope.rcptTo) mails.push({ to: r.address, messageId: m.messageId ?? '', subject: m.subject ?? '', text: m.text ?? '', calendars });
        callback();
      }, callback);
    },
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  t.teardown(() => new Promise<void>((ok) => server.close(() => ok())));
  return { url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}`, mails };
}
