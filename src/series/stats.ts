/** Small statistics for reports. Pure. */

export function mean(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/**
 * Nearest-rank percentile (p in 0–100): the smallest value with at least p% of
 * the values at or below it. It is always one of the values, which is what a
 * report reader expects ("90% were acknowledged within 42 s").
 */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1]!;
}

/** Rounded for display (report JSON): one decimal by default. */
export function round(value: number | null, digits = 1): number | null {
  if (value === null) return null;
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/**
 * Seconds a device spent offline within [from, to), from whether it was
 * online at `from` and its transitions in the range (any order).
 * `startOnline` undefined (never heard of) counts as online: the hub only
 * calls a device offline when it has a reason to.
 */
export function offlineMs(
  startOnline: boolean | undefined,
  transitions: readonly { readonly at: number; readonly online: boolean }[],
  from: number,
  to: number,
): number {
  let online = startOnline !== false;
  let since = from;
  let total = 0;
  for (const t of [...transitions].sort((a, b) => a.at - b.at)) {
    if (t.at < from || t.at >= to) continue;
    if (!online && t.online) total += t.at - since;
    if (online && !t.online) since = t.at;
    online = t.online;
  }
  if (!online) total += to - since;
  return total;
}
