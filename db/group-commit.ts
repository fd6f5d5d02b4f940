// Group commit: writes that arrive together share one durable commit. A commit's cost is mostly the
// fsync, the same for one write as for twenty, so under load each write pays a share of it instead of a
// whole one. Every write still runs alone and in order inside the shared transaction (its own transactions
// nest there as savepoints), and nothing is acknowledged before the commit that holds it is on disk.
import type Database from 'better-sqlite3';

export interface Batched<T> {
  /** The work's own value (or error), once the batch that ran it has ended, committed or not. */
  value: Promise<T>;
  /** Resolves when the commit holding the work is durable; rejects with WriteNotSaved when it is not. */
  committed: Promise<void>;
}

export interface GroupCommit {
  /** Runs `work` in the next batch (within this turn of the event loop or the next one). */
  run<T>(work: () => T): Batched<T>;
}

/** The writes were not saved: the shared transaction failed to commit or was rolled back under them. */
export class WriteNotSaved extends Error {
  constructor(override readonly cause: unknown) {
    super(`the write was not saved: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };
type Settled = Outcome & { saved: boolean; lost?: WriteNotSaved };

interface Job {
  work: () => unknown;
  settle: (settled: Settled) => void;
}

export interface GroupCommitOptions {
  /** The most writes one commit holds (default 64); the rest wait for the next. */
  maxBatch?: number;
}

export function groupCommit(sqlite: Database.Database, options: GroupCommitOptions = {}): GroupCommit {
  const maxBatch = options.maxBatch ?? 64;
  const begin = sqlite.prepare('BEGIN IMMEDIATE');
  const commit = sqlite.prepare('COMMIT');
  const rollback = sqlite.prepare('ROLLBACK');
  let queue: Job[] = [];
  let scheduled = false;

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(flush);
  };

  /** Runs one write; a throw is the write's own answer (its transactions have rolled back already). */
  const attempt = (job: Job): Outcome => {
    try {
      return { ok: true, value: job.work() };
    } catch (error) {
      return { ok: false, error };
    }
  };

  function flush(): void {
    scheduled = false;
    const jobs = queue.length > maxBatch ? queue.splice(0, maxBatch) : queue;
    if (jobs === queue) queue = [];
    if (queue.length > 0) schedule();
    if (jobs.length === 0) return;
    // Someone else's transaction is open (it cannot be: everything here is synchronous) or the write lock
    // is held by another process past the busy timeout: each write then runs on its own, as without batching.
    let shared = !sqlite.inTransaction;
    if (shared) {
      try {
        begin.run();
      } catch {
        shared = false;
      }
    }
    if (!shared) {
      for (const job of jobs) job.settle({ ...attempt(job), saved: true });
      return;
    }
    const outcomes: Outcome[] = [];
    for (let i = 0; i < jobs.length; i++) {
      outcomes.push(attempt(jobs[i]!));
      if (!sqlite.inTransaction) {
        // SQLite rolled the whole transaction back (a full disk, an I/O error): these writes are gone and
        // their callers learn so; the writes not yet run go to the next batch.
        const last = outcomes[i]!;
        const lost = new WriteNotSaved(last.ok ? 'the transaction ended early' : last.error);
        for (let j = 0; j <= i; j++) jobs[j]!.settle({ ...outcomes[j]!, saved: false, lost });
        queue = [...jobs.slice(i + 1), ...queue];
        if (queue.length > 0) schedule();
        return;
      }
    }
    try {
      commit.run();
    } catch (error) {
      if (sqlite.inTransaction) rollback.run();
      const lost = new WriteNotSaved(error);
      jobs.forEach((job, i) => job.settle({ ...outcomes[i]!, saved: false, lost }));
      return;
    }
    jobs.forEach((job, i) => job.settle({ ...outcomes[i]!, saved: true }));
  }

  return {
    run<T>(work: () => T): Batched<T> {
      let settle!: Job['settle'];
      const outcome = new Promise<Settled>((resolve) => (settle = resolve));
      // Who is writing (the audit trail) is the caller's to set inside `work` (auditContext.run).
      queue.push({ work, settle });
      schedule();
      const committed = outcome.then((o) => {
        if (!o.saved) throw o.lost;
      });
      const value = outcome.then((o) => {
        if (!o.ok) throw o.error;
        return o.value as T;
      });
      // Callers often wait on one of the two only.
      committed.catch(() => undefined);
      value.catch(() => undefined);
      return { value, committed };
    },
  };
}
