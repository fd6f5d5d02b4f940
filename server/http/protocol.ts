// The HTTP protocol's edges, answered like every other error: as RFC 9457 problem+json with a stable code.
// - Requests Node's HTTP parser refuses before Fastify sees them (control bytes in a header, a malformed
//   request line, a request head over the 16 KiB limit, a request that took too long to arrive): Fastify's
//   `clientErrorHandler` writes a complete HTTP/1.1 response and closes the connection.
// - Request bodies are JSON in UTF-8 only: another declared charset is 415, bytes that are not UTF-8 are 400
//   (Fastify's own JSON parser would decode them with U+FFFD replacement characters and store those).
// - The OpenAPI document lists what any route may answer at this level (400, 414, 431; 413 and 415 with a body).
import http, { type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, RouteOptions } from 'fastify';
import { AppError } from './errors.js';
import type { ProblemCode } from './problem-codes.js';
import { problemBody, problems } from './problem.js';

/** The longest URL (request target) the service answers: a longer one gets 414 `uri-too-long`. */
export const MAX_URL_LENGTH = 8192;

/** Parser error codes of Node's HTTP server, by the answer they get. */
const clientErrors: Record<string, [number, ProblemCode, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'headers-too-large', 'The request line and headers together exceed 16 KiB'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request-timeout', 'The request did not arrive in time'],
  ERR_HTTP_HEADERS_TIMEOUT: [408, 'request-timeout', 'The request headers did not arrive in time'],
  HPE_INVALID_METHOD: [400, 'bad-request', 'The request method is malformed'],
  HPE_INVALID_URL: [400, 'bad-request', 'The request target is malformed'],
  HPE_INVALID_VERSION: [400, 'bad-request', 'The HTTP version is malformed'],
  HPE_INVALID_HEADER_TOKEN: [400, 'bad-request', 'A header name or value contains a forbidden character'],
  HPE_LF_EXPECTED: [400, 'bad-request', 'A line of the request head is malformed'],
  HPE_CR_EXPECTED: [400, 'bad-request', 'A line of the request head is malformed'],
  HPE_INVALID_CONTENT_LENGTH: [400, 'bad-request', 'The Content-Length header is malformed'],
  HPE_UNEXPECTED_CONTENT_LENGTH: [400, 'bad-request', 'Content-Length and Transfer-Encoding must not be sent together'],
  HPE_INVALID_TRANSFER_ENCODING: [400, 'bad-request', 'The Transfer-Encoding header is malformed'],
  HPE_INVALID_CHUNK_SIZE: [400, 'bad-request', 'A chunk of the body is malformed'],
};

const titles: Record<number, string> = { 400: 'Bad request', 408: 'Request timeout', 431: 'Request header fields too large' };

/** The complete HTTP/1.1 response for an error of Node's HTTP parser (exported for tests). */
export function clientErrorResponse(code: string | undefined): string {
  const [status, problemCode, detail] = clientErrors[code ?? ''] ?? [400, 'bad-request', 'The request is not valid HTTP/1.1'];
  const body = JSON.stringify(problemBody(status, problemCode, titles[status]!, detail));
  return (
    `HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\n` +
    'Content-Type: application/problem+json\r\n' +
    'X-Content-Type-Options: nosniff\r\n' +
    `Content-Length: ${Buffer.byteLength(body)}\r\n` +
    'Connection: close\r\n\r\n' +
    body
  );
}

/** Fastify's `clientErrorHandler` (Node's 'clientError' event of the server). */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  this.log.trace({ err }, 'client error');
  // A response already begun on this connection (an error mid-keep-alive) cannot be followed by another.
  const answer = () => {
    if (socket.writable) socket.write(clientErrorResponse(err.code));
    // As Node and Fastify do: the connection's parser is in an unknown state, so it ends here.
    socket.destroy();
  };
  // A request pipelined before the bad one is still being answered: its answer goes first.
  const pending = (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
  if (pending && !pending.writableFinished) {
    pending.once('finish', answer);
    pending.once('close', () => socket.destroy());
  } else answer();
}

/** `charset` of a Content-Type header, lower-cased and unquoted; undefined when none is given. */
export function charsetOf(contentType: string): string | undefined {
  const match = /;\s*charset\s*=\s*("?)([^";\s]*)\1/i.exec(contentType);
  return match ? match[2]!.toLowerCase() : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/**
 * The service's JSON body parser: Fastify's own (prototype keys refused, an empty body refused) on text that
 * was checked to be UTF-8. Registered on the root instance, so every route with a body uses it.
 */
export function useUtf8Json(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const charset = charsetOf(request.headers['content-type'] ?? '');
    if (charset !== undefined && charset !== 'utf-8') {
      done(new AppError(415, 'unsupported-charset', 'Unsupported media type', `JSON bodies are UTF-8: send Content-Type: application/json or application/json; charset=utf-8, not charset=${charset}`), undefined);
      return;
    }
    let text: string;
    try {
      text = utf8.decode(body as Buffer);
    } catch {
      done(new AppError(400, 'invalid-utf8', 'Bad request', 'The body is not valid UTF-8'), undefined);
      return;
    }
    parseJson(request, text, done);
  });
}

// Fastify parses a body sent with any of these (a DELETE's too, when it has one).
const hasBody = (route: RouteOptions) => ['POST', 'PUT', 'PATCH', 'DELETE'].some((m) => (Array.isArray(route.method) ? route.method.includes(m) : route.method === m));

/**
 * Documents, on every route registered after it (in its context and below), the problems Node's parser and
 * the body parser answer whatever the route: 400, 414, 431, and for methods that may carry a body 413 and 415.
 */
export function documentProtocolProblems(app: FastifyInstance): void {
  app.addHook('onRoute', (route) => {
    const schema = route.schema as { response?: Record<string, unknown>; hide?: boolean } | undefined;
    if (!schema?.response || schema.hide) return;
    const extra = hasBody(route) ? problems(400, 413, 414, 415, 431) : problems(400, 414, 431);
    // A route's own description of a status stays.
    schema.response = { ...extra, ...schema.response };
  });
}
