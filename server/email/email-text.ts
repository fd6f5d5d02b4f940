// The words of the e-mails (Danish, or English for participants whose language is 'en'). Pure.
import { longDate, type Language } from './change-summary.js';

export type MailKind = 'confirmed' | 'promoted' | 'changed' | 'cancelled';

export interface MailInput {
  lang: Language;
  kind: MailKind;
  name: string;
  meeting: { title: string; date: string; startTime: string; endTime: string; timeZone: string; location: string };
  /** What changed ("Starter nu kl. 10:30"), for change e-mails. */
  lines: string[];
  /** The personal feed's links when known (participants whose secret is derived, see participants/feed-secrets.ts). */
  links: { meetingFeed: string; meetingFeedWebcal: string; preferences: string; personalFeed?: string; personalFeedWebcal?: string };
  organiser: string;
}

export function composeMail(m: MailInput): { subject: string; text: string } {
  const da = m.lang === 'da';
  const when = `${longDate(m.meeting.date, m.lang)} ${da ? 'kl.' : ''} ${m.meeting.startTime}–${m.meeting.endTime}`.replace(/\s+/g, ' ');
  const zone = m.meeting.timeZone === 'Europe/Copenhagen' ? '' : ` (${m.meeting.timeZone})`;
  const subject = {
    confirmed: da ? `Tilmeldt: ${m.meeting.title}` : `Registered: ${m.meeting.title}`,
    promoted: da ? `Du har fået en plads: ${m.meeting.title}` : `You have a place: ${m.meeting.title}`,
    changed: da ? `Ændret: ${m.meeting.title}` : `Changed: ${m.meeting.title}`,
    cancelled: da ? `Aflyst: ${m.meeting.title}` : `Cancelled: ${m.meeting.title}`,
  }[m.kind];
  const opening = {
    confirmed: da ? `Du er tilmeldt «${m.meeting.title}»` : `You are registered for “${m.meeting.title}”`,
    promoted: da ? `Der er blevet en plads til dig på «${m.meeting.title}», og du er nu tilmeldt` : `A place has come free for you at “${m.meeting.title}”: you are now registered`,
    changed: da ? `Der er ændringer i «${m.meeting.title}»` : `“${m.meeting.title}” has changed`,
    cancelled: da ? `«${m.meeting.title}» er aflyst` : `“${m.meeting.title}” is cancelled`,
  }[m.kind];
  const receipt = m.kind === 'confirmed' || m.kind === 'promoted';
  const lines = [
    da ? `Hej ${m.name}` : `Dear ${m.name}`,
    '',
    `${opening}.`,
    '',
    `${da ? 'Tid' : 'When'}: ${when}${zone}`,
    `${da ? 'Sted' : 'Where'}: ${m.meeting.location}`,
    ...(m.lines.length > 0 ? ['', da ? 'Det er ændret:' : 'What changed:', ...m.lines.map((l) => `- ${l}`)] : []),
    '',
    receipt
      ? da
        ? 'Invitationen er vedhæftet: åbn den for at lægge mødet og dit program i din kalender.'
        : 'The invitation is attached: open it to put the meeting and your programme in your calendar.'
      : da
        ? 'Opdateringen er vedhæftet: åbn den, så din kalender følger med.'
        : 'The update is attached: open it so your calendar follows.',
    '',
    da ? 'Abonnér på mødet i din kalender:' : 'Subscribe to the meeting in your calendar:',
    m.links.meetingFeedWebcal,
    m.links.meetingFeed,
    ...personalLines(m),
    '',
    da ? 'Vælg sprog eller stop mails om ændringer:' : 'Choose your language or stop e-mails about changes:',
    m.links.preferences,
    '',
    da ? `Venlig hilsen\n${m.organiser}` : `Kind regards\n${m.organiser}`,
  ];
  return { subject, text: `${lines.join('\n')}\n` };
}

/** The personal feed's part: its links (webcal:// and https) with what it holds, or where to get them. */
function personalLines(m: MailInput): string[] {
  const da = m.lang === 'da';
  if (m.links.personalFeed && m.links.personalFeedWebcal) {
    return [
      '',
      da
        ? 'Din personlige kalender viser kun de møder, du er tilmeldt, med dit spors programpunkter. Abonnér på den her (linket er personligt, så del det ikke):'
        : 'Your personal calendar holds only the meetings you are registered for, with your track’s items. Subscribe to it here (the link is personal: do not share it):',
      m.links.personalFeedWebcal,
      m.links.personalFeed,
    ];
  }
  return [
    da
      ? 'Din personlige kalender (kun dine møder og dit spor) har du fået et link til af koordinatoren.'
      : 'The coordinator has given you a link to your personal calendar (only your meetings and your track).',
  ];
}
