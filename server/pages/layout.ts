// The page frame every public page shares: document head, skip link, header with the language switch,
// main, footer. No inline scripts or styles (the CSP forbids them): one stylesheet, screen and print.
import { html, render, type Html } from './html.js';
import { withLang, type Lang } from './i18n.js';
import type { Messages } from './messages.da.js';

export interface LayoutInput {
  lang: Lang;
  m: Messages;
  title: string;
  /** The page's path without its query (the language switch links to it in the other language). */
  path: string;
  main: Html;
  /** The HTTP status the page is sent with (pages for errors); 200 when absent. */
  status?: number;
}

/** Written as an escape: the bundle stays ASCII (test/bundle.test.ts), and a title counts it as one character. */
const EN_DASH = '\u2013';
/** The same page in the other language. Danish is asked for explicitly, so Accept-Language cannot override it. */
const otherLanguageHref = (path: string, other: Lang) => (other === 'da' ? `${path}?lang=da` : withLang(path, other));

export function layout({ lang, m, title, path, main }: LayoutInput): string {
  const other: Lang = lang === 'da' ? 'en' : 'da';
  const doc = html`<!DOCTYPE html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} ${EN_DASH} ${m.siteName}</title>
<link rel="stylesheet" href="/assets/site.css">
</head>
<body>
<a class="skip-link" href="#main">${m.skipToContent}</a>
<header class="site-header">
<a class="site-name" href="${withLang('/', lang)}">${m.siteName}</a>
<a class="lang-switch" href="${otherLanguageHref(path, other)}" hreflang="${other}" lang="${other}">${m.languageSwitch.label}</a>
</header>
<main id="main" tabindex="-1">
${main}
</main>
<footer class="site-footer"><p>${m.footer}</p></footer>
</body>
</html>
`;
  return render(doc);
}
