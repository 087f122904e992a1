/** The shortest pause between two attempts at one message, whatever a receiver asks (ms). */
export const MIN_RETRY_MS = 1000;
/**
 * The longest pause a receiver's `Retry-After` may impose (ms). A misconfigured or
 * hostile platform must not silence the uplink for days; and Node's setTimeout fires
 * at once for anything over 2^31 - 1 ms, which would turn a huge value into a hot loop.
 */
export const MAX_RETRY_AFTER_MS = 3600_000;

/** A pause kept within [MIN_RETRY_MS, MAX_RETRY_AFTER_MS]; NaN counts as the minimum. */
export function clampRetryMs(ms: number): number {
  if (Number.isNaN(ms)) return MIN_RETRY_MS;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(MIN_RETRY_MS, Math.round(ms)));
}

/**
 * `Retry-After` (RFC 9110 §10.2.3): delay-seconds (`1*DIGIT`) or an HTTP-date, as a
 * pause in ms clamped to [MIN_RETRY_MS, MAX_RETRY_AFTER_MS]. Undefined when absent or
 * unreadable (then the caller's own backoff applies). A date in the past asks for no
 * pause and gets the minimum.
 */
export function retryAfterMs(header: string | string[] | undefined, now: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value || value.length > 64) return undefined;
  if (/^\d+$/.test(value)) return clampRetryMs(Number(value) * 1000);
  // An HTTP-date names a weekday and a GMT time (IMF-fixdate, or the obsolete RFC 850 and asctime forms);
  // insisting on letters keeps Date.parse's leniency from reading "1.5" or "-3" as a date.
  if (!/^[A-Za-z]{3}/.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : clampRetryMs(date - now);
}
