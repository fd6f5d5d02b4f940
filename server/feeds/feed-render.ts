// iCalendar text with ical-generator: each event rendered once per change as a VEVENT fragment, and a feed
// assembled from its header, the VTIMEZONEs its events use and their fragments. Wall times are TZDate values
// in the event's zone (ical-generator would otherwise use the process's TZ), and DTSTAMP is the event's last
// change in the feed (not "now"), so the same data always gives the same bytes.
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { isAmbiguousLocally, zonedInstant } from '../time/local-time.js';
import type { EventContent } from './feed-content.js';
import { cleanText, escapeText, foldLines, paramText } from './feed-text.js';

export interface RenderOptions {
  publicBaseUrl: string;
  feedTtlMinutes: number;
}

export const CANCELLED_PREFIX = 'AFLYST: ';

// Older names that Node's ICU still reports as canonical but the VTIMEZONE library knows by the current one.
const ZONE_ALIASES: Record<string, string> = {
  'Africa/Asmera': 'Africa/Asmara',
  'America/Buenos_Aires': 'America/Argentina/Buenos_Aires',
  'America/Catamarca': 'America/Argentina/Catamarca',
  'America/Coral_Harbour': 'America/Atikokan',
  'America/Cordoba': 'America/Argentina/Cordoba',
  'America/Indianapolis': 'America/Indiana/Indianapolis',
  'America/Jujuy': 'America/Argentina/Jujuy',
  'America/Louisville': 'America/Kentucky/Louisville',
  'America/Mendoza': 'America/Argentina/Mendoza',
  'Asia/Saigon': 'Asia/Ho_Chi_Minh',
  'Atlantic/Faeroe': 'Atlantic/Faroe',
  'Pacific/Ponape': 'Pacific/Pohnpei',
  'Pacific/Truk': 'Pacific/Chuuk',
};

const tzids = new Map<string, string | null>();
/**
 * The TZID to write for a zone: one the VTIMEZONE library has a block for (the zone or its current
 * name), or null when it has none; the event is then written in UTC, which every client reads right.
 */
export function feedTzid(zone: string): string | null {
  if (!tzids.has(zone)) {
    const candidates = [zone, ZONE_ALIASES[zone]].filter((z): z is string => !!z && z !== 'UTC');
    tzids.set(zone, candidates.find((z) => getVtimezoneComponent(z) !== null) ?? null);
  }
  return tzids.get(zone)!;
}

/**
 * METHOD:PUBLISH needs an ORGANIZER, and ical-generator needs an address for it. Without the organiser's
 * email we use a no-reply address at the service's own host (or the reserved `.invalid` domain when the
 * host is an IP address or has no domain), so nobody's real address is invented.
 */
export function organizerEmail(email: string | null, publicBaseUrl: string): string {
  if (email) return email;
  const host = new URL(publicBaseUrl).hostname;
  const isDomain = /^(?=.*[a-z])[a-z0-9-]+(\.[a-z0-9-]+)+$/i.test(host);
  return `noreply@${isDomain ? host : 'netagenda.invalid'}`;
}

const PRODID = { company: 'netagenda', product: 'feeds', language: 'DA' };
const fragmentCalendar = ical({ prodId: PRODID });
fragmentCalendar.timezone({ name: null });

/** Lines a feed sets per scope: the scope's own SEQUENCE and change time. */
const PER_SCOPE_LINES = /^(SEQUENCE|DTSTAMP|LAST-MODIFIED):[^\r\n]*\r\n/gm;

export interface FragmentInput {
  uid: string;
  createdAt: string;
  content: EventContent;
}

/**
 * One event as VEVENT text (folded, CRLF), rendered once per change by ical-generator, without the lines a
 * feed sets per scope (SEQUENCE, DTSTAMP, LAST-MODIFIED: the publisher adds them when it assembles a feed). A wall time that occurs
 * twice (autumn's repeated hour) is written in UTC: clients disagree on which occurrence a TZID time means.
 */
export function renderFragment(event: FragmentInput, cancelled: boolean, options: RenderOptions): string {
  const { content } = event;
  const start = zonedInstant(content.date, content.startTime, content.timeZone);
  const end = zonedInstant(content.date, content.endTime, content.timeZone);
  const tzid = eventTzid(content);
  fragmentCalendar.clear();
  const vevent = fragmentCalendar.createEvent({
    id: event.uid,
    sequence: 0,
    stamp: new Date(event.createdAt),
    created: new Date(event.createdAt),
    // A plain Date with no zone is written as UTC (`...Z`), the same instant.
    start: tzid ? start : new Date(start.getTime()),
    end: tzid ? end : new Date(end.getTime()),
    timezone: tzid,
    summary: (cancelled ? CANCELLED_PREFIX : '') + cleanText(content.title),
    description: cleanText(content.description),
    location: { title: cleanText(content.location), ...(content.geo ? { geo: content.geo } : {}) },
    organizer: { name: paramText(content.organizer.name) || 'netagenda', email: organizerEmail(content.organizer.email, options.publicBaseUrl) },
    // The meeting page (pages/meeting-page.ts): what a participant opens from the calendar event.
    url: `${options.publicBaseUrl}/meetings/${content.meeting.id}`,
    status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    categories: content.categories.map((name) => ({ name: cleanText(name) })),
  });
  const text = foldLines(vevent.toString()).replace(PER_SCOPE_LINES, '');
  fragmentCalendar.clear();
  // Feeds put their own lines right after the UID line (see the publisher's assembly): it must come first.
  if (!text.startsWith(`BEGIN:VEVENT\r\nUID:${event.uid}\r\n`)) throw new Error(`unexpected VEVENT layout for ${event.uid}`);
  return text.endsWith('\r\n') ? text : `${text}\r\n`;
}

/** The TZID an event is written with, or null for UTC (no VTIMEZONE known, or an ambiguous wall time). */
export function eventTzid(content: Pick<EventContent, 'date' | 'startTime' | 'endTime' | 'timeZone'>): string | null {
  if (isAmbiguousLocally(content.date, content.startTime, content.timeZone)) return null;
  if (isAmbiguousLocally(content.date, content.endTime, content.timeZone)) return null;
  return feedTzid(content.timeZone);
}

export interface CalendarHeader {
  /** The feed's path, for SOURCE; null for feeds at a secret address. */
  path: string | null;
  name: string;
  description: string;
}

const vtimezones = new Map<string, string>();
/** A zone's VTIMEZONE block (CRLF lines), as ical-generator would write it. */
export function vtimezone(tzid: string): string {
  let block = vtimezones.get(tzid);
  if (block === undefined) {
    const s = getVtimezoneComponent(tzid);
    block = s ? `${s.replace(/\r\n/g, '\n').replace(/\n/g, '\r\n').trim()}\r\n` : '';
    vtimezones.set(tzid, block);
  }
  return block;
}

/**
 * What comes before and after a feed's events: the calendar's properties and the VTIMEZONEs its events use,
 * and the closing line. Stored fragments (see `renderFragment`, with the feed's SEQUENCE and change time
 * after each UID line) go between.
 */
export function calendarFrame(header: CalendarHeader, tzids: Iterable<string>, options: RenderOptions): [string, string] {
  const cal = ical({
    prodId: PRODID,
    method: ICalCalendarMethod.PUBLISH,
    scale: 'GREGORIAN',
    // ical-generator writes NAME, X-WR-CALNAME and X-WR-CALDESC verbatim: escape them here.
    name: escapeText(header.name),
    description: escapeText(header.description),
    source: header.path === null ? null : `${options.publicBaseUrl}${header.path}`,
    ttl: options.feedTtlMinutes * 60,
  });
  const head = cal.toString().replace(/END:VCALENDAR$/, '');
  const zones = [...new Set(tzids)].sort().map(vtimezone).join('');
  // RFC 5545: every content line ends in CRLF, the last one too.
  return [`${head}${zones}`, 'END:VCALENDAR\r\n'];
}
