// Reusable zod fields for request and response schemas.
import { z } from 'zod';
import { DATE_RE, TIME_RE, isValidDate, isValidTimeZone } from '../time/local-time.js';
import { emailAddressProblem } from './email-address.js';

/** Text a person typed: trimmed length limits, no NUL or other C0 controls except tab and newlines. */
export const text = (max: number) =>
  z
    .string()
    .max(max)
    .refine((s) => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s), 'must not contain control characters');

export const name = (max = 200) => text(max).refine((s) => s.trim().length > 0, 'must not be blank');

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

export const timeZone = z
  .string()
  .max(64)
  .refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Copenhagen')
  .meta({ example: 'Europe/Copenhagen' });

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
