// The self-service forms over HTML: municipality sign-up, participant registration and the manage pages
// behind capability links. A form POST is checked (rate limit per address, CSRF token, the fields), runs its
// service in one durable transaction and answers 303 to a GET page; a refused form is shown again with
// 400/409/422 and the messages next to its fields, nothing saved. Capability tokens in paths are masked in
// the log (route config secretParams); pages behind them are never cached and send no referrer.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { eq } from 'drizzle-orm';
import { municipalities, networks } from '../../db/schema.js';
import { AppError, notFound } from '../http/errors.js';
import { html } from '../pages/html.js';
import { withLang } from '../pages/i18n.js';
import { pageContext, sendNotFound, type PageContext } from '../pages/page-http.js';
import { formProtection } from './form-protection.js';
import { sendSelfServicePage } from './form-view.js';
import { managePath, resolveManageLink, type ManageHolder } from './manage-links.js';
import { memberSignupService } from './member-signup.service.js';
import { memberManageMain, memberReceiptMain, signupMain, signupTitle, type FormState, type MemberView } from './member.pages.js';
import { participantManageService } from './participant-manage.service.js';
import { eraseConfirmMain, erasedMain, participantManageMain, receiptMain, registerMain, registerTitle, type ManageState } from './participant.pages.js';
import { registrationService } from './registration.service.js';
import {
  eraseForm,
  formValues,
  memberContactForm,
  memberSignupForm,
  parseForm,
  proposalForm,
  registrationForm,
  trackForm,
  type FieldErrors,
} from './self-service.forms.js';

type Params = Record<string, string>;
const SECRET = { secretParams: ['token'] as const };

/** Field errors for the service's refusals that concern a field; other refusals are pages (409, 404). */
const FIELD_OF: Partial<Record<string, [field: string, key: FieldErrors[string]]>> = {
  'already-member': ['municipality', 'alreadyMember'],
  'unknown-municipality': ['municipality', 'municipality'],
  'track-required': ['track', 'track'],
  'track-not-in-meeting': ['track', 'track'],
  'invalid-meeting': ['meeting', 'meeting'],
};

function fieldErrorOf(err: unknown): FieldErrors | null {
  if (!(err instanceof AppError)) return null;
  const hit = FIELD_OF[err.code];
  return hit ? { [hit[0]]: hit[1] } : null;
}

/** Runs a service call: a refusal that concerns a field comes back as its field errors, anything else is thrown on. */
function fieldRefusal(work: () => unknown): FieldErrors | null {
  try {
    work();
    return null;
  } catch (err) {
    const errors = fieldErrorOf(err);
    if (errors) return errors;
    throw err;
  }
}

export async function selfServiceRoutes(app: FastifyInstance): Promise<void> {
  const { db } = app;
  const baseUrl = app.config.publicBaseUrl;
  await app.register(formProtection, {
    linkKey: app.linkKey,
    secure: baseUrl.startsWith('https:'),
    postsPerMinute: app.config.limits.formPostsPerMinute ?? 20,
  });
  const members = memberSignupService(db, baseUrl);
  const registrations = registrationService(db, baseUrl, app.linkKey);
  const manage = participantManageService(db, baseUrl, app.linkKey);
  const post = { config: { ...SECRET, rateLimit: app.formPostLimit }, preHandler: app.csrfProtection };

  // Forms and what is behind capability links are never stored by caches.
  app.addHook('onRequest', (_request, reply, done) => {
    reply.header('cache-control', 'no-store');
    done();
  });

  app.setErrorHandler((err: Error & { statusCode?: number }, request, reply) => {
    const status = err instanceof AppError ? err.status : (err.statusCode ?? 500);
    const ctx = pageContext(request);
    const s = ctx.m.selfService;
    if (status === 404) return sendNotFound(request, reply);
    if (status === 403) return sendSelfServicePage(reply, ctx, s.forbidden.title, html`<h1>${s.forbidden.title}</h1><p>${s.forbidden.body}</p>`, 403);
    if (status === 429) return sendSelfServicePage(reply, ctx, s.tooMany.title, html`<h1>${s.tooMany.title}</h1><p>${s.tooMany.body}</p>`, 429);
    if (status === 409) return sendSelfServicePage(reply, ctx, s.conflict.title, html`<h1>${s.conflict.title}</h1><p>${s.conflict.body}</p>`, 409);
    throw err;
  });

  const csrf = (reply: FastifyReply) => reply.generateCsrf();
  const freshForm = (reply: FastifyReply, values: Record<string, string> = {}): FormState => ({ csrf: csrf(reply), values, errors: {} });
  const redirect = (reply: FastifyReply, ctx: PageContext, path: string) => {
    app.afterWrite();
    return reply.code(303).header('location', withLang(path, ctx.lang)).send();
  };
  /** The page context of a manage page (a POST's re-rendered page names the GET page). */
  const manageContext = (request: FastifyRequest, token: string): PageContext => ({ ...pageContext(request), path: managePath(token) });
  const manageUrl = (ctx: PageContext, token: string) => `${baseUrl}${withLang(managePath(token), ctx.lang)}`;
  const holderOf = (token: string): ManageHolder => {
    const holder = resolveManageLink(db, token);
    if (!holder) throw notFound('Manage link', '');
    return holder;
  };
  const memberOf = (token: string) => {
    const h = holderOf(token);
    if (h.kind !== 'member') throw notFound('Manage link', '');
    return h.member;
  };
  const participantOf = (token: string) => {
    const h = holderOf(token);
    if (h.kind !== 'participant') throw notFound('Manage link', '');
    return h.participant;
  };
  const memberView = (member: ReturnType<typeof memberOf>, token: string, ctx: PageContext): MemberView => {
    const network = db.select().from(networks).where(eq(networks.slug, member.networkSlug)).get()!;
    const municipality = db.select().from(municipalities).where(eq(municipalities.code, member.municipalityCode)).get()!;
    return { member, network, municipality, changeable: members.changeable(member), manageUrl: manageUrl(ctx, token) };
  };

  // ---- Municipality sign-up ----
  app.get('/networks/:slug/signup', { schema: { hide: true } }, (request, reply) => {
    const ctx = pageContext(request);
    const page = members.page((request.params as Params).slug!);
    const form = page.state === 'open' ? freshForm(reply) : null;
    return sendSelfServicePage(reply, ctx, signupTitle(ctx), signupMain(ctx, page, form));
  });
  app.post('/networks/:slug/signup', { schema: { hide: true }, ...post }, (request, reply) => {
    const ctx = pageContext(request);
    const slug = (request.params as Params).slug!;
    const page = members.page(slug);
    const values = formValues(request.body);
    const show = (errors: FieldErrors, status: number) =>
      sendSelfServicePage(reply, ctx, signupTitle(ctx), signupMain(ctx, page, page.state === 'open' ? { csrf: csrf(reply), values, errors } : null), status);
    if (page.state !== 'open') return show({}, 409);
    const parsed = parseForm(memberSignupForm, values);
    if (!parsed.ok) return show(parsed.errors, 422);
    try {
      const { token } = members.signUp(slug, parsed.value.municipality, parsed.value);
      return redirect(reply, ctx, `${managePath(token)}/receipt`);
    } catch (err) {
      const errors = fieldErrorOf(err);
      if (errors) return show(errors, 422);
      if (err instanceof AppError && err.status === 409) return sendSelfServicePage(reply, ctx, signupTitle(ctx), signupMain(ctx, members.page(slug), null), 409);
      throw err;
    }
  });

  // ---- Participant registration ----
  app.get('/meetings/:id/register', { schema: { hide: true } }, (request, reply) => {
    const ctx = pageContext(request);
    const page = registrations.page((request.params as Params).id!);
    return sendSelfServicePage(reply, ctx, registerTitle(ctx), registerMain(ctx, page, page.open ? freshForm(reply) : null));
  });
  app.post('/meetings/:id/register', { schema: { hide: true }, ...post }, (request, reply) => {
    const ctx = pageContext(request);
    const id = (request.params as Params).id!;
    const page = registrations.page(id);
    const values = formValues(request.body);
    const show = (errors: FieldErrors, status: number) =>
      sendSelfServicePage(reply, ctx, registerTitle(ctx), registerMain(ctx, page, page.open ? { csrf: csrf(reply), values, errors } : null), status);
    if (!page.open) return show({}, 409);
    const parsed = parseForm(registrationForm, values);
    if (!parsed.ok) return show(parsed.errors, 422);
    const v = parsed.value;
    try {
      const { token, registration } = registrations.register(id, { name: v.name, email: v.email, municipalityCode: v.municipality, trackId: v.track ?? null, language: ctx.lang });
      return redirect(reply, ctx, `${managePath(token)}/receipt?registration=${encodeURIComponent(registration.id)}`);
    } catch (err) {
      const errors = fieldErrorOf(err);
      if (errors) return show(errors, 422);
      if (err instanceof AppError && err.status === 409) {
        const now = registrations.page(id);
        return sendSelfServicePage(reply, ctx, registerTitle(ctx), registerMain(ctx, now, null), 409);
      }
      throw err;
    }
  });

  // ---- Manage links ----
  app.get('/manage/erased', { schema: { hide: true } }, (request, reply) => {
    const ctx = pageContext(request);
    return sendSelfServicePage(reply, ctx, ctx.m.selfService.erase.doneTitle, erasedMain(ctx));
  });

  app.get('/manage/:token', { schema: { hide: true }, config: SECRET }, (request, reply) => {
    const token = (request.params as Params).token!;
    const ctx = manageContext(request, token);
    const holder = holderOf(token);
    const done = new URLSearchParams(request.url.split('?')[1] ?? '').get('done') ?? undefined;
    if (holder.kind === 'member') {
      const view = memberView(holder.member, token, ctx);
      const m = holder.member;
      const form = freshForm(reply, { name: m.contactName, email: m.contactEmail, phone: m.contactPhone });
      return sendSelfServicePage(reply, ctx, ctx.m.selfService.member.pageTitle, memberManageMain(ctx, view, form, done));
    }
    const state: ManageState = { ...freshForm(reply), done };
    return sendSelfServicePage(reply, ctx, ctx.m.selfService.participant.title, participantManageMain(ctx, manage.overview(holder.participant), state));
  });

  app.get('/manage/:token/receipt', { schema: { hide: true }, config: SECRET }, (request, reply) => {
    const token = (request.params as Params).token!;
    const ctx = manageContext(request, token);
    const holder = holderOf(token);
    if (holder.kind === 'member') {
      const view = memberView(holder.member, token, ctx);
      return sendSelfServicePage(reply, ctx, ctx.m.selfService.memberReceipt.title, memberReceiptMain(ctx, view));
    }
    const overview = manage.overview(holder.participant);
    const registrationId = new URLSearchParams(request.url.split('?')[1] ?? '').get('registration') ?? undefined;
    const shown = overview.registrations.find((r) => r.id === registrationId) ?? overview.registrations.find((r) => r.status !== 'cancelled');
    const r = ctx.m.selfService.receipt;
    return sendSelfServicePage(reply, ctx, shown?.status === 'waitlisted' ? r.waitlisted : r.registered, receiptMain(ctx, overview, shown, manageUrl(ctx, token)));
  });

  // Member: change the contact person, withdraw.
  app.post('/manage/:token/contact', { schema: { hide: true }, ...post }, (request, reply) => {
    const token = (request.params as Params).token!;
    const ctx = manageContext(request, token);
    const member = memberOf(token);
    const values = formValues(request.body);
    const view = memberView(member, token, ctx);
    const title = ctx.m.selfService.member.pageTitle;
    if (!view.changeable) return sendSelfServicePage(reply, ctx, title, memberManageMain(ctx, view, freshForm(reply), undefined), 409);
    const parsed = parseForm(memberContactForm, values);
    if (!parsed.ok) return sendSelfServicePage(reply, ctx, title, memberManageMain(ctx, view, { csrf: csrf(reply), values, errors: parsed.errors }, undefined), 422);
    members.changeContact(member, parsed.value);
    return redirect(reply, ctx, `${managePath(token)}?done=saved`);
  });
  app.post('/manage/:token/withdraw', { schema: { hide: true }, ...post }, (request, reply) => {
    const token = (request.params as Params).token!;
    const ctx = manageContext(request, token);
    const member = memberOf(token);
    const view = memberView(member, token, ctx);
    if (!view.changeable) return sendSelfServicePage(reply, ctx, ctx.m.selfService.member.pageTitle, memberManageMain(ctx, view, freshForm(reply), undefined), 409);
    members.withdraw(member);
    return redirect(reply, ctx, managePath(token));
  });

  // Participant: change track, cancel, propose, vote, data.
  const showManage = (request: FastifyRequest, reply: FastifyReply, token: string, state: Omit<ManageState, 'csrf'>, status: number) => {
    const ctx = manageContext(request, token);
    const overview = manage.overview(participantOf(token));
    return sendSelfServicePage(reply, ctx, ctx.m.selfService.participant.title, participantManageMain(ctx, overview, { ...state, csrf: csrf(reply) }), status);
  };

  app.post('/manage/:token/registrations/:id/track', { schema: { hide: true }, ...post }, (request, reply) => {
    const { token, id } = request.params as Params;
    const participant = participantOf(token!);
    const values = formValues(request.body);
    const parsed = parseForm(trackForm, values);
    if (!parsed.ok) return showManage(request, reply, token!, { values: {}, errors: parsed.errors, registrationId: id }, 422);
    const refused = fieldRefusal(() => manage.changeTrack(participant, id!, parsed.value.track));
    if (refused) return showManage(request, reply, token!, { values: {}, errors: refused, registrationId: id }, 422);
    return redirect(reply, manageContext(request, token!), `${managePath(token!)}?done=track`);
  });
  app.post('/manage/:token/meetings/:id/register', { schema: { hide: true }, ...post }, (request, reply) => {
    const { token, id } = request.params as Params;
    const participant = participantOf(token!);
    const track = formValues(request.body).track;
    const refused = fieldRefusal(() => manage.register(participant, id!, track ? track : null));
    if (refused) return showManage(request, reply, token!, { values: {}, errors: refused, registrationId: id }, 422);
    return redirect(reply, manageContext(request, token!), `${managePath(token!)}?done=registered`);
  });
  app.post('/manage/:token/registrations/:id/cancel', { schema: { hide: true }, ...post }, (request, reply) => {
    const { token, id } = request.params as Params;
    manage.cancel(participantOf(token!), id!);
    return redirect(reply, manageContext(request, token!), `${managePath(token!)}?done=cancelled`);
  });
  app.post('/manage/:token/proposals', { schema: { hide: true }, ...post }, (request, reply) => {
    const { token } = request.params as Params;
    const participant = participantOf(token!);
    const values = formValues(request.body);
    const parsed = parseForm(proposalForm, values);
    if (!parsed.ok) return showManage(request, reply, token!, { values, errors: parsed.errors }, 422);
    const refused = fieldRefusal(() => manage.propose(participant, { meetingId: parsed.value.meeting, title: parsed.value.title, description: parsed.value.description }));
    if (refused) return showManage(request, reply, token!, { values, errors: refused }, 422);
    return redirect(reply, manageContext(request, token!), `${managePath(token!)}?done=proposed`);
  });
  app.post('/manage/:token/proposals/:id/vote', { schema: { hide: true }, ...post }, (request, reply) => {
    const { token, id } = request.params as Params;
    manage.vote(participantOf(token!), id!);
    return redirect(reply, manageContext(request, token!), `${managePath(token!)}?done=voted`);
  });
  app.get('/manage/:token/data.json', { schema: { hide: true }, config: SECRET }, (request, reply) => {
    const participant = participantOf((request.params as Params).token!);
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', 'attachment; filename="my-data.json"')
      .send(JSON.stringify(manage.exportData(participant), null, 2));
  });
  app.get('/manage/:token/erase', { schema: { hide: true }, config: SECRET }, (request, reply) => {
    const token = (request.params as Params).token!;
    const ctx = manageContext(request, token);
    const participant = participantOf(token);
    return sendSelfServicePage(reply, ctx, ctx.m.selfService.erase.title, eraseConfirmMain(ctx, participant, freshForm(reply)));
  });
  app.post('/manage/:token/erase', { schema: { hide: true }, ...post }, (request, reply) => {
    const token = (request.params as Params).token!;
    const ctx = manageContext(request, token);
    const participant = participantOf(token);
    const parsed = parseForm(eraseForm, formValues(request.body));
    if (!parsed.ok) return sendSelfServicePage(reply, ctx, ctx.m.selfService.erase.title, eraseConfirmMain(ctx, participant, { csrf: csrf(reply), values: {}, errors: parsed.errors }), 422);
    manage.erase(participant);
    return redirect(reply, ctx, '/manage/erased');
  });
}
