// Who is writing: the audit triggers (migrations/0003) call audit_actor() and audit_token_id(), which read
// the identity of the write that is running now. Every write runs synchronously (an API write inside the
// group commit, the outbox worker's inside its own transactions), so "now" is a plain slot set around the
// write by `auditContext.run`, not an AsyncLocalStorage: that would turn on Node's async hooks for the
// whole process and tax every feed poll (about a third of a poll's cost on Node 20, bench/README).
// Writes outside `run` (seed, CLI, migrations) are attributed to "system".
import type Database from 'better-sqlite3';

export interface Actor {
  name: string;
  tokenId: string | null;
}

let current: Actor | undefined;

export const auditContext = {
  /** Runs the synchronous `fn` as `actor`, and puts back whoever was writing before. */
  run<T>(actor: Actor, fn: () => T): T {
    const before = current;
    current = actor;
    try {
      return fn();
    } finally {
      current = before;
    }
  },
  /** Who is writing now, if anyone said so. */
  current: (): Actor | undefined => current,
};

export function registerAuditFunctions(sqlite: Database.Database): void {
  sqlite.function('audit_actor', { deterministic: false }, () => current?.name ?? 'system');
  sqlite.function('audit_token_id', { deterministic: false }, () => current?.tokenId ?? null);
}
