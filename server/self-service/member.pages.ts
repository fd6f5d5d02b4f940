// The municipality's pages: the sign-up form (or why it is closed), the receipt with the manage link, and
// the manage page (change the contact person, withdraw) while the deadline allows.
import type { MemberRow, MunicipalityRow, NetworkRow } from '../../db/schema.js';
import { csrfField, inputField, selectField } from '../pages/form.js';
import { html, type Html } from '../pages/html.js';
import type { PageContext } from '../pages/page-http.js';
import type { Municipality } from '../municipalities/municipalities.schemas.js';
import { actionOf, errorFor, manageLinkBox, summaryOf } from './form-view.js';
import type { SignupPage } from './member-signup.service.js';
import type { FieldErrors, FormValues } from './self-service.forms.js';
import { formatLocal } from './when.js';

export interface FormState {
  csrf: string;
  values: FormValues;
  errors: FieldErrors;
}

const municipalityOptions = (ctx: PageContext, list: Municipality[]) => [
  { value: '', label: ctx.m.selfService.fields.chooseMunicipality },
  ...list.map((mu) => ({ value: String(mu.code), label: mu.name })),
];

const deadlineText = (ctx: PageContext, network: NetworkRow) =>
  network.signupDeadline ? ctx.m.selfService.signup.deadline(formatLocal(network.signupDeadline, network.timeZone, ctx.lang)) : '';

function contactFields(ctx: PageContext, form: FormState): Html {
  const f = ctx.m.selfService.fields;
  return html`${inputField({ name: 'name', label: f.contactName, required: true, autocomplete: 'name', value: form.values.name, error: errorFor(ctx.m, form.errors, 'name') })}
${inputField({ name: 'email', type: 'email', label: f.email, required: true, autocomplete: 'email', value: form.values.email, error: errorFor(ctx.m, form.errors, 'email') })}
${inputField({ name: 'phone', type: 'tel', label: f.phone, autocomplete: 'tel', value: form.values.phone, error: errorFor(ctx.m, form.errors, 'phone') })}`;
}

/** The document title (short: the heading names the network). */
export function signupTitle(ctx: PageContext): string {
  return ctx.m.selfService.signup.pageTitle;
}

export function signupMain(ctx: PageContext, page: SignupPage, form: FormState | null): Html {
  const s = ctx.m.selfService.signup;
  const f = ctx.m.selfService.fields;
  const { network } = page;
  if (page.state !== 'open' || !form) {
    const opens = page.state === 'not-open' && network.signupOpens ? s.opens(formatLocal(network.signupOpens, network.timeZone, ctx.lang)) : '';
    return html`<h1>${ctx.m.selfService.signup.title(network.name)}</h1>
<p class="notice">${page.state === 'not-open' ? s.notOpen : s.closed} ${opens}</p>`;
  }
  return html`<h1>${ctx.m.selfService.signup.title(network.name)}</h1>
<p>${s.intro}</p>
${network.signupDeadline ? html`<p>${deadlineText(ctx, network)}</p>` : ''}
${summaryOf(ctx.m, form.errors, [['municipality', f.municipality], ['name', f.contactName], ['email', f.email], ['phone', f.phone]])}
<form method="post" action="${actionOf(ctx, ctx.path)}" novalidate>
${csrfField(form.csrf)}
${selectField({ name: 'municipality', label: f.municipality, required: true, options: municipalityOptions(ctx, page.municipalities), value: form.values.municipality, error: errorFor(ctx.m, form.errors, 'municipality') })}
${contactFields(ctx, form)}
<button type="submit">${s.submit}</button>
</form>`;
}

export interface MemberView {
  member: MemberRow;
  municipality: MunicipalityRow;
  network: NetworkRow;
  /** Whether the contact can still change or withdraw (the deadline has not passed). */
  changeable: boolean;
  manageUrl: string;
}

export function memberReceiptMain(ctx: PageContext, v: MemberView): Html {
  const r = ctx.m.selfService.memberReceipt;
  return html`<h1>${r.title}</h1>
<p>${r.body(v.municipality.name, v.network.name)}</p>
<p>${v.network.signupDeadline ? r.deadline(formatLocal(v.network.signupDeadline, v.network.timeZone, ctx.lang)) : r.noDeadline}</p>
${manageLinkBox(ctx, v.manageUrl)}`;
}

export function memberManageMain(ctx: PageContext, v: MemberView, form: FormState, done: string | undefined): Html {
  const s = ctx.m.selfService.member;
  const f = ctx.m.selfService.fields;
  const active = v.member.status === 'active';
  const heading = html`<h1>${s.title(v.municipality.name)}</h1>
<p>${s.network(v.network.name)}</p>
${done === 'saved' ? html`<p class="notice" role="status">${s.saved}</p>` : ''}
<p>${active ? s.active : s.withdrawn}</p>`;
  if (!active) return heading;
  if (!v.changeable) return html`${heading}<p class="notice">${s.closed}</p>`;
  return html`${heading}
${v.network.signupDeadline ? html`<p>${s.deadline(formatLocal(v.network.signupDeadline, v.network.timeZone, ctx.lang))}</p>` : ''}
<h2>${s.contact}</h2>
${summaryOf(ctx.m, form.errors, [['name', f.contactName], ['email', f.email], ['phone', f.phone]])}
<form method="post" action="${actionOf(ctx, `${ctx.path}/contact`)}" novalidate>
${csrfField(form.csrf)}
${contactFields(ctx, form)}
<button type="submit">${s.save}</button>
</form>
<h2>${s.withdraw}</h2>
<p>${s.withdrawHelp}</p>
<form method="post" action="${actionOf(ctx, `${ctx.path}/withdraw`)}">
${csrfField(form.csrf)}
<button type="submit" class="danger">${s.withdraw}</button>
</form>`;
}
