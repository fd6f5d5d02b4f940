// When a failed delivery is tried again: after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h (the Standard
// Webhooks schedule, stretched): 8 attempts over 27 h 35 min, then the delivery has failed for good.
export const DEFAULT_RETRY_DELAYS_MS: readonly number[] = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000];

/** The wait before the next attempt after `attempts` attempts failed, or null when none is left. */
export function retryDelay(attempts: number, delays: readonly number[] = DEFAULT_RETRY_DELAYS_MS): number | null {
  return attempts >= 1 && attempts <= delays.length ? delays[attempts - 1]! : null;
}

/** How long the schedule keeps trying after the first attempt. */
export const retryWindowMs = (delays: readonly number[] = DEFAULT_RETRY_DELAYS_MS): number => delays.reduce((a, b) => a + b, 0);
