// One webhook attempt: a POST with the signed headers, through the SSRF-guarded lookup, no redirects
// followed, a time limit, and only the status kept of the answer (settled as soon as the status arrives).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import { guardedLookup, isForbiddenAddress } from './webhook-target.js';

export type AttemptResult = { status: number } | { error: string };

export function postWebhook(url: string, headers: Record<string, string>, body: string, options: { timeoutMs: number; allowPrivate: boolean; signal?: AbortSignal }): Promise<AttemptResult> {
  return new Promise((resolve) => {
    const target = new URL(url);
    // An address written in the URL is not looked up: checked here.
    const literal = target.hostname.replace(/^\[|\]$/g, '');
    if (!options.allowPrivate && isIP(literal) && isForbiddenAddress(literal)) {
      resolve({ error: `${literal} is a private, loopback or link-local address` });
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(
      target,
      {
        method: 'POST',
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'netagenda-webhooks/1' },
        lookup: guardedLookup(options.allowPrivate) as never,
        timeout: options.timeoutMs,
        agent: false,
        ...(options.signal ? { signal: options.signal } : {}),
      },
      // Settled on the status line: the body is read and thrown away after, so the time in which a crash
      // would leave an answered attempt recorded as under way is as short as it can be.
      (res) => {
        resolve({ status: res.statusCode ?? 0 });
        res.on('error', () => undefined);
        res.resume();
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer within ${options.timeoutMs} ms`)));
    req.on('error', (err) => resolve({ error: err.message.slice(0, 300) }));
    req.end(body);
  });
}
