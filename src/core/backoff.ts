/**
 * The one backoff: attempt 1 waits `firstMs`, each further attempt twice as
 * long, never more than `maxMs`. With `random`, the wait is jittered into
 * [½, 1] of the step so that many peers recovering together (hubs knocking on
 * the county platform, consoles on a restarted hub) do not knock in step.
 * Callers keep the attempt count and set it back to 0 on success.
 */
export interface BackoffPolicy {
  readonly firstMs: number;
  readonly maxMs: number;
  readonly random?: (() => number) | undefined;
}

export function backoffMs(attempt: number, policy: BackoffPolicy): number {
  // The exponent is capped: 2 ** 1100 is Infinity, and Infinity * 0 would be NaN.
  const step = Math.min(policy.maxMs, policy.firstMs * 2 ** Math.min(60, Math.max(0, attempt - 1)));
  return policy.random ? Math.round(step * (0.5 + policy.random() / 2)) : step;
}
