// The sign-up window of a network: `signupOpens` and `signupDeadline` are local wall times
// (`YYYY-MM-DDTHH:MM`) in the network's zone, both inclusive: sign-up is possible from the first second
// of the opening minute through the last second of the deadline minute. Compared as instants, so the
// answer never depends on the process's TZ. Pure: "now" is always passed in.
import { toInstant } from '../time/local-time.js';
import { moment } from '../time/moment.js';

export type SignupState = 'not-open' | 'open' | 'closed';

export interface SignupWindow {
  signupOpens: string | null;
  signupDeadline: string | null;
  timeZone: string;
}

const MINUTE_MS = 60_000;

/** The instant of a local `YYYY-MM-DDTHH:MM` in a zone. */
export const localInstant = (local: string, zone: string): Date => toInstant(local.slice(0, 10), local.slice(11, 16), zone);

/** The first instant at which sign-up is open, or null when it has always been open. */
export const opensAt = (w: SignupWindow): Date | null => (w.signupOpens ? localInstant(w.signupOpens, w.timeZone) : null);

/** The first instant at which sign-up is closed (the minute after the deadline), or null when it never closes. */
export const closesAt = (w: SignupWindow): Date | null =>
  w.signupDeadline ? new Date(localInstant(w.signupDeadline, w.timeZone).getTime() + MINUTE_MS) : null;

export function signupState(w: SignupWindow, now: Date): SignupState {
  const opens = opensAt(w);
  if (opens && now.getTime() < opens.getTime()) return 'not-open';
  const closes = closesAt(w);
  if (closes && now.getTime() >= closes.getTime()) return 'closed';
  return 'open';
}

/** The window as the API shows it: each end as local wall time with its UTC instant. */
export function describeWindow(w: SignupWindow, now: Date) {
  const asMoment = (local: string | null) => (local ? moment(local.slice(0, 10), local.slice(11, 16), w.timeZone) : null);
  const state = signupState(w, now);
  return { open: state === 'open', state, opens: asMoment(w.signupOpens), deadline: asMoment(w.signupDeadline) };
}
