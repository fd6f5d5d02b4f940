// Shared by the self-service tests (inject and browser): a network with a sign-up window, an announced
// meeting with two tracks (one of one place), and the form flow: GET a form, take its CSRF token and
// cookie, POST the fields with them.
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { futureDate } from './helpers.js';

export const SLUG = 'dagtilbud';

export type As = (opts: InjectOptions) => Promise<LightMyRequestResponse>;

const created = async (res: Promise<LightMyRequestResponse>) => {
  const r = await res;
  if (r.statusCode >= 300) throw new Error(`${r.statusCode} ${r.body}`);
  return r.json() as { id: string };
};

/** A network whose sign-up is open (deadline in a year unless given), and an announced meeting with tracks. */
export async function seedNetwork(as: As, opts: { signupDeadline?: string | null; signupOpens?: string | null; capacity?: number | null } = {}) {
  const deadline = opts.signupDeadline === undefined ? `${futureDate(365)}T12:00` : opts.signupDeadline;
  await created(as({ method: 'POST', url: '/api/v1/networks', payload: { slug: SLUG, name: 'Dagtilbud – Ærø og Æbeltoft', signupDeadline: deadline, signupOpens: opts.signupOpens ?? null } }));
  const meeting = await created(
    as({
      method: 'POST',
      url: `/api/v1/networks/${SLUG}/meetings`,
      payload: { title: 'Forårsmøde i Odense', date: futureDate(60), startTime: '10:00', endTime: '16:00', status: 'announced', capacity: opts.capacity ?? 10 },
    }),
  );
  const small = await created(as({ method: 'POST', url: `/api/v1/meetings/${meeting.id}/tracks`, payload: { name: 'Spor A: Sprog', capacity: 1 } }));
  const large = await created(as({ method: 'POST', url: `/api/v1/meetings/${meeting.id}/tracks`, payload: { name: 'Spor B: Ledelse', capacity: 5 } }));
  return { meetingId: meeting.id, smallTrack: small.id, largeTrack: large.id };
}

export interface FormSession {
  cookie: string;
  csrf: string;
}

/** The CSRF token of a form page and the cookie that goes with it. */
export function formSession(res: LightMyRequestResponse, previous?: FormSession): FormSession {
  const token = /name="_csrf" value="([^"]+)"/.exec(res.body)?.[1];
  if (!token) throw new Error(`no CSRF field in ${res.statusCode} ${res.body.slice(0, 300)}`);
  const set = res.headers['set-cookie'];
  const line = (Array.isArray(set) ? set : set ? [set] : []).find((c) => c.startsWith('netagenda_csrf='));
  const cookie = line ? line.split(';')[0]! : previous?.cookie;
  if (!cookie) throw new Error('no CSRF cookie');
  return { cookie, csrf: token };
}

/** GETs a form and POSTs these fields to `action` (default: the same URL) with its token and cookie. */
export async function submit(app: FastifyInstance, formUrl: string, fields: Record<string, string>, action = formUrl, headers: Record<string, string> = {}) {
  const page = await app.inject({ method: 'GET', url: formUrl, headers });
  const s = formSession(page);
  return app.inject({
    method: 'POST',
    url: action,
    headers: { ...headers, cookie: s.cookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ ...fields, _csrf: s.csrf }).toString(),
  });
}

/** The manage token in a 303's Location. */
export const tokenOf = (res: LightMyRequestResponse): string => {
  const m = /\/manage\/([A-Za-z0-9_-]{32})/.exec(String(res.headers.location));
  if (!m) throw new Error(`no manage link in ${res.statusCode} ${String(res.headers.location)} ${res.body.slice(0, 300)}`);
  return m[1]!;
};
