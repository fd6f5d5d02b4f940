// The outbox's e-mail channel: per delivery one e-mail to one participant, in their language, with one
// iTIP calendar object per event that is new, changed or gone for them. Which events those are comes from
// their personal feed (feeds/feed-publisher.ts): the events it holds (a receipt), or those that changed in
// it since the message was written (a change); SEQUENCE is the personal feed's, so calendars that
// subscribe to the feed and calendars that got the e-mail agree. The e-mail waits while the feeds of its
// meeting are still being published. Every e-mail carries the participant's personal feed link when it can be
// derived (participants/feed-secrets.ts); the link is never logged.
import { createHash, randomBytes } from 'node:crypto';
import type { Transporter } from 'nodemailer';
import type { Db } from '../../db/client.js';
import type { OutboxMessageRow } from '../../db/schema.js';
import { eventContent } from '../feeds/feed-content.js';
import { feedLinks } from '../feeds/feed-links.js';
import { currentFeedSecret, personalFeedLinks } from '../participants/feed-secrets.js';
import { organizerEmail, renderFragment } from '../feeds/feed-render.js';
import type { Channel, Outcome } from '../outbox/outbox-worker.js';
import { CHANGE_TYPES, RECEIPT_TYPES } from '../outbox/outbox-events.js';
import type { Changelog } from '../releases/release-diff.js';
import { meetingLines, releaseLines, type ChangedEvent, type Language } from './change-summary.js';
import { composeMail, type MailKind } from './email-text.js';
import { itipCalendar, type ItipMethod } from './itip.js';

export interface EmailOptions {
  publicBaseUrl: string;
  feedTtlMinutes: number;
  from?: string;
  /** The key personal feed secrets are derived from. */
  linkKey: Buffer;
}

interface ScopeEvent {
  uid: string;
  sequence: number;
  present: number;
  changedAt: string;
  kind: 'meeting' | 'item';
  itemId: string | null;
  cancelledAt: string | null;
  tzid: string | null;
  icsLive: string | null;
  icsCancelled: string | null;
  content: string;
  createdAt: string;
}

/** The preference page of a participant's e-mail link. */
export const preferencesUrl = (baseUrl: string, token: string) => `${baseUrl}/api/v1/email-preferences/${token}`;

export function emailChannel(db: Db, transport: Pick<Transporter, 'sendMail'>, options: EmailOptions): Channel {
  const sqlite = db.$client;
  const q = {
    participant: sqlite.prepare(
      'SELECT id, name, email, language, change_emails AS changeEmails, email_token AS emailToken, generation, feed_token_hash AS feedTokenHash FROM participants WHERE id = ?',
    ),
    setToken: sqlite.prepare('UPDATE participants SET email_token = ? WHERE id = ? AND email_token IS NULL'),
    feedsPending: sqlite
      .prepare("SELECT EXISTS (SELECT 1 FROM feed_queue WHERE (kind = 'meeting' AND key = ?) OR (kind = 'personal' AND key = ?))")
      .pluck(),
    events: sqlite.prepare(
      `SELECT se.uid, se.sequence, se.present, se.changed_at AS changedAt, fe.kind, fe.item_id AS itemId, fe.cancelled_at AS cancelledAt,
              fe.tzid, fe.ics_live AS icsLive, fe.ics_cancelled AS icsCancelled, fe.content, fe.created_at AS createdAt
       FROM feed_scope_events se JOIN feed_events fe ON fe.uid = se.uid
       WHERE se.scope = ? AND se.meeting_id = ? ORDER BY fe.sort_key, fe.uid`,
    ),
    network: sqlite.prepare('SELECT name, organiser_name AS organiserName, organiser_email AS organiserEmail FROM networks WHERE slug = ?'),
  };
  const host = new URL(options.publicBaseUrl).hostname || 'netagenda.invalid';
  const from = options.from ?? `netagenda <${organizerEmail(null, options.publicBaseUrl)}>`;

  function tokenOf(p: { id: string; emailToken: string | null }): string {
    if (p.emailToken) return p.emailToken;
    const token = randomBytes(24).toString('base64url');
    sqlite.transaction(() => q.setToken.run(token, p.id)).immediate();
    return (q.participant.get(p.id) as { emailToken: string }).emailToken;
  }

  return {
    async deliver(message: OutboxMessageRow, delivery): Promise<Outcome> {
      const type = message.type;
      const receipt = RECEIPT_TYPES.has(type);
      if (!receipt && !CHANGE_TYPES.has(type)) return { skip: `no e-mail for ${type}` };
      const p = q.participant.get(delivery.target) as
        | { id: string; name: string; email: string; language: Language; changeEmails: number; emailToken: string | null; generation: number; feedTokenHash: string }
        | undefined;
      if (!p) return { skip: 'participant erased' };
      if (!receipt && p.changeEmails === 0) return { skip: 'the participant stopped e-mails about changes' };
      const data = JSON.parse(message.payload) as { meetingId: string; changelog?: Changelog; changes?: { field: string; from: string | null; to: string | null }[] };
      if (q.feedsPending.get(data.meetingId, `${data.meetingId} ${p.id}`) === 1) return { later: 250 };

      const all = q.events.all(`personal:${p.id}`, data.meetingId) as ScopeEvent[];
      const chosen = receipt ? all.filter((e) => e.present === 1 && e.cancelledAt === null) : all.filter((e) => e.changedAt >= message.createdAt);
      if (chosen.length === 0) return { skip: 'nothing changed for this participant' };
      const meetingEvent = all.find((e) => e.kind === 'meeting');
      if (!meetingEvent) return { skip: 'the meeting is not published' };
      const meeting = eventContent.parse(JSON.parse(meetingEvent.content));

      const parts = chosen.map((e) => {
        const gone = e.present === 0 || e.cancelledAt !== null;
        const method: ItipMethod = gone ? 'CANCEL' : 'REQUEST';
        const content = eventContent.parse(JSON.parse(e.content));
        const fragment =
          (e.present === 1 ? e.icsLive : e.icsCancelled) ??
          renderFragment({ uid: e.uid, createdAt: e.createdAt, content }, gone, { publicBaseUrl: options.publicBaseUrl, feedTtlMinutes: options.feedTtlMinutes });
        const ics = itipCalendar(method, { uid: e.uid, fragment, sequence: e.sequence, changedAt: e.changedAt, tzid: e.tzid }, { name: p.name, email: p.email });
        const changed: ChangedEvent = { kind: e.kind, itemId: e.itemId, title: content.title, room: content.track?.room ?? null, trackName: content.track?.name ?? null, cancelled: gone };
        return { method, ics, changed };
      });

      const lang: Language = p.language === 'en' ? 'en' : 'da';
      const changedEvents = parts.map((x) => x.changed);
      const lines =
        type === 'release.published' && data.changelog
          ? releaseLines(data.changelog, changedEvents, lang)
          : type === 'meeting.changed' && data.changes
            ? meetingLines(data.changes, lang)
            : [];
      const kind: MailKind = type === 'registration.confirmed' ? 'confirmed' : type === 'registration.promoted' ? 'promoted' : type === 'meeting.cancelled' ? 'cancelled' : 'changed';
      const network = q.network.get(message.networkSlug) as { name: string; organiserName: string; organiserEmail: string | null } | undefined;
      const feed = feedLinks(options.publicBaseUrl, `/feeds/meetings/${data.meetingId}.ics?items=1`);
      const prefs = preferencesUrl(options.publicBaseUrl, tokenOf(p));
      const secret = currentFeedSecret(options.linkKey, p);
      const personal = secret ? personalFeedLinks(options.publicBaseUrl, secret) : null;
      const mail = composeMail({
        lang,
        kind,
        name: p.name,
        meeting: { title: meeting.meeting.title, date: meeting.date, startTime: meeting.startTime, endTime: meeting.endTime, timeZone: meeting.timeZone, location: meeting.location },
        lines,
        links: { meetingFeed: feed.https, meetingFeedWebcal: feed.webcal, preferences: prefs, ...(personal ? { personalFeed: personal.https, personalFeedWebcal: personal.webcal } : {}) },
        organiser: network ? network.organiserName.trim() || network.name : 'netagenda',
      });
      // The same bytes on every attempt (Date = when the change was written, MIME boundaries from the ids), so a
      // repeat after a crash is recognisably the same e-mail, not only the same Message-ID.
      const mailOptions: Parameters<typeof transport.sendMail>[0] & { baseBoundary: string } = {
        baseBoundary: createHash('sha256').update(`${message.id}.${p.id}`).digest('hex').slice(0, 16),
        date: new Date(message.createdAt),
        from,
        to: { name: p.name, address: p.email },
        ...(network?.organiserEmail ? { replyTo: network.organiserEmail } : {}),
        subject: mail.subject,
        text: mail.text,
        messageId: `<${message.id}.${p.id}@${host}>`,
        headers: {
          'List-Unsubscribe': `<${prefs}/unsubscribe>`,
          'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
          'X-Netagenda-Message': message.id,
        },
        attachments: parts.map((x, i) => ({
          filename: `${x.method === 'CANCEL' ? 'cancel' : 'invite'}-${i + 1}.ics`,
          content: x.ics,
          contentType: `text/calendar; charset=utf-8; method=${x.method}`,
        })),
      };
      await transport.sendMail(mailOptions);
      return { ok: true };
    },
  };
}
