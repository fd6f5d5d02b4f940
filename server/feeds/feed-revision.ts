// A number that changes whenever the database may have changed, cheap enough to read on every feed
// request (~0.1 µs): SQLite's count of rows this connection has written, which every write of the
// service moves (whatever route or plugin made it), plus `data_version`, which moves when another process
// commits (read at most once a second: it costs ~1 µs, and only the token CLI writes from outside).
import type Database from 'better-sqlite3';

export type Revision = () => number;

export function revisionCounter(sqlite: Database.Database, clock: () => number = Date.now): Revision {
  const changes = sqlite.prepare('SELECT total_changes()').pluck();
  const version = sqlite.prepare('PRAGMA data_version').pluck();
  let lastChanges = -1;
  let lastVersion = -1;
  let versionReadAt = -Infinity;
  let revision = 0;
  return () => {
    const c = changes.get() as number;
    if (c !== lastChanges) {
      lastChanges = c;
      revision++;
    }
    const now = clock();
    if (now - versionReadAt >= 1000) {
      versionReadAt = now;
      const v = version.get() as number;
      if (v !== lastVersion) {
        lastVersion = v;
        revision++;
      }
    }
    return revision;
  };
}
