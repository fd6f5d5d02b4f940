// Runs the feed publisher: right after each write (within a budget, so a write is acknowledged once its
// feeds are published), the rest in the background in small slices, and once a minute for feeds whose
// cancelled events drop out after their 30 days.
import type { FastifyBaseLogger } from 'fastify';
import type { FeedPublisher } from './feed-publisher.js';

/** How long a write's own request may spend publishing before the rest moves to the background. */
export const WRITE_BUDGET_MS = 250;
const SLICE_MS = 50;
const EXPIRY_EVERY_MS = 60_000;

export function feedDrainer(publisher: FeedPublisher, log: FastifyBaseLogger, { writeBudgetMs = WRITE_BUDGET_MS } = {}) {
  let scheduled: NodeJS.Immediate | undefined;
  const safely = (fn: () => boolean): boolean => {
    try {
      return fn();
    } catch (err) {
      // The entry stays queued: the next round tries again.
      log.error({ err }, 'feed publication failed');
      return false;
    }
  };
  const slice = () => {
    scheduled = undefined;
    if (safely(() => publisher.drain(SLICE_MS))) scheduled = setImmediate(slice);
  };
  /** Publishes what is queued in background slices. */
  const drainSoon = (): void => {
    if (!scheduled && safely(() => publisher.pending())) scheduled = setImmediate(slice);
  };
  const timer = setInterval(() => {
    safely(() => publisher.queueExpired() > 0);
    drainSoon();
  }, EXPIRY_EVERY_MS);
  timer.unref();
  return {
    /** Publishes what is queued, up to the write budget; schedules the rest. */
    drainNow(): void {
      if (safely(() => publisher.drain(writeBudgetMs)) && !scheduled) scheduled = setImmediate(slice);
    },
    drainSoon,
    stop(): void {
      clearInterval(timer);
      if (scheduled) clearImmediate(scheduled);
      scheduled = undefined;
    },
  };
}
