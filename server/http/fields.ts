// Reusable zod fields for request and response schemas.
import { z } from 'zod';
import { DATE_RE, TIME_RE, isValidDate, isValidTimeZone } from '../time/local-time.js';
import { emailAddressProblem } from './email-address.js';

/** The C0 controls (and DEL) that typed text must not contain: all but tab, line feed and carriage return. */
const CONTROLS = '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f';
const CONTROL_RE = new RegExp(`[${CONTROLS}]`);

/**
 * The rules below as JSON Schema `pattern`s (ECMA-262), so the OpenAPI document states what the refinements
 * enforce: no controls; and for names also at least one character that is not white space (what `trim()`
 * removes is exactly what `\s` matches). test/openapi.test.ts checks the patterns agree with the schemas.
 */
export const TEXT_PATTERN = `^[^${CONTROLS}]*$`;
export const NAME_PATTERN = `^[^${CONTROLS}]*[^\\s${CONTROLS}][^${CONTROLS}]*$`;

/** Text a person typed: trimmed length limits, no NUL or other C0 controls except tab and newlines. */
export const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !CONTROL_RE.test(s), 'must not contain control characters')
    .meta({ pattern: TEXT_PATTERN });

export const name = (max = 200) =>
  text(max)
    .refine((s) => s.trim().length > 0, 'must not be blank')
    .meta({ pattern: NAME_PATTERN, description: 'Not blank; no control characters other than tab and line breaks' });

/**
 * A regular expression source for exactly the decimal integers from `min` to `max` (0 ≤ min ≤ max) in
 * canonical form (no sign, no leading zero), e.g. 1–200: `^([1-9]|[1-9][0-9]|1[0-9][0-9]|200)$`. The pattern
 * in the document is then the whole rule, range included, for clients and for generated test cases.
 */
export function decimalRangePattern(min: number, max: number): string {
  const alternatives: string[] = [];
  for (let digits = String(min).length; digits <= String(max).length; digits++) {
    const lo = digits === String(min).length ? String(min) : '1' + '0'.repeat(digits - 1);
    const hi = digits === String(max).length ? String(max) : '9'.repeat(digits);
    alternatives.push(...sameLengthRange(lo, hi));
  }
  return `^(${alternatives.join('|')})$`;
}

/** Alternatives matching the digit strings from `lo` to `hi`, both of the same length. */
function sameLengthRange(lo: string, hi: string): string[] {
  if (lo === hi) return [lo];
  const rest = lo.length - 1;
  const any = rest === 0 ? '' : rest === 1 ? '[0-9]' : `[0-9]{${rest}}`;
  const digit = (a: number, b: number) => (a === b ? String(a) : `[${a}-${b}]`);
  const [a, b] = [Number(lo[0]), Number(hi[0])];
  if (lo.slice(1) === '0'.repeat(rest) && hi.slice(1) === '9'.repeat(rest)) return [digit(a, b) + any];
  if (a === b) return sameLengthRange(lo.slice(1), hi.slice(1)).map((tail) => lo[0] + tail);
  const out = sameLengthRange(lo.slice(1), '9'.repeat(rest)).map((tail) => lo[0] + tail);
  if (b - a > 1) out.push(digit(a + 1, b - 1) + any);
  out.push(...sameLengthRange('0'.repeat(rest), hi.slice(1)).map((tail) => hi[0] + tail));
  return out;
}

/**
 * A whole number in a path or query string, from `min` to `max` (non-negative): plain decimal digits in
 * canonical form only. `0x10`, `1e3`, `+5`, ` 5`, `5 `, `05`, `5.0`, `Infinity` and the empty string are
 * refused (400), where `z.coerce.number()` took all but the last. The handler gets a number.
 */
export function decimalInt(min: number, max: number, { description, default: fallback }: { description?: string; default?: number } = {}) {
  const message = `must be a whole number from ${min} to ${max}, in plain decimal digits`;
  const digits = z.string().regex(new RegExp(decimalRangePattern(min, max)), message);
  // A missing value takes the default (given as digits, so the document shows a string default).
  const input = fallback === undefined ? digits : z.string().regex(new RegExp(decimalRangePattern(min, max)), message).default(String(fallback));
  return (input as typeof digits)
    .transform(Number)
    .pipe(z.int().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`))
    .meta({
      description:
        (description ? `${description}. ` : '') +
        `A whole number from ${min} to ${max}, in plain decimal digits (no sign, leading zero, exponent, decimal point or spaces)`,
      example: String(fallback ?? Math.max(min, Math.min(max, 1))),
    });
}

export const dateString = z
  .string()
  .regex(DATE_RE, 'must be a date YYYY-MM-DD')
  .refine(isValidDate, 'must be a real calendar date')
  .meta({ example: '2019-09-11' });

export const timeString = z.string().regex(TIME_RE, 'must be a time HH:MM (00:00–23:59)').meta({ example: '10:00' });

/** Local wall time `YYYY-MM-DDTHH:MM` (in a zone given elsewhere), e.g. a deadline. */
export const localDateTime = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}T([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time YYYY-MM-DDTHH:MM')
  .refine((s) => isValidDate(s.slice(0, 10)), 'must be a real calendar date')
  .meta({ example: '2016-06-01T23:59' });

/** The outline of an IANA zone name (`Europe/Copenhagen`, `Etc/GMT+1`, `UTC`): documents what the refinement needs first. */
export const TIME_ZONE_PATTERN = '^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$';

export const timeZone = z
  .string()
  .max(64)
  .refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Copenhagen')
  .meta({ example: 'Europe/Copenhagen', pattern: TIME_ZONE_PATTERN });

/**
 * An e-mail address, internationalised ones included (RFC 6531): zod's unicode pattern plus the rules of
 * email-address.ts. Stored as given in Unicode NFC (composed) form: never lower-cased or turned into punycode.
 */
export const email = z
  .email({ pattern: z.regexes.unicodeEmail, error: 'must be an e-mail address such as søren@kommune.dk' })
  .max(254)
  .superRefine((s, ctx) => {
    // The outline failed already (one message is enough).
    if (!z.regexes.unicodeEmail.test(s)) return;
    const problem = emailAddressProblem(s);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: s });
  })
  .normalize('NFC')
  .meta({
    description:
      'An e-mail address; internationalised addresses (RFC 6531) are accepted, e.g. `søren@kommune.dk` or `jens@ærø.dk`. ' +
      'Kept as given (composed to Unicode NFC; not lower-cased, not converted to punycode). Refused: no or several @, blanks, ' +
      'control or invisible characters, quotes, empty parts, dots at the ends of or doubled in the part before @, a domain without a dot ' +
      'or with empty labels, more than 64 characters before @ or 254 in all.',
    example: 'søren@kommune.dk',
  });

export const id = z.string().min(1).max(64);

export const timestamps = {
  createdAt: z.string().describe('When it was created (UTC, ISO 8601)'),
  updatedAt: z.string().describe('When it last changed (UTC, ISO 8601)'),
};

/** A moment given both as wall time in its zone and as a UTC instant. */
export const moment = z
  .object({
    local: z.string().describe('Wall time in `timeZone`, `YYYY-MM-DDTHH:MM`').meta({ example: '2019-09-11T10:00' }),
    timeZone: z.string().meta({ example: 'Europe/Copenhagen' }),
    offset: z.string().describe('ISO 8601 with UTC offset').meta({ example: '2019-09-11T10:00:00+02:00' }),
    utc: z.string().describe('The UTC instant').meta({ example: '2019-09-11T08:00:00Z' }),
  })
  .meta({ id: 'Moment' });

export const feedLinks = z
  .object({
    https: z.string().describe('Feed URL over http(s)'),
    webcal: z.string().describe('The same feed as a webcal:// subscription link'),
  })
  .meta({ id: 'FeedLinks' });
