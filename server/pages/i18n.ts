// Which language a page is in: `?lang=` wins, then the best of da/en in Accept-Language, else Danish.
import { da, type Messages } from './messages.da.js';
import { en } from './messages.en.js';

export const LANGS = ['da', 'en'] as const;
export type Lang = (typeof LANGS)[number];

const isLang = (s: string): s is Lang => (LANGS as readonly string[]).includes(s);

/** The best of da/en in an Accept-Language header (RFC 9110 12.5.4: highest q, then order), or undefined. */
function fromAcceptLanguage(header: string): Lang | undefined {
  let best: { lang: Lang; q: number } | undefined;
  for (const part of header.split(',')) {
    const [tag, ...params] = part.trim().split(';');
    const primary = tag!.trim().toLowerCase().split('-')[0]!;
    const qParam = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qParam ? Number(qParam.slice(2)) : 1;
    if (!isLang(primary) || !(q > 0)) continue;
    if (!best || q > best.q) best = { lang: primary, q };
  }
  return best?.lang;
}

export function pickLang(query: string | undefined, acceptLanguage: string | undefined): Lang {
  if (query !== undefined && isLang(query)) return query;
  if (acceptLanguage) return fromAcceptLanguage(acceptLanguage) ?? 'da';
  return 'da';
}

export const messagesFor = (lang: Lang): Messages => (lang === 'en' ? en : da);

/** A path in a language: `?lang=en` added for English (Danish is the default, so it needs nothing). */
export function withLang(path: string, lang: Lang): string {
  if (lang === 'da') return path;
  return `${path}${path.includes('?') ? '&' : '?'}lang=${lang}`;
}
