// Dates and times as the pages show them: Danish formats for da ("torsdag den 16. januar 2020", "10.00"),
// English for en. Local wall dates and times are shown as stored (they are the meeting's/network's local
// time); instants are shown in the zone they belong to. Never the process's zone.
import type { Lang } from './i18n.js';

const LOCALE: Record<Lang, string> = { da: 'da-DK', en: 'en-GB' };
const formats = new Map<string, Intl.DateTimeFormat>();
function format(lang: Lang, zone: string, opts: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = `${lang}|${zone}|${JSON.stringify(opts)}`;
  let f = formats.get(key);
  if (!f) formats.set(key, (f = new Intl.DateTimeFormat(LOCALE[lang], { ...opts, timeZone: zone })));
  return f;
}

/** A wall date `YYYY-MM-DD` in words: "torsdag den 16. januar 2020" / "Thursday 16 January 2020". */
export function longDate(date: string, lang: Lang): string {
  const d = new Date(`${date}T12:00:00Z`);
  const text = format(lang, 'UTC', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(d);
  if (lang === 'da') {
    // Intl gives "torsdag den 16. januar 2020" in newer ICU and "torsdag 16. januar 2020" in older: one form.
    return text.replace(/^(\p{L}+),? (?:den )?/u, '$1 den ');
  }
  return text.replace(',', '');
}

/** A wall date without the weekday: "16. januar 2020" / "16 January 2020". */
export function shortDate(date: string, lang: Lang): string {
  return format(lang, 'UTC', { day: 'numeric', month: 'long', year: 'numeric' }).format(new Date(`${date}T12:00:00Z`));
}

/** A wall time `HH:MM`: "10.00" in Danish, "10:00" in English. */
export const wallTime = (time: string, lang: Lang): string => (lang === 'da' ? time.replace(':', '.') : time);

/** A local `YYYY-MM-DDTHH:MM` in words: "16. januar 2020 kl. 12.00" / "16 January 2020 at 12:00". */
export function localDateTime(local: string, lang: Lang): string {
  const date = shortDate(local.slice(0, 10), lang);
  const time = wallTime(local.slice(11, 16), lang);
  return lang === 'da' ? `${date} kl. ${time}` : `${date} at ${time}`;
}

/** An instant (ISO) as a date and time in a zone. */
export function instantIn(iso: string, zone: string, lang: Lang): string {
  const parts = format(lang, zone, { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(
    new Date(iso),
  );
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return localDateTime(`${get('year')}-${get('month')}-${get('day')}T${get('hour')}:${get('minute')}`, lang);
}
