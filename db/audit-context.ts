// Who is writing: the audit triggers (migrations/0003) call audit_actor() and audit_token_id(), which read
// the request's identity from an AsyncLocalStorage set per request. Writes outside a request (seed, CLI)
// are attributed to "system".
import { AsyncLocalStorage } from 'node:async_hooks';
import type Database from 'better-sqlite3';

export interface Actor {
  name: string;
  tokenId: string | null;
}

export const auditContext = new AsyncLocalStorage<Actor>();

export function registerAuditFunctions(sqlite: Database.Database): void {
  sqlite.function('audit_actor', { deterministic: false }, () => auditContext.getStore()?.name ?? 'system');
  sqlite.function('audit_token_id', { deterministic: false }, () => auditContext.getStore()?.tokenId ?? null);
}
