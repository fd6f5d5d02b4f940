// A participant's e-mail preferences behind the secret link in every e-mail (and its List-Unsubscribe
// header): read them, change them, or stop e-mails about changes in one click (RFC 8058: a POST with the
// form body `List-Unsubscribe=One-Click`). Receipts are always sent. No token needed: the link is the key.
import { eq } from 'drizzle-orm';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { participants } from '../../db/schema.js';
import { notFound } from '../http/errors.js';
import { nowIso } from '../http/ids.js';
import { problems } from '../http/problem.js';

const tokenParams = z.object({ token: z.string().min(1).max(64) });
const preferences = z
  .object({
    language: z.enum(['da', 'en']).describe('The language of the e-mails'),
    changeEmails: z.boolean().describe('Whether e-mails about changes to the meetings are sent (receipts always are)'),
  })
  .meta({ id: 'EmailPreferences' });
const preferencesPatch = preferences.partial().strict().meta({ id: 'EmailPreferencesPatch' });

export const emailPreferenceRoutes: FastifyPluginAsyncZod = async (app) => {
  const tags = ['email'];
  const rowOf = (token: string) => {
    const row = app.db.select().from(participants).where(eq(participants.emailToken, token)).get();
    if (!row) throw notFound('E-mail preference link', '…');
    return row;
  };
  const show = (token: string) => {
    const row = rowOf(token);
    return { language: row.language, changeEmails: row.changeEmails };
  };
  const update = (token: string, patch: { language?: 'da' | 'en' | undefined; changeEmails?: boolean | undefined }) => {
    const row = rowOf(token);
    const set = Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined));
    if (Object.keys(set).length > 0) app.db.update(participants).set({ ...set, updatedAt: nowIso() }).where(eq(participants.id, row.id)).run();
    return show(token);
  };
  // One-click unsubscribe posts a form; its content does not matter.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, _body, done) => done(null, {}));

  app.get('/email-preferences/:token', {
    schema: { tags, summary: 'The e-mail preferences behind a link from an e-mail', params: tokenParams, response: { 200: preferences, ...problems(404) } },
    handler: async (req) => show(req.params.token),
  });
  app.patch('/email-preferences/:token', {
    schema: { tags, summary: 'Change the e-mail language, or stop or resume e-mails about changes', params: tokenParams, body: preferencesPatch, response: { 200: preferences, ...problems(404) } },
    handler: (req) => update(req.params.token, req.body),
  });
  app.post('/email-preferences/:token/unsubscribe', {
    preValidation: async (req) => {
      if (req.body === undefined || req.body === null) req.body = {};
    },
    schema: {
      tags,
      summary: 'Stop e-mails about changes (List-Unsubscribe one-click, RFC 8058); receipts are still sent',
      description: 'Takes the form body `List-Unsubscribe=One-Click`, or nothing.',
      params: tokenParams,
      body: z.strictObject({}).meta({ id: 'OneClickUnsubscribe', description: 'Nothing, {}, or the form body List-Unsubscribe=One-Click' }),
      response: { 200: preferences, ...problems(404) },
    },
    handler: (req) => update(req.params.token, { changeEmails: false }),
  });
};
