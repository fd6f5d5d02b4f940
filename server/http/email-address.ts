// E-mail addresses as the API takes them: internationalised ones included (RFC 6531: `søren@kommune.dk`,
// `jens@ærø.dk`). zod's `unicodeEmail` pattern does the outline (one @, no blanks or quotes, a local part of
// at most 64 and a domain of at most 255 characters); the rules below refuse what it lets through but no
// mail system would deliver. Plain functions; the zod field is `email` in fields.ts.

/** Control, format (zero-width, bidi overrides), lone-surrogate and private-use characters. */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}]/u;
/** RFC 5322 specials, which an address may hold only inside quotes (and quoted local parts are not taken). */
const SPECIALS = /[()<>[\]:;,\\]/;
/** A domain label: letters (any script), marks, digits and inner hyphens, 1–63 characters. */
const LABEL = /^[\p{L}\p{M}\p{N}](?:[\p{L}\p{M}\p{N}-]{0,61}[\p{L}\p{M}\p{N}])?$/u;

/** Why `address` (already matching zod's unicodeEmail outline) is not a deliverable address, or null. */
export function emailAddressProblem(address: string): string | null {
  if (INVISIBLE.test(address)) return 'must not contain control or invisible characters';
  const at = address.lastIndexOf('@');
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (SPECIALS.test(local)) return 'the part before @ must not contain ( ) < > [ ] : ; , or \\';
  if (local.startsWith('.') || local.endsWith('.') || local.includes('..')) return 'the part before @ must not start or end with a dot or hold two dots in a row';
  const labels = domain.split('.');
  if (labels.length < 2) return 'the domain needs a dot, as in kommune.dk';
  if (!labels.every((l) => LABEL.test(l))) return 'the domain must be names of letters, digits and inner hyphens separated by single dots';
  if (/^\d+$/.test(labels.at(-1)!)) return 'the domain must end in a name, not a number';
  return null;
}
