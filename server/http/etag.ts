// ETags on API reads. A resource with a row version gets `"v<version>"` (the tag If-Match checks);
// anything else read with GET (lists, released views, the agenda) gets a hash of its body. If-None-Match
// answers 304 either way.
import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { etagOf } from './preconditions.js';

const matches = (header: string | undefined, etag: string) =>
  header !== undefined && (header.trim() === '*' || header.split(',').some((t) => t.trim().replace(/^W\//, '') === etag));

// The hooks run on every API response: synchronous (callback) hooks spare a promise each.
export const etagPlugin = fp(async (app: FastifyInstance) => {
  app.addHook('preSerialization', (request, reply, payload, done) => {
    const version = (payload as { version?: unknown } | null)?.version;
    if (typeof version === 'number' && reply.statusCode < 300 && request.method !== 'DELETE') {
      reply.header('etag', etagOf(version));
    }
    done(null, payload);
  });
  app.addHook('onSend', (request, reply, payload, done) => {
    if ((request.method !== 'GET' && request.method !== 'HEAD') || reply.statusCode !== 200 || !request.url.startsWith('/api/')) {
      done(null, payload);
      return;
    }
    let etag = reply.getHeader('etag') as string | undefined;
    if (!etag && (typeof payload === 'string' || Buffer.isBuffer(payload))) {
      etag = `"h${createHash('sha256').update(payload).digest('base64url').slice(0, 27)}"`;
      reply.header('etag', etag);
    }
    if (etag && matches(request.headers['if-none-match'], etag)) {
      reply.code(304);
      done(null, '');
      return;
    }
    done(null, payload);
  });
});
