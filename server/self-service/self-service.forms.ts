// The self-service forms' fields, parsed and validated on the server with zod. An error is a message key
// (FieldErrorKey), not text: the page shows it in the reader's language next to the field.
import { z } from 'zod';
import { email as emailAddress } from '../http/fields.js';

export const FIELD_ERROR_KEYS = ['required', 'tooLong', 'email', 'phone', 'municipality', 'alreadyMember', 'track', 'meeting', 'confirm', 'invalid'] as const;
export type FieldErrorKey = (typeof FIELD_ERROR_KEYS)[number];

/** Field name -> what is wrong with it (the first problem found). */
export type FieldErrors = Partial<Record<string, FieldErrorKey>>;

/** What the form sent, as strings, to fill the form in again after an error. */
export type FormValues = Record<string, string>;

// eslint-disable-next-line no-control-regex
const CONTROL_RE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

const str = () => z.string({ error: 'required' }).trim().normalize('NFC').refine((s) => !CONTROL_RE.test(s), 'invalid');
const requiredText = (max: number) => str().pipe(z.string().min(1, 'required').max(max, 'tooLong'));
const optionalText = (max: number) => z.preprocess((v) => v ?? '', str().pipe(z.string().max(max, 'tooLong')));

const emailField = str().pipe(z.string().min(1, 'required').max(254, 'tooLong')).pipe(emailAddress);
const phoneField = z.preprocess((v) => v ?? '', str().pipe(z.string().max(50, 'tooLong').regex(/^[0-9+()\s.-]*$/, 'phone')));
const municipalityField = z.string({ error: 'municipality' }).regex(/^\d{3}$/, 'municipality').transform(Number);

export const memberSignupForm = z.object({
  municipality: municipalityField,
  name: requiredText(200),
  email: emailField,
  phone: phoneField,
});

export const memberContactForm = memberSignupForm.omit({ municipality: true });

export const registrationForm = z.object({
  name: requiredText(200),
  email: emailField,
  municipality: municipalityField,
  track: z.preprocess((v) => (v === '' ? undefined : v), z.string().max(64, 'track').optional()),
});

export const trackForm = z.object({ track: z.string({ error: 'track' }).min(1, 'track').max(64, 'track') });

export const proposalForm = z.object({
  meeting: z.string({ error: 'meeting' }).min(1, 'meeting').max(64, 'meeting'),
  title: requiredText(200),
  description: optionalText(2000),
});

export const eraseForm = z.object({ confirm: z.literal('yes', { error: 'confirm' }) });

/** The form body as plain strings (repeated fields: the first); anything else is dropped. */
export function formValues(body: unknown): FormValues {
  const out: FormValues = {};
  if (body === null || typeof body !== 'object') return out;
  for (const [k, v] of Object.entries(body as Record<string, unknown>)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; errors: FieldErrors };

const isKey = (m: string): m is FieldErrorKey => (FIELD_ERROR_KEYS as readonly string[]).includes(m);

/** Parses a form; each field's first problem becomes its message key (e-mail problems all read as `email`). */
export function parseForm<S extends z.ZodType>(schema: S, values: FormValues): Parsed<z.output<S>> {
  const result = schema.safeParse(values);
  if (result.success) return { ok: true, value: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const field = String(issue.path[0] ?? '');
    if (errors[field]) continue;
    errors[field] = isKey(issue.message) ? issue.message : field === 'email' ? 'email' : 'invalid';
  }
  return { ok: false, errors };
}
