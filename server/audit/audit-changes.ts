// Turns the row images the audit triggers store into the changed fields, as plain functions.
const camel = (column: string) => column.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());

/** Bookkeeping columns that change on every write and say nothing by themselves (kept for deletions). */
const noise = new Set(['updated_at', 'version']);

export type Changes = Record<string, { before: unknown; after: unknown }>;

export function changedFields(before: string | null, after: string | null): Changes {
  const b = before ? (JSON.parse(before) as Record<string, unknown>) : {};
  const a = after ? (JSON.parse(after) as Record<string, unknown>) : {};
  const out: Changes = {};
  // A deletion keeps every column: its before-values are all that is left of the row.
  const deletion = before !== null && after === null;
  for (const column of new Set([...Object.keys(b), ...Object.keys(a)])) {
    if (noise.has(column) && !deletion) continue;
    const was = column in b ? b[column] : null;
    const now = column in a ? a[column] : null;
    if (before && after && JSON.stringify(was) === JSON.stringify(now)) continue;
    out[camel(column)] = { before: before ? was : null, after: after ? now : null };
  }
  return out;
}
