// The one stylesheet of the public pages: screen (readable, AA contrast, visible focus) and print (a clean
// one-page A4 programme: no header, footer, subscribe buttons or links' chrome; the grid kept together).
export const SITE_CSS = `
:root { --ink: #1a1a1a; --muted: #4a4a4a; --line: #c8c8c8; --accent: #0b5394; --bg: #ffffff; --soft: #f2f5f9; --warn: #8a1c1c; }
* { box-sizing: border-box; }
html { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; line-height: 1.5; color: var(--ink); background: var(--bg); }
body { margin: 0; }
a { color: var(--accent); }
a:focus-visible, button:focus-visible, input:focus-visible, select:focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
.skip-link { position: absolute; left: 0.5rem; top: -3rem; background: var(--bg); padding: 0.5rem 1rem; border: 2px solid var(--accent); z-index: 10; }
.skip-link:focus { top: 0.5rem; }
.site-header { display: flex; flex-wrap: wrap; justify-content: space-between; align-items: center; gap: 1rem; padding: 0.75rem 1.25rem; border-bottom: 1px solid var(--line); background: var(--soft); }
.site-name { font-weight: 700; font-size: 1.15rem; text-decoration: none; color: var(--ink); }
main { display: block; max-width: 72rem; margin: 0 auto; padding: 1rem 1.25rem 2rem; }
main:focus { outline: none; }
.site-footer { border-top: 1px solid var(--line); padding: 1rem 1.25rem; color: var(--muted); font-size: 0.9rem; }
h1 { font-size: 1.8rem; line-height: 1.2; margin: 0.5rem 0 1rem; }
h2 { font-size: 1.35rem; margin: 1.75rem 0 0.75rem; }
h3 { font-size: 1.1rem; margin: 1rem 0 0.5rem; }
.muted { color: var(--muted); }
.visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0; }
.status { display: inline-block; padding: 0 0.4rem; border: 1px solid currentColor; border-radius: 0.25rem; font-size: 0.85rem; font-weight: 600; }
.status-cancelled { color: var(--warn); }
.cancelled-title { text-decoration: line-through; }
.notice { border-left: 4px solid var(--warn); padding: 0.5rem 1rem; background: #fbeeee; color: var(--warn); font-weight: 600; }
.cards { list-style: none; padding: 0; display: grid; gap: 1rem; grid-template-columns: repeat(auto-fill, minmax(18rem, 1fr)); }
.cards > li { border: 1px solid var(--line); border-radius: 0.4rem; padding: 1rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 0.25rem 1rem; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.meetings { list-style: none; padding: 0; }
.meetings > li { padding: 0.5rem 0; border-bottom: 1px solid var(--line); }
table.programme { width: 100%; border-collapse: collapse; margin: 0.5rem 0 1rem; table-layout: fixed; }
table.programme th, table.programme td { border: 1px solid var(--line); padding: 0.4rem 0.5rem; vertical-align: top; text-align: left; }
table.programme thead th { background: var(--soft); }
table.programme th.time { width: 7.5rem; white-space: nowrap; font-weight: 600; }
table.programme td.plenary { background: #f7f7f2; }
.item-title { font-weight: 600; display: block; }
.item-meta { font-size: 0.9rem; color: var(--muted); display: block; }
.subscribe { border: 1px solid var(--line); border-radius: 0.4rem; padding: 0.75rem 1rem; margin: 1rem 0; }
.subscribe h3 { margin-top: 0; font-size: 1rem; }
.subscribe ul { list-style: none; padding: 0; margin: 0.5rem 0 0; display: flex; flex-wrap: wrap; gap: 0.5rem; }
.subscribe a { display: inline-block; padding: 0.3rem 0.7rem; border: 1px solid var(--accent); border-radius: 0.3rem; text-decoration: none; }
.subscribe a:hover { background: var(--soft); }
.help { font-size: 0.9rem; color: var(--muted); }
.field { margin: 0 0 1rem; }
.field label { display: block; font-weight: 600; }
.field input, .field select { font: inherit; padding: 0.35rem; border: 1px solid #6b6b6b; border-radius: 0.2rem; min-width: 16rem; }
.hint { margin: 0; color: var(--muted); font-size: 0.9rem; }
.field-error { margin: 0; color: var(--warn); font-weight: 600; }
.has-error input, .has-error select { border: 2px solid var(--warn); }
.error-summary { border: 3px solid var(--warn); padding: 0.75rem 1rem; margin-bottom: 1rem; }
.changes { margin: 0; padding-left: 1.25rem; }

@media print {
  @page { size: A4; margin: 12mm; }
  html { font-size: 9.5pt; line-height: 1.3; }
  .site-header, .site-footer, .skip-link, .subscribe, .no-print { display: none !important; }
  main { max-width: none; padding: 0; }
  h1 { font-size: 15pt; margin: 0 0 4pt; }
  h2 { font-size: 11.5pt; margin: 8pt 0 4pt; }
  a { color: inherit; text-decoration: none; }
  dl.facts { gap: 0 8pt; margin: 0 0 4pt; }
  table.programme { page-break-inside: avoid; margin: 0; }
  table.programme th, table.programme td { padding: 2pt 4pt; border-color: #999; }
  .item-meta { font-size: 8pt; color: #333; }
  .notice { background: none; }
}
`;
