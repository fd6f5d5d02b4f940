// Renders a feed model as iCalendar text with ical-generator. Wall times are TZDate values in the event's
// zone (ical-generator would otherwise use the process's TZ), every TZID gets its VTIMEZONE, and DTSTAMP
// is the event's last change (not "now"), so the same data always gives the same bytes.
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { ICalCalendarMethod, ICalEventStatus } from 'ical-generator';
import { zonedInstant } from '../time/local-time.js';
import type { FeedModel } from './feed-scopes.js';
import { cleanText, escapeText, paramText } from './feed-text.js';

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

export function renderFeed(model: FeedModel, options: RenderOptions): string {
  const feedUrl = `${options.publicBaseUrl}${model.path}`;
  const cal = ical({
    prodId: { company: 'netagenda', product: 'feeds', language: 'DA' },
    method: ICalCalendarMethod.PUBLISH,
    scale: 'GREGORIAN',
    // ical-generator writes NAME, X-WR-CALNAME and X-WR-CALDESC verbatim: escape them here.
    name: escapeText(model.name),
    description: escapeText(model.description),
    source: feedUrl,
    ttl: options.feedTtlMinutes * 60,
  });
  // `name: null` keeps DTSTAMP, CREATED and LAST-MODIFIED in UTC; the generator still adds a VTIMEZONE
  // for the TZID of every event.
  cal.timezone({ name: null, generator: getVtimezoneComponent });

  for (const { row, content } of model.events) {
    const cancelled = row.cancelledAt !== null;
    const start = zonedInstant(content.date, content.startTime, content.timeZone);
    const end = zonedInstant(content.date, content.endTime, content.timeZone);
    const tzid = feedTzid(content.timeZone);
    cal.createEvent({
      id: row.uid,
      sequence: row.sequence,
      stamp: new Date(row.lastModified),
      created: new Date(row.createdAt),
      lastModified: new Date(row.lastModified),
      // A plain Date with no zone is written as UTC (`...Z`), the same instant.
      start: tzid ? start : new Date(start.getTime()),
      end: tzid ? end : new Date(end.getTime()),
      timezone: tzid,
      summary: (cancelled ? CANCELLED_PREFIX : '') + cleanText(content.title),
      description: cleanText(content.description),
      location: { title: cleanText(content.location), ...(content.geo ? { geo: content.geo } : {}) },
      organizer: { name: paramText(content.organizer.name) || 'netagenda', email: organizerEmail(content.organizer.email, options.publicBaseUrl) },
      url: `${options.publicBaseUrl}/api/v1/meetings/${content.meeting.id}/agenda`,
      status: cancelled ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
      categories: content.categories.map((name) => ({ name: cleanText(name) })),
    });
  }
  // RFC 5545: every content line ends in CRLF, the last one too (ical-generator stops after END:VCALENDAR).
  return calendarPropertiesFirst(`${cal.toString()}\r\n`);
}

const TTL_LINES = /^REFRESH-INTERVAL;VALUE=DURATION:[^\r\n]*\r\nX-PUBLISHED-TTL:[^\r\n]*\r\n/m;

/**
 * ical-generator writes REFRESH-INTERVAL and X-PUBLISHED-TTL after the VTIMEZONEs, but RFC 5545 3.6 puts
 * every calendar property before the first component (strict parsers reject the feed otherwise): move
 * them up. User text cannot fake these lines: its line breaks are escaped.
 */
export function calendarPropertiesFirst(text: string): string {
  const ttl = TTL_LINES.exec(text);
  if (!ttl) return text;
  const rest = text.slice(0, ttl.index) + text.slice(ttl.index + ttl[0].length);
  let at = rest.indexOf('\r\nBEGIN:', 'BEGIN:VCALENDAR'.length);
  if (at < 0) at = rest.lastIndexOf('\r\nEND:VCALENDAR'); // an empty feed: no component at all
  return rest.slice(0, at + 2) + ttl[0] + rest.slice(at + 2);
}
