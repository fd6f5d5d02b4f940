// The outbox worker, in the server process: fans each new outbox message out into deliveries (one per
// subscribed webhook endpoint and per participant to e-mail), then claims due deliveries and delivers them
// outside any request. Every step is its own short synchronous transaction; the sending itself is async.
//
// Restart-safe: a delivery is claimed (claimed_at_ms) before its attempt and settled after it. A crash in
// between leaves the claim, and the next start puts such deliveries back first thing: they are sent again
// with the same id (webhook-id, Message-ID), the only case in which a recipient can see a message twice,
// and one they recognise by that id. A delivered (or given-up) delivery is never sent again on its own.
import type { FastifyBaseLogger } from 'fastify';
import type { Db } from '../../db/client.js';
import type { OutboxDeliveryRow, OutboxMessageRow } from '../../db/schema.js';
import { auditContext } from '../../db/audit-context.js';
import { newId } from '../http/ids.js';
import { DEFAULT_RETRY_DELAYS_MS, retryDelay } from './backoff.js';
import { CHANGE_TYPES, RECEIPT_TYPES, type EventType } from './outbox-events.js';

export type Outcome =
  | { ok: true; status?: number }
  | { ok: false; status?: number; error: string; permanent?: boolean }
  | { skip: string }
  /** Not yet (e.g. the feeds are still being published): try again after `ms`, without counting an attempt. */
  | { later: number };

export interface Channel {
  deliver(message: OutboxMessageRow, delivery: OutboxDeliveryRow, signal: AbortSignal): Promise<Outcome>;
}

export interface OutboxWorkerOptions {
  clock?: () => number;
  /** Waits between attempts (see backoff.ts). */
  retryDelaysMs?: readonly number[];
  /** How often due deliveries are looked for when nothing wakes the worker. */
  pollMs?: number;
  concurrency?: number;
  /** Endpoints whose deliveries failed for good this many times in a row are disabled. */
  disableAfter?: number;
  /** Whether e-mail deliveries are made (SMTP configured). */
  email: boolean;
  channels: { webhook: Channel; email?: Channel };
}

const WORKER_ACTOR = { name: 'outbox-worker', tokenId: null };

export function outboxWorker(db: Db, log: FastifyBaseLogger, options: OutboxWorkerOptions) {
  const sqlite = db.$client;
  const clock = options.clock ?? Date.now;
  const delays = options.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const concurrency = options.concurrency ?? 4;
  const disableAfter = options.disableAfter ?? 3;
  const iso = () => new Date(clock()).toISOString();

  const q = {
    unfanned: sqlite.prepare('SELECT * FROM outbox_messages WHERE fanned_out_at IS NULL ORDER BY created_at, id LIMIT 100'),
    endpoints: sqlite.prepare("SELECT id, events FROM webhook_endpoints WHERE network_slug = ? AND status = 'active'"),
    insertDelivery: sqlite.prepare(
      'INSERT OR IGNORE INTO outbox_deliveries (id, message_id, channel, target, status, attempts, next_attempt_at_ms, created_at) VALUES (?, ?, ?, ?, ?, 0, ?, ?)',
    ),
    fanned: sqlite.prepare('UPDATE outbox_messages SET fanned_out_at = ? WHERE id = ?'),
    due: sqlite.prepare(
      "SELECT * FROM outbox_deliveries WHERE status = 'pending' AND claimed_at_ms IS NULL AND next_attempt_at_ms <= ? ORDER BY next_attempt_at_ms, id LIMIT ?",
    ),
    claim: sqlite.prepare('UPDATE outbox_deliveries SET claimed_at_ms = ?, attempts = attempts + 1, last_attempt_at = ? WHERE id = ?'),
    message: sqlite.prepare('SELECT * FROM outbox_messages WHERE id = ?'),
    delivered: sqlite.prepare(
      "UPDATE outbox_deliveries SET status = 'delivered', claimed_at_ms = NULL, delivered_at = ?, last_status = ?, last_error = NULL WHERE id = ?",
    ),
    skipped: sqlite.prepare("UPDATE outbox_deliveries SET status = 'skipped', claimed_at_ms = NULL, last_error = ? WHERE id = ?"),
    later: sqlite.prepare('UPDATE outbox_deliveries SET claimed_at_ms = NULL, attempts = attempts - 1, next_attempt_at_ms = ? WHERE id = ?'),
    retry: sqlite.prepare('UPDATE outbox_deliveries SET claimed_at_ms = NULL, next_attempt_at_ms = ?, last_status = ?, last_error = ? WHERE id = ?'),
    failed: sqlite.prepare("UPDATE outbox_deliveries SET status = 'failed', claimed_at_ms = NULL, last_status = ?, last_error = ? WHERE id = ?"),
    endpointOk: sqlite.prepare('UPDATE webhook_endpoints SET failures = 0 WHERE id = ? AND failures <> 0'),
    endpointFailed: sqlite.prepare('UPDATE webhook_endpoints SET failures = failures + 1 WHERE id = ? RETURNING failures, status'),
    disable: sqlite.prepare(
      "UPDATE webhook_endpoints SET status = 'disabled', disabled_at = ?, disabled_reason = ?, updated_at = ?, version = version + 1 WHERE id = ? AND status = 'active'",
    ),
    failPending: sqlite.prepare(
      "UPDATE outbox_deliveries SET status = 'failed', last_error = 'endpoint disabled' WHERE channel = 'webhook' AND target = ? AND status = 'pending' AND claimed_at_ms IS NULL",
    ),
    recoverClaims: sqlite.prepare('UPDATE outbox_deliveries SET claimed_at_ms = NULL, next_attempt_at_ms = ? WHERE claimed_at_ms IS NOT NULL'),
  };
  const immediate = <T>(fn: () => T): T => auditContext.run(WORKER_ACTOR, () => sqlite.transaction(fn).immediate());

  /** Creates the deliveries of new messages; returns how many messages it handled. */
  function fanOut(): number {
    return immediate(() => {
      const messages = q.unfanned.all() as Record<string, unknown>[];
      const now = clock();
      const stamp = iso();
      for (const raw of messages) {
        const id = raw.id as string;
        const type = raw.type as EventType;
        for (const e of q.endpoints.all(raw.network_slug) as { id: string; events: string }[]) {
          if ((JSON.parse(e.events) as string[]).includes(type)) q.insertDelivery.run(newId('dlv'), id, 'webhook', e.id, 'pending', now, stamp);
        }
        if (options.email && (RECEIPT_TYPES.has(type) || CHANGE_TYPES.has(type))) {
          for (const pid of JSON.parse(raw.recipients as string) as string[]) q.insertDelivery.run(newId('dlv'), id, 'email', pid, 'pending', now, stamp);
        }
        q.fanned.run(stamp, id);
      }
      return messages.length;
    });
  }

  const toDelivery = (r: Record<string, unknown>): OutboxDeliveryRow => ({
    id: r.id as string,
    messageId: r.message_id as string,
    channel: r.channel as OutboxDeliveryRow['channel'],
    target: r.target as string,
    status: r.status as OutboxDeliveryRow['status'],
    attempts: r.attempts as number,
    nextAttemptAtMs: r.next_attempt_at_ms as number,
    claimedAtMs: r.claimed_at_ms as number | null,
    lastAttemptAt: r.last_attempt_at as string | null,
    lastStatus: r.last_status as number | null,
    lastError: r.last_error as string | null,
    deliveredAt: r.delivered_at as string | null,
    createdAt: r.created_at as string,
  });
  const toMessage = (r: Record<string, unknown>): OutboxMessageRow => ({
    id: r.id as string,
    networkSlug: r.network_slug as string,
    type: r.type as OutboxMessageRow['type'],
    payload: r.payload as string,
    recipients: r.recipients as string,
    createdAt: r.created_at as string,
    fannedOutAt: r.fanned_out_at as string | null,
  });

  function claim(max: number): OutboxDeliveryRow[] {
    if (max <= 0) return [];
    return immediate(() => {
      const now = clock();
      const rows = (q.due.all(now, max) as Record<string, unknown>[]).map(toDelivery);
      for (const r of rows) q.claim.run(now, iso(), r.id);
      return rows.map((r) => ({ ...r, attempts: r.attempts + 1, claimedAtMs: now }));
    });
  }

  function settle(d: OutboxDeliveryRow, outcome: Outcome): void {
    immediate(() => {
      if ('later' in outcome) {
        q.later.run(clock() + outcome.later, d.id);
      } else if ('skip' in outcome) {
        q.skipped.run(outcome.skip, d.id);
      } else if (outcome.ok) {
        q.delivered.run(iso(), outcome.status ?? null, d.id);
        if (d.channel === 'webhook') q.endpointOk.run(d.target);
      } else {
        const wait = outcome.permanent ? null : retryDelay(d.attempts, delays);
        if (wait !== null) {
          q.retry.run(clock() + wait, outcome.status ?? null, outcome.error, d.id);
          return;
        }
        q.failed.run(outcome.status ?? null, outcome.error, d.id);
        if (d.channel !== 'webhook' || outcome.permanent) return;
        const endpoint = q.endpointFailed.get(d.target) as { failures: number; status: string } | undefined;
        if (endpoint && endpoint.status === 'active' && endpoint.failures >= disableAfter) {
          const reason = `${endpoint.failures} deliveries in a row failed after every retry; last: ${outcome.error}`;
          q.disable.run(iso(), reason, iso(), d.target);
          q.failPending.run(d.target);
          log.warn({ webhook: d.target }, 'webhook endpoint disabled after repeated failure');
        }
      }
    });
  }

  const inflight = new Map<string, { promise: Promise<void>; abort: AbortController }>();
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let scheduled = false;

  async function attempt(d: OutboxDeliveryRow): Promise<void> {
    const abort = new AbortController();
    const work = (async () => {
      let outcome: Outcome;
      try {
        const raw = q.message.get(d.messageId) as Record<string, unknown> | undefined;
        const channel = d.channel === 'webhook' ? options.channels.webhook : options.channels.email;
        if (!raw) outcome = { skip: 'message gone' };
        else if (!channel) outcome = { skip: 'e-mail is not configured' };
        else outcome = await channel.deliver(toMessage(raw), d, abort.signal);
      } catch (err) {
        outcome = { ok: false, error: err instanceof Error ? err.message.slice(0, 300) : String(err) };
      }
      // Stopped mid-attempt (shutdown): the claim stays, and the next start sends it again.
      if (abort.signal.aborted) return;
      try {
        settle(d, outcome);
      } catch (err) {
        log.error({ err, delivery: d.id }, 'outbox: could not record a delivery attempt');
      }
    })();
    inflight.set(d.id, { promise: work, abort });
    await work;
    inflight.delete(d.id);
    wake();
  }

  /** One round: fan out, then start as many due deliveries as there is room for. */
  function tick(): void {
    scheduled = false;
    if (stopped) return;
    try {
      while (fanOut() > 0);
      for (const d of claim(concurrency - inflight.size)) void attempt(d);
    } catch (err) {
      log.error({ err }, 'outbox worker round failed');
    }
  }

  function wake(): void {
    if (stopped || scheduled) return;
    scheduled = true;
    setImmediate(tick);
  }

  return {
    /** Puts back the attempts a crash cut off, then starts delivering. */
    start(): void {
      if (!stopped) return;
      immediate(() => q.recoverClaims.run(clock()));
      stopped = false;
      timer = setInterval(wake, options.pollMs ?? 1_000);
      timer.unref();
      wake();
    },
    /** Something was written: look at the outbox soon. */
    wake,
    /**
     * Stops: no new attempts; attempts under way may finish for `graceMs`, then are cut off and left claimed
     * (sent again, with the same id, at the next start).
     */
    async stop(graceMs = 2_000): Promise<void> {
      stopped = true;
      if (timer) clearInterval(timer);
      const running = () => Promise.allSettled([...inflight.values()].map((f) => f.promise));
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([running(), new Promise((ok) => (grace = setTimeout(ok, graceMs)))]);
      clearTimeout(grace);
      for (const { abort } of inflight.values()) abort.abort();
      await running();
    },
    /** For tests: attempts under way now. */
    busy: (): number => inflight.size,
  };
}

export type OutboxWorker = ReturnType<typeof outboxWorker>;
