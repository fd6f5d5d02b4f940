// `npm run token -- create --role admin --name NAME [--network SLUG]… [--expires 2027-01-01]`: prints the raw token last.
// `npm run token -- list` and `npm run token -- revoke ID`. Honours DATABASE_PATH.
import { parseArgs } from 'node:util';
import { eq } from 'drizzle-orm';
import { closeDatabase, openDatabase } from '../../db/client.js';
import { apiTokens, networks, tokenNetworks, tokenRoles, type TokenRole } from '../../db/schema.js';
import { loadConfig } from '../config.js';
import { nowIso } from '../http/ids.js';
import { createToken } from '../auth/tokens.js';

function fail(message: string): never {
  process.stderr.write(`${message}\nusage: npm run token -- create --role admin|coordinator|reader --name NAME [--network SLUG]… [--expires ISO-DATE]\n       npm run token -- list\n       npm run token -- revoke TOKEN_ID\n`);
  process.exit(2);
}

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: { role: { type: 'string' }, name: { type: 'string' }, expires: { type: 'string' }, network: { type: 'string', multiple: true } },
});

const config = loadConfig();
const db = openDatabase(config.databasePath);
try {
  const [command, arg] = positionals;
  if (command === 'create') {
    const role = values.role as TokenRole | undefined;
    if (!role || !tokenRoles.includes(role)) fail(`--role must be one of ${tokenRoles.join(', ')}`);
    const name = values.name?.trim();
    if (!name) fail('--name is required');
    let expiresAt: string | null = null;
    if (values.expires) {
      const t = Date.parse(values.expires);
      if (Number.isNaN(t)) fail('--expires must be a date or ISO timestamp');
      expiresAt = new Date(t).toISOString();
    }
    const scope = values.network ?? [];
    if (role === 'admin' && scope.length > 0) fail('admin tokens act in every network: give no --network');
    for (const slug of scope) {
      if (!db.select().from(networks).where(eq(networks.slug, slug)).get()) fail(`no network '${slug}'`);
    }
    const { token, raw } = createToken(db, { name, role, expiresAt });
    for (const slug of new Set(scope)) db.insert(tokenNetworks).values({ tokenId: token.id, networkSlug: slug }).run();
    process.stdout.write(`created ${token.role} token '${token.name}' (${token.id}) in ${config.databasePath}\n`);
    process.stdout.write(`${raw}\n`);
  } else if (command === 'list') {
    for (const t of db.select().from(apiTokens).all()) {
      process.stdout.write(`${t.id}\t${t.role}\t${t.name}\t${t.revokedAt ? 'revoked' : 'active'}\t${t.expiresAt ?? ''}\n`);
    }
  } else if (command === 'revoke' && arg) {
    const r = db.update(apiTokens).set({ revokedAt: nowIso() }).where(eq(apiTokens.id, arg)).run();
    if (r.changes === 0) fail(`no token ${arg}`);
    process.stdout.write(`revoked ${arg}\n`);
  } else {
    fail('unknown command');
  }
} finally {
  closeDatabase(db);
}
