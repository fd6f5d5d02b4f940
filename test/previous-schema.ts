// A migrations folder with only the first `count` migrations, so a test can build a database with the schema
// of an earlier release, fill it as that release did, and then open it with today's code (which upgrades it).
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrationsFolder } from '../db/client.js';

export function previousMigrations(dir: string, count: number): string {
  const src = migrationsFolder();
  const out = join(dir, 'migrations');
  mkdirSync(join(out, 'meta'), { recursive: true });
  const journal = JSON.parse(readFileSync(join(src, 'meta/_journal.json'), 'utf8')) as { entries: { tag: string }[] };
  journal.entries = journal.entries.slice(0, count);
  writeFileSync(join(out, 'meta/_journal.json'), JSON.stringify(journal));
  for (const e of journal.entries) copyFileSync(join(src, `${e.tag}.sql`), join(out, `${e.tag}.sql`));
  return out;
}
