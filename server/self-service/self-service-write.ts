// How self-service writes run: in one IMMEDIATE transaction (the repositories' own transactions nest in it
// as savepoints), so a form either saves everything or nothing; attributed to `self-service` in the audit
// trail. The database runs with synchronous = FULL (db/client.ts) and nothing else holds a transaction open
// between turns of the event loop (the API's group commit runs its batch within one), so when this returns
// the commit is durable: the reply that follows acknowledges nothing a crash could take back.
import { auditContext, type Actor } from '../../db/audit-context.js';
import type { Db } from '../../db/client.js';

export const SELF_SERVICE: Actor = { name: 'self-service', tokenId: null };

export function selfServiceWrite<T>(db: Db, work: () => T): T {
  return auditContext.run(SELF_SERVICE, () => db.transaction(() => work(), { behavior: 'immediate' }));
}
