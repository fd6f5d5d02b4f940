// Prints the SQL of the audit triggers for the tables in db/schema.ts. Used once to write
// migrations/0003_audit_triggers.sql (migrations never change after they land: a new table gets its
// triggers in a new migration, printed with `node --import tsx scripts/gen-audit-triggers.ts TABLE…`).
// Migration 0009 re-created the meetings, tracks and release-deletion triggers with it and added BEFORE DELETE
// triggers (written by hand there) that delete a meeting's and an item's rows before their parent, so the
// audit rows of those cascaded rows still find their network.
import { getTableConfig, type SQLiteTable } from 'drizzle-orm/sqlite-core';
import * as s from '../db/schema.js';

interface Audited {
  table: SQLiteTable;
  entity: string;
  id: (row: string) => string;
  network: (row: string) => string;
  exclude?: string[];
  /** Excluded JSON columns a deletion records after all (as JSON): all that is left of the row. */
  keepOnDelete?: string[];
}

const viaMeeting = (row: string) => `(SELECT network_slug FROM meetings WHERE id = ${row}.meeting_id)`;
const viaItem = (row: string) =>
  `(SELECT m.network_slug FROM agenda_items i JOIN meetings m ON m.id = i.meeting_id WHERE i.id = ${row}.item_id)`;

const audited: Audited[] = [
  { table: s.networks, entity: 'network', id: (r) => `${r}.slug`, network: (r) => `${r}.slug` },
  { table: s.venues, entity: 'venue', id: (r) => `${r}.id`, network: (r) => `${r}.network_slug` },
  { table: s.meetings, entity: 'meeting', id: (r) => `${r}.id`, network: (r) => `${r}.network_slug` },
  { table: s.tracks, entity: 'track', id: (r) => `${r}.id`, network: viaMeeting },
  { table: s.themes, entity: 'theme', id: (r) => `${r}.id`, network: (r) => `${r}.network_slug` },
  { table: s.speakers, entity: 'speaker', id: (r) => `${r}.id`, network: (r) => `${r}.network_slug` },
  { table: s.agendaItems, entity: 'item', id: (r) => `${r}.id`, network: viaMeeting },
  { table: s.itemThemes, entity: 'item-theme', id: (r) => `${r}.item_id || '/' || ${r}.theme_id`, network: viaItem },
  { table: s.itemSpeakers, entity: 'item-speaker', id: (r) => `${r}.item_id || '/' || ${r}.speaker_id`, network: viaItem },
  { table: s.releases, entity: 'release', id: (r) => `${r}.id`, network: viaMeeting, exclude: ['snapshot', 'changelog'], keepOnDelete: ['snapshot', 'changelog'] },
  { table: s.apiTokens, entity: 'token', id: (r) => `${r}.id`, network: () => 'NULL', exclude: ['token_hash', 'last_used_at'] },
  { table: s.tokenNetworks, entity: 'token-network', id: (r) => `${r}.token_id || '/' || ${r}.network_slug`, network: (r) => `${r}.network_slug` },
  // Personal data (names, emails) stays out of the trail, so erasing a person erases them everywhere.
  { table: s.clusters, entity: 'cluster', id: (r) => `${r}.id`, network: (r) => `${r}.network_slug` },
  { table: s.members, entity: 'member', id: (r) => `${r}.id`, network: (r) => `${r}.network_slug`, exclude: ['contact_name', 'contact_email', 'contact_role'] },
  { table: s.participants, entity: 'participant', id: (r) => `${r}.id`, network: (r) => `${r}.network_slug`, exclude: ['name', 'email', 'role', 'feed_token_hash'] },
  { table: s.registrations, entity: 'registration', id: (r) => `${r}.id`, network: viaMeeting },
  { table: s.themeProposals, entity: 'proposal', id: (r) => `${r}.id`, network: (r) => `${r}.network_slug` },
  // The signing secret and the running failure count stay out: disabling (by a person or after failures) is audited.
  { table: s.webhookEndpoints, entity: 'webhook', id: (r) => `${r}.id`, network: (r) => `${r}.network_slug`, exclude: ['secret', 'failures'] },
  { table: s.proposalVotes, entity: 'vote', id: (r) => `${r}.proposal_id || '/' || ${r}.participant_id`, network: (r) => `(SELECT network_slug FROM theme_proposals WHERE id = ${r}.proposal_id)` },
];

const only = process.argv.slice(2);
const out: string[] = [];
for (const a of audited) {
  const cfg = getTableConfig(a.table);
  if (only.length > 0 && !only.includes(cfg.name)) continue;
  const cols = cfg.columns.map((c) => c.name).filter((c) => !(a.exclude ?? []).includes(c));
  const json = (row: string, extra: string[] = []) =>
    `json_object(${[...cols.map((c) => `'${c}', ${row}.${c}`), ...extra.map((c) => `'${c}', json(${row}.${c})`)].join(', ')})`;
  const insert = (action: string, row: string, before: string, after: string) =>
    `INSERT INTO audit_log (at, actor, token_id, action, entity, entity_id, network_slug, before, after) ` +
    `VALUES (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), audit_actor(), audit_token_id(), '${action}', '${a.entity}', ${a.id(row)}, ${a.network(row)}, ${before}, ${after});`;
  out.push(`CREATE TRIGGER audit_${cfg.name}_insert AFTER INSERT ON ${cfg.name} BEGIN ${insert('create', 'NEW', 'NULL', json('NEW'))} END;`);
  out.push(
    `CREATE TRIGGER audit_${cfg.name}_update AFTER UPDATE ON ${cfg.name} WHEN ${json('OLD')} IS NOT ${json('NEW')} BEGIN ${insert('update', 'NEW', json('OLD'), json('NEW'))} END;`,
  );
  out.push(`CREATE TRIGGER audit_${cfg.name}_delete AFTER DELETE ON ${cfg.name} BEGIN ${insert('delete', 'OLD', json('OLD', a.keepOnDelete), 'NULL')} END;`);
}
process.stdout.write(out.join('\n--> statement-breakpoint\n') + '\n');
