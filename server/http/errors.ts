// The one error type of the service: a stable machine code, an HTTP status and a human message.
// The error handler (problem.ts) turns it into RFC 9457 application/problem+json. Codes come from the
// catalogue (problem-codes.ts): another does not compile.
import type { ProblemCode } from './problem-codes.js';

export interface FieldError {
  /** Where the problem is, e.g. `body.startTime` or `querystring.limit`. */
  path: string;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    readonly title: string,
    readonly detail?: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail ?? title);
  }
}

export const notFound = (what: string, id: string) =>
  new AppError(404, 'not-found', 'Not found', `${what} '${id}' does not exist`);

export const conflict = (code: ProblemCode, detail: string, extra: Record<string, unknown> = {}) =>
  new AppError(409, code, 'Conflict', detail, extra);

export const badRequest = (code: ProblemCode, detail: string, errors?: FieldError[]) =>
  new AppError(400, code, 'Bad request', detail, errors ? { errors } : {});

export const unauthorized = (detail: string) => new AppError(401, 'unauthorized', 'Unauthorized', detail);

export const forbidden = (detail: string) => new AppError(403, 'forbidden', 'Forbidden', detail);

/**
 * A deletion that would take more with it than the resource named (registrations, releases): refused until
 * the request is repeated with `?confirm=true`. `wouldLose` counts what would go, per kind.
 */
export const confirmationRequired = (detail: string, wouldLose: Record<string, number>) =>
  new AppError(409, 'confirmation-required', 'Confirmation required', detail, { wouldLose });

/** "3 registrations, 1 release and 2 tracks": the non-zero counts, in the order given, in words. */
export function countList(counts: [number, string, string][]): string {
  const parts = counts.filter(([n]) => n > 0).map(([n, one, many]) => `${n} ${n === 1 ? one : many}`);
  return parts.length <= 1 ? (parts[0] ?? 'nothing') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}
