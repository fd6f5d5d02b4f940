// iTIP (RFC 5546) calendar objects for e-mail (iMIP, RFC 6047): one event per object, METHOD:REQUEST for an
// invitation or update and METHOD:CANCEL for what was cancelled or left the participant's agenda. The
// VEVENT is the feeds' own stored fragment (same UID, same text), with the participant's SEQUENCE (that of
// their personal feed), DTSTAMP and an ATTENDEE line put right after the UID, as the feeds do.
import ical, { ICalCalendarMethod } from 'ical-generator';
import { vtimezone } from '../feeds/feed-render.js';
import { foldLines, paramText } from '../feeds/feed-text.js';

export type ItipMethod = 'REQUEST' | 'CANCEL';

export interface ItipEvent {
  uid: string;
  /** The stored VEVENT fragment (live form for REQUEST, cancelled form for CANCEL). */
  fragment: string;
  sequence: number;
  /** When the event last changed for this participant (ISO 8601): DTSTAMP and LAST-MODIFIED. */
  changedAt: string;
  tzid: string | null;
}

const icsStamp = (iso: string) => iso.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');

export function itipCalendar(method: ItipMethod, event: ItipEvent, attendee: { name: string; email: string }): string {
  const head = ical({ prodId: { company: 'netagenda', product: 'feeds', language: 'DA' }, method: method === 'REQUEST' ? ICalCalendarMethod.REQUEST : ICalCalendarMethod.CANCEL })
    .toString()
    .replace(/END:VCALENDAR$/, '');
  const split = 20 + event.uid.length;
  if (!event.fragment.startsWith(`BEGIN:VEVENT\r\nUID:${event.uid}\r\n`)) throw new Error(`unexpected VEVENT layout for ${event.uid}`);
  const stamp = icsStamp(event.changedAt);
  const cn = paramText(attendee.name);
  const partstat = method === 'REQUEST' ? ';PARTSTAT=ACCEPTED;RSVP=FALSE' : '';
  const lines =
    `SEQUENCE:${event.sequence}\r\nDTSTAMP:${stamp}\r\nLAST-MODIFIED:${stamp}\r\n` +
    `${foldLines(`ATTENDEE${cn ? `;CN="${cn}"` : ''};ROLE=REQ-PARTICIPANT${partstat}:mailto:${attendee.email}`)}\r\n`;
  const vevent = event.fragment.slice(0, split) + lines + event.fragment.slice(split);
  return `${head}${event.tzid ? vtimezone(event.tzid) : ''}${vevent}END:VCALENDAR\r\n`;
}
