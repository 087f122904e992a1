import { describe, expect, it } from 'vitest';
import { MAX_RETRY_AFTER_MS, MIN_RETRY_MS, clampRetryMs, retryAfterMs } from '../../src/uplink/backoff.ts';

const NOW = Date.parse('2026-03-01T08:00:00Z');

describe('Retry-After (RFC 9110 §10.2.3), clamped', () => {
  it('reads delay-seconds', () => {
    expect(retryAfterMs('120', NOW)).toBe(120_000);
    expect(retryAfterMs(' 5 ', NOW)).toBe(5000);
    expect(retryAfterMs(['30', '99'], NOW)).toBe(30_000);
  });

  it('reads an HTTP-date, relative to now', () => {
    expect(retryAfterMs('Sun, 01 Mar 2026 08:02:00 GMT', NOW)).toBe(120_000);
    expect(retryAfterMs('Sunday, 01-Mar-26 08:00:30 GMT', NOW)).toBe(30_000); // obsolete RFC 850 form
  });

  it('never asks for less than the backoff minimum', () => {
    expect(retryAfterMs('0', NOW)).toBe(MIN_RETRY_MS);
    expect(retryAfterMs('Sun, 01 Mar 2026 07:00:00 GMT', NOW)).toBe(MIN_RETRY_MS); // a date in the past
  });

  it('caps huge values at an hour (over 2^31 ms Node would fire at once)', () => {
    expect(retryAfterMs('99999999999', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs('9'.repeat(40), NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(retryAfterMs('Fri, 31 Dec 9999 23:59:59 GMT', NOW)).toBe(MAX_RETRY_AFTER_MS);
    expect(MAX_RETRY_AFTER_MS).toBe(3600_000);
  });

  it('ignores what it cannot read, so the sender falls back to its own backoff', () => {
    for (const bad of [undefined, '', '   ', '-5', '1.5', '1e9', '0x10', 'soon', 'Sun, 99 Foo 2026', '12abc', `Sun, ${'x'.repeat(100)}`]) {
      expect(retryAfterMs(bad, NOW), String(bad)).toBeUndefined();
    }
  });

  it('clampRetryMs keeps any number a sink hands over within bounds', () => {
    expect(clampRetryMs(-1)).toBe(MIN_RETRY_MS);
    expect(clampRetryMs(Number.NaN)).toBe(MIN_RETRY_MS);
    expect(clampRetryMs(Infinity)).toBe(MAX_RETRY_AFTER_MS);
    expect(clampRetryMs(60_000)).toBe(60_000);
  });
});
