// The participant's pages: the registration form (or why it is closed), the receipt (status, place on the
// waiting list, personal feed, manage link) and the manage page (registrations with change of track and
// cancellation, data download and erasure, theme proposals and votes).
import type { ParticipantRow } from '../../db/schema.js';
import { csrfField, fieldId, inputField, selectField } from '../pages/form.js';
import { html, type Html } from '../pages/html.js';
import type { PageContext } from '../pages/page-http.js';
import { actionOf, errorFor, feedBox, manageLinkBox, summaryOf } from './form-view.js';
import type { FormState } from './member.pages.js';
import type { ManagedRegistration, ParticipantOverview } from './participant-manage.service.js';
import type { RegistrationPage } from './registration.service.js';
import { formatInstant, formatLocal } from './when.js';

/** The document title (short: the heading names the meeting). */
export const registerTitle = (ctx: PageContext) => ctx.m.selfService.register.pageTitle;

const meetingWhen = (ctx: PageContext, m: { date: string; startTime: string; timeZone: string }) => formatLocal(`${m.date}T${m.startTime}`, m.timeZone, ctx.lang);

export function registerMain(ctx: PageContext, page: RegistrationPage, form: FormState | null): Html {
  const s = ctx.m.selfService.register;
  const f = ctx.m.selfService.fields;
  const { meeting, summary } = page;
  const intro = html`<h1>${ctx.m.selfService.register.title(page.meeting.title)}</h1>
<p>${ctx.m.selfService.receipt.meeting(meeting.title, meetingWhen(ctx, meeting))}</p>`;
  if (!page.open || !form) return html`${intro}<p class="notice">${s.closed}</p>`;
  const closes = meeting.registrationDeadline
    ? formatLocal(meeting.registrationDeadline, meeting.timeZone, ctx.lang)
    : formatInstant(page.closesAt, meeting.timeZone, ctx.lang);
  const trackOptions = summary.tracks.map((t) => ({
    value: t.id,
    label: t.capacity !== null && t.registered >= t.capacity ? s.trackFull(t.name) : t.capacity !== null ? s.trackFree(t.name, t.capacity - t.registered) : t.name,
  }));
  const labels: [string, string][] = [['name', f.name], ['email', f.email], ['municipality', f.municipality]];
  if (trackOptions.length > 0) labels.push(['track', f.track]);
  return html`${intro}
<p>${s.intro}</p>
<p>${s.closes(closes)}</p>
${summary.available === 0 ? html`<p class="notice">${s.full}</p>` : ''}
${summaryOf(ctx.m, form.errors, labels)}
<form method="post" action="${actionOf(ctx, ctx.path)}" novalidate>
${csrfField(form.csrf)}
${inputField({ name: 'name', label: f.name, required: true, autocomplete: 'name', value: form.values.name, error: errorFor(ctx.m, form.errors, 'name') })}
${inputField({ name: 'email', type: 'email', label: f.email, required: true, autocomplete: 'email', value: form.values.email, error: errorFor(ctx.m, form.errors, 'email') })}
${selectField({
  name: 'municipality',
  label: f.municipality,
  required: true,
  options: [{ value: '', label: f.chooseMunicipality }, ...page.municipalities.map((mu) => ({ value: String(mu.code), label: mu.name }))],
  value: form.values.municipality,
  error: errorFor(ctx.m, form.errors, 'municipality'),
})}
${trackOptions.length > 0
  ? selectField({ name: 'track', label: f.track, required: true, options: [{ value: '', label: f.chooseTrack }, ...trackOptions], value: form.values.track, error: errorFor(ctx.m, form.errors, 'track') })
  : ''}
<button type="submit">${s.submit}</button>
</form>`;
}

function statusLine(ctx: PageContext, r: ManagedRegistration): string {
  const p = ctx.m.selfService.participant;
  return r.status === 'waitlisted' && r.waitlistPosition !== null ? p.waitlistPlace(r.waitlistPosition) : (p.status[r.status] ?? r.status);
}

/** The receipt of registration `r` (the one just made). */
export function receiptMain(ctx: PageContext, o: ParticipantOverview, r: ManagedRegistration | undefined, manageUrl: string): Html {
  const s = ctx.m.selfService.receipt;
  const waiting = r?.status === 'waitlisted';
  return html`<h1>${waiting ? s.waitlisted : s.registered}</h1>
${r ? html`<p>${s.meeting(r.meeting.title, meetingWhen(ctx, r.meeting))}</p>` : ''}
${r?.track ? html`<p>${ctx.m.selfService.participant.trackLabel(r.track.name)}</p>` : ''}
${waiting && r.waitlistPosition !== null ? html`<p class="notice">${s.waitlistPlace(r.waitlistPosition)}</p>` : ''}
${o.feed ? feedBox(ctx, o.baseUrl, o.feed) : ''}
${manageLinkBox(ctx, manageUrl)}`;
}

function registrationItem(ctx: PageContext, r: ManagedRegistration, csrf: string, errors: FormState['errors'], errorFor_: string | undefined): Html {
  const p = ctx.m.selfService.participant;
  const base = `${ctx.path}/registrations/${r.id}`;
  const otherTracks = r.tracks.filter((t) => t.id !== r.track?.id);
  const fieldName = `track-${r.id}`;
  return html`<li>
<h3>${r.meeting.title}</h3>
<p>${meetingWhen(ctx, r.meeting)}${r.track ? html` &middot; ${p.trackLabel(r.track.name)}` : ''}</p>
<p class="status"><strong>${statusLine(ctx, r)}</strong></p>
${r.changeable && otherTracks.length > 0
  ? html`<form method="post" action="${actionOf(ctx, `${base}/track`)}" novalidate>
${csrfField(csrf)}
${trackSelect(ctx, p.newTrack, otherTracks, errorFor_ === r.id ? errorFor(ctx.m, errors, 'track') : undefined, fieldName)}
<button type="submit">${p.changeTrack}</button>
</form>`
  : ''}
${r.changeable
  ? html`<form method="post" action="${actionOf(ctx, `${base}/cancel`)}">
${csrfField(csrf)}
<button type="submit" class="danger">${p.cancel}</button>
</form>`
  : ''}
</li>`;
}

/** A track select (ids made unique per form: several forms on one page). */
function trackSelect(ctx: PageContext, label: string, tracks: { id: string; name: string }[], error: string | undefined, fieldName: string): Html {
  return html`<div class="field${error ? ' has-error' : ''}">
<label for="${fieldId(fieldName)}">${label}</label>
${error ? html`<p class="field-error" id="error-${fieldName}">${error}</p>` : ''}
<select id="${fieldId(fieldName)}" name="track" required${error ? html` aria-invalid="true" aria-describedby="error-${fieldName}"` : ''}>
<option value="">${ctx.m.selfService.fields.chooseTrack}</option>
${tracks.map((t) => html`<option value="${t.id}">${t.name}</option>`)}
</select>
</div>`;
}

/** Registering for another meeting of the network from the manage page. */
function moreItem(ctx: PageContext, x: ParticipantOverview['more'][number], state: ManageState): Html {
  const p = ctx.m.selfService.participant;
  const fieldName = `track-${x.meeting.id}`;
  return html`<li>
<h3>${x.meeting.title}</h3>
<p>${meetingWhen(ctx, x.meeting)}</p>
<form method="post" action="${actionOf(ctx, `${ctx.path}/meetings/${x.meeting.id}/register`)}" novalidate>
${csrfField(state.csrf)}
${x.tracks.length > 0 ? trackSelect(ctx, ctx.m.selfService.fields.track, x.tracks, state.registrationId === x.meeting.id ? errorFor(ctx.m, state.errors, 'track') : undefined, fieldName) : ''}
<button type="submit">${p.registerFor(x.meeting.title)}</button>
</form>
</li>`;
}

export interface ManageState extends FormState {
  /** The registration (or, registering for another meeting, the meeting) a track error belongs to. */
  registrationId?: string | undefined;
  done?: string | undefined;
}

export function participantManageMain(ctx: PageContext, o: ParticipantOverview, state: ManageState): Html {
  const p = ctx.m.selfService.participant;
  const pr = ctx.m.selfService.proposals;
  const f = ctx.m.selfService.fields;
  const done = state.done && Object.hasOwn(p.done, state.done) ? p.done[state.done] : undefined;
  const proposalErrors = state.registrationId === undefined ? state.errors : {};
  return html`<h1>${p.title}</h1>
<p>${p.greeting(o.participant.name)}</p>
${done ? html`<p class="notice" role="status">${done}</p>` : ''}
<h2>${p.registrations}</h2>
${o.registrations.length === 0 ? html`<p>${p.none}</p>` : html`<ul class="registrations">${o.registrations.map((r) => registrationItem(ctx, r, state.csrf, state.errors, state.registrationId))}</ul>`}
${o.more.length > 0 ? html`<h2>${p.more}</h2><ul class="registrations">${o.more.map((x) => moreItem(ctx, x, state))}</ul>` : ''}
${o.feed ? feedBox(ctx, o.baseUrl, o.feed) : ''}
<h2 id="proposals">${pr.heading}</h2>
<p>${pr.intro}</p>
${o.upcoming.length === 0
  ? html`<p>${pr.noMeetings}</p>`
  : html`${summaryOf(ctx.m, proposalErrors, [['meeting', f.meeting], ['title', f.title], ['description', f.description]])}
<form method="post" action="${actionOf(ctx, `${ctx.path}/proposals`)}" novalidate>
${csrfField(state.csrf)}
${selectField({
  name: 'meeting',
  label: f.meeting,
  required: true,
  options: [{ value: '', label: f.chooseMeeting }, ...o.upcoming.map((m) => ({ value: m.id, label: `${m.title} (${meetingWhen(ctx, m)})` }))],
  value: state.values.meeting,
  error: errorFor(ctx.m, proposalErrors, 'meeting'),
})}
${inputField({ name: 'title', label: f.title, required: true, value: state.values.title, error: errorFor(ctx.m, proposalErrors, 'title') })}
${inputField({ name: 'description', label: f.description, value: state.values.description, error: errorFor(ctx.m, proposalErrors, 'description') })}
<button type="submit">${pr.submit}</button>
</form>`}
<h3>${pr.list}</h3>
${o.proposals.length === 0
  ? html`<p>${pr.none}</p>`
  : html`<ol class="proposals">${o.proposals.map(
      (x) => html`<li><strong>${x.title}</strong> &middot; ${pr.votes(x.votes)}
${x.voted
  ? html` &middot; ${pr.voted}`
  : html`<form method="post" action="${actionOf(ctx, `${ctx.path}/proposals/${x.id}/vote`)}" class="inline">
${csrfField(state.csrf)}
<button type="submit">${pr.vote(x.title)}</button>
</form>`}</li>`,
    )}</ol>`}
<h2>${p.yourData}</h2>
<ul>
<li><a href="${actionOf(ctx, `${ctx.path}/data.json`)}" download>${p.download}</a></li>
<li><a href="${actionOf(ctx, `${ctx.path}/erase`)}">${p.erase}</a></li>
</ul>`;
}

export function eraseConfirmMain(ctx: PageContext, participant: ParticipantRow, form: FormState): Html {
  const e = ctx.m.selfService.erase;
  return html`<h1>${e.title}</h1>
<p>${participant.name}</p>
<p>${e.body}</p>
${summaryOf(ctx.m, form.errors, [['confirm', e.confirm]])}
<form method="post" action="${actionOf(ctx, `${ctx.path}/erase`)}" novalidate>
${csrfField(form.csrf)}
<div class="field${form.errors.confirm ? ' has-error' : ''}">
${form.errors.confirm ? html`<p class="field-error" id="error-confirm">${errorFor(ctx.m, form.errors, 'confirm')}</p>` : ''}
<input type="checkbox" id="${fieldId('confirm')}" name="confirm" value="yes" required${form.errors.confirm ? html` aria-invalid="true" aria-describedby="error-confirm"` : ''}>
<label for="${fieldId('confirm')}">${e.confirm}</label>
</div>
<button type="submit" class="danger">${e.submit}</button>
</form>
<p><a href="${actionOf(ctx, ctx.path)}">${e.back}</a></p>`;
}

export function erasedMain(ctx: PageContext): Html {
  const e = ctx.m.selfService.erase;
  return html`<h1>${e.doneTitle}</h1><p>${e.doneBody}</p>`;
}
