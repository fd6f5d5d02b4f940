// RFC 9457 problem details: the response schema every route documents, and the one error handler that
// turns every failure (ours, validation, Fastify's own, SQLite's) into application/problem+json.
import type { FastifyBaseLogger, FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError, type FieldError } from './errors.js';
import { problemCodes, problemCodeTable, type ProblemCode } from './problem-codes.js';

export const PROBLEM_TYPE_BASE = 'https://netagenda.dk/problems/';

export const problemSchema = z
  .looseObject({
    type: z.string().describe('A URI naming the problem type'),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    code: z
      .enum(problemCodes as [ProblemCode, ...ProblemCode[]])
      .describe(`Stable machine-readable code: switch on it. Every code the service answers with, its status and meaning:\n\n${problemCodeTable()}`),
    errors: z
      .array(z.object({ path: z.string(), message: z.string() }))
      .optional()
      .describe('For validation errors: each offending field'),
  })
  .meta({ id: 'Problem' });

export type Problem = z.infer<typeof problemSchema>;

/** The 409 of a guarded deletion: what the deletion would take with it, counted per kind. */
export const confirmationProblemSchema = problemSchema
  .extend({
    code: z.literal('confirmation-required'),
    wouldLose: z
      .object({
        registrations: z.int().describe('Registrations deleted with a meeting, or losing their choice of a deleted track (they stay registered for the meeting)'),
        releases: z.int().optional().describe('Releases of the meeting (its published agenda)'),
        tracks: z.int().optional(),
        items: z.int().describe('Agenda items'),
      })
      .describe('What the deletion would take with it; repeat the request with `?confirm=true` to go ahead'),
  })
  .meta({ id: 'ConfirmationRequiredProblem' });

/** Documents the 409 `confirmation-required` of a guarded deletion. */
export const confirmationProblem = {
  409: {
    description: 'The deletion would take registrations or releases with it: nothing was changed; repeat with `?confirm=true`',
    content: { 'application/problem+json': { schema: confirmationProblemSchema } },
  },
} as Record<number, { description: string; content: { 'application/problem+json': { schema: typeof confirmationProblemSchema } } }>;

const descriptions: Record<number, string> = {
  400: 'The request is malformed or fails validation (also: a header with forbidden bytes, a malformed request line, a body that is not UTF-8)',
  401: 'A valid API token is required',
  403: 'The token may not do this',
  404: 'No such resource (or not visible without a token)',
  409: 'The request conflicts with the current state',
  412: 'The resource changed since it was read',
  413: 'The body is too large (over 64 KiB)',
  414: 'The URL is too long (`uri-too-long`): over 8192 characters, or a path segment over 200',
  415: 'Unsupported media type: bodies are JSON (`application/json`) in UTF-8 (`unsupported-media-type`, `unsupported-charset`)',
  422: 'Unprocessable: an Idempotency-Key reused with a different request',
  428: 'A precondition header is required',
  429: 'Too many requests',
  431: 'The request line and headers together exceed 16 KiB (`headers-too-large`); the connection is closed',
  503: 'The service is overloaded; retry after the time in Retry-After',
};

/** Documented problem responses for a route. */
export function problems(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((s) => [
      s,
      {
        description: descriptions[s] ?? 'Problem',
        content: { 'application/problem+json': { schema: problemSchema } },
      },
    ]),
  ) as Record<number, { description: string; content: { 'application/problem+json': { schema: typeof problemSchema } } }>;
}

export function problemBody(status: number, code: ProblemCode, title: string, detail?: string, extra: Record<string, unknown> = {}): Problem {
  return { type: PROBLEM_TYPE_BASE + code, title, status, code, ...(detail ? { detail } : {}), ...extra };
}

export function sendProblem(reply: FastifyReply, problem: Problem): FastifyReply {
  return reply
    .code(problem.status)
    .type('application/problem+json')
    // Also outside the API's security headers (unknown paths, feeds): the problem is never sniffed as HTML.
    .header('x-content-type-options', 'nosniff')
    .serializer((p: unknown) => JSON.stringify(p))
    .send(problem);
}

function validationErrors(err: FastifyError): FieldError[] {
  if (hasZodFastifySchemaValidationErrors(err)) {
    const context = err.validationContext ?? 'request';
    return err.validation.flatMap((v) => {
      const sub = v.instancePath.replace(/^\//, '').split('/').filter(Boolean).join('.');
      const path = sub ? `${context}.${sub}` : context;
      // zod reports unknown fields on their parent object: name each offending field instead.
      const keys = v.keyword === 'unrecognized_keys' && Array.isArray(v.params.keys) ? (v.params.keys as unknown[]) : [];
      if (keys.length > 0) return keys.map((k) => ({ path: `${path}.${String(k)}`, message: 'unknown field' }));
      return [{ path, message: v.message ?? 'invalid' }];
    });
  }
  return [];
}

// Fastify's own client errors, by their codes: a stable code of ours for each.
const fastifyCodes: Record<string, [ProblemCode, string]> = {
  FST_ERR_CTP_INVALID_JSON_BODY: ['invalid-json', 'The body is not valid JSON'],
  FST_ERR_CTP_EMPTY_JSON_BODY: ['invalid-json', 'The body is empty but declared as JSON'],
  FST_ERR_CTP_BODY_TOO_LARGE: ['payload-too-large', 'The body is too large'],
  FST_ERR_CTP_INVALID_MEDIA_TYPE: ['unsupported-media-type', 'Send JSON with Content-Type: application/json'],
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: ['bad-request', 'Content-Length does not match the body'],
  FST_ERR_CTP_INVALID_TYPE: ['unsupported-media-type', 'The Content-Type header is invalid'],
};

/**
 * Errors Fastify raises before any route or hook runs (the `frameworkErrors` option of the app): a URL
 * with malformed percent-encoding, or a path parameter over `maxParamLength`. Problem+json like the rest.
 */
export function frameworkErrors(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const [status, code, detail]: [number, ProblemCode, string] =
    err.code === 'FST_ERR_BAD_URL'
      ? [400, 'bad-url', 'The URL is malformed (invalid percent-encoding)']
      : err.code === 'FST_ERR_MAX_PARAM_LENGTH'
        ? [414, 'uri-too-long', 'A path segment of the URL is too long']
        : [500, 'internal-error', 'Something went wrong on our side'];
  const title = status === 500 ? 'Internal server error' : status === 414 ? 'URI too long' : 'Bad request';
  sendProblem(reply, problemBody(status, code, title, detail));
}

/**
 * Problem+json for every error and unknown route of `app`. Unexpected errors are logged with the request's
 * logger, or with `log` when given (an instance without a logger of its own: the feeds).
 */
export function registerProblemHandlers(app: FastifyInstance, log?: FastifyBaseLogger): void {
  app.setErrorHandler((err: FastifyError, request: FastifyRequest, reply: FastifyReply) => {
    if (err instanceof AppError) {
      if (typeof err.extra.etag === 'string') reply.header('etag', err.extra.etag);
      return sendProblem(reply, problemBody(err.status, err.code, err.title, err.detail, err.extra));
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const errors = validationErrors(err);
      return sendProblem(
        reply,
        problemBody(400, 'validation-failed', 'Validation failed', 'The request does not match the schema', { errors }),
      );
    }
    if (!isResponseSerializationError(err)) {
      if (err.code && fastifyCodes[err.code]) {
        const [code, detail] = fastifyCodes[err.code]!;
        const status = err.statusCode && err.statusCode < 500 ? err.statusCode : 400;
        return sendProblem(reply, problemBody(status, code, 'Bad request', detail));
      }
      // SQLite constraint violations that slipped past our own checks (e.g. a race on a unique key).
      const sqliteCode = (err as { code?: string }).code ?? '';
      if (sqliteCode.startsWith('SQLITE_CONSTRAINT')) {
        return sendProblem(
          reply,
          problemBody(409, 'constraint-violation', 'Conflict', 'The change conflicts with existing data'),
        );
      }
      if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
        const code = err.statusCode === 429 ? 'rate-limited' : 'bad-request';
        return sendProblem(reply, problemBody(err.statusCode, code, 'Bad request', err.message));
      }
    }
    (log ?? request.log).error({ err }, 'unhandled error');
    return sendProblem(reply, problemBody(500, 'internal-error', 'Internal server error', 'Something went wrong on our side'));
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, problemBody(404, 'route-not-found', 'Not found', `No route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
