// Dates on the self-service pages: an instant as wall time in a zone (the network's or meeting's), in the
// page's language. Never the process's TZ.
import type { Lang } from '../pages/i18n.js';
import { localInstant } from '../members/signup-window.js';

const formats = new Map<string, Intl.DateTimeFormat>();

export function formatInstant(at: Date, zone: string, lang: Lang): string {
  const key = `${lang}|${zone}`;
  let f = formats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(lang === 'da' ? 'da-DK' : 'en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: zone });
    formats.set(key, f);
  }
  return f.format(at);
}

/** A local wall time `YYYY-MM-DDTHH:MM` in a zone, as the page shows it. */
export const formatLocal = (local: string, zone: string, lang: Lang): string => formatInstant(localInstant(local, zone), zone, lang);
