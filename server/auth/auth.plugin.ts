// Reads `Authorization: Bearer …` on every request. A request with no header is anonymous; one with a
// header that is not a live token is refused outright, so a typo never silently downgrades to public.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { TokenRow } from '../../db/schema.js';
import { unauthorized } from '../http/errors.js';
import { findActiveToken } from './tokens.js';

declare module 'fastify' {
  interface FastifyRequest {
    token: TokenRow | null;
  }
}

export const authPlugin = fp(async (app: FastifyInstance) => {
  app.decorateRequest('token', null);
  app.addHook('onRequest', async (request) => {
    const header = request.headers.authorization;
    if (header === undefined) return;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    const token = match ? findActiveToken(app.db, match[1]!) : undefined;
    if (!token) throw unauthorized('The bearer token is missing, malformed, unknown, revoked or expired');
    request.token = token;
  });
});

/** preHandler for every write route. */
export async function requireToken(request: FastifyRequest): Promise<void> {
  if (!request.token) throw unauthorized('This request needs an API token: Authorization: Bearer <token>');
}

/** Drafts and other unpublished data are visible to token holders only. */
export const canSeeDrafts = (request: FastifyRequest): boolean => request.token !== null;

/** Private fields (speaker emails) are shown to token holders only. */
export const canSeePrivate = canSeeDrafts;
