// What the log says about a request: its method, URL and client address. A URL that carries a secret (a
// personal feed's capability URL) never reaches the log as sent. Which part of it is secret is decided by
// the route the request matched, through its parameters (route config `secretParams`), not by how the URL is
// spelled: `/feeds/%70ersonal/<secret>.ics`, `/feeds/personal/%61bc.ics` and an absolute-form target
// (`GET http://host/feeds/personal/<secret>.ics`) all match the personal feed's route and are all logged as
// `/feeds/personal/[redacted].ics`. Used by the service's logger and by the feeds' instance's (same options).
import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Path parameters that are secrets (capability URLs): never logged. */
    secretParams?: readonly string[];
  }
}

export const REDACTED = '[redacted]';

/** Percent-escapes of ASCII characters decoded, the rest left alone: never throws, whatever the input. */
const decodeAscii = (s: string): string => s.replace(/%([0-7][0-9a-f])/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));

/** Path segments after which a URL holds a secret: personal feeds, self-service manage links. */
const SECRET_AFTER = /\/(?:personal|manage)/;

/**
 * A URL no route matched (a 404, malformed percent-encoding, an overlong segment): there are no parameters
 * to go by, so as a backstop everything after a `personal` or `manage` segment, however it is spelled, is
 * masked (a mistyped feed or manage URL may still hold a real secret). Other URLs are logged as sent.
 */
function unroutedUrl(url: string): string {
  const end = url.search(/[?#]/);
  const path = decodeAscii(end === -1 ? url : url.slice(0, end));
  const hit = SECRET_AFTER.exec(path.toLowerCase());
  return hit === null ? url : `${path.slice(0, hit.index + hit[0].length)}/${REDACTED}`;
}

/** The request's URL as logged: its matched route's secret parameters replaced by a placeholder. */
export function loggedUrl(request: FastifyRequest): string {
  const url = request.url;
  if (request.is404) return unroutedUrl(url);
  const { config, url: pattern } = request.routeOptions;
  const secret = config.secretParams;
  if (secret === undefined || pattern === undefined) return url;
  // The route's pattern with its parameters filled in: the path as matched, whatever spelling was sent.
  const params = request.params as Record<string, string | undefined>;
  const path = pattern.replace(/:(\w+)/g, (_, name: string) => (secret.includes(name) ? REDACTED : encodeURIComponent(params[name] ?? '')));
  const query = url.indexOf('?');
  return query === -1 ? path : path + url.slice(query);
}

/** The logger's `req` serializer (Fastify logs the request itself on `incoming request`). */
export const requestSerializer = (request: FastifyRequest) => ({
  method: request.method,
  url: loggedUrl(request),
  remoteAddress: request.ip,
});
