import { describe, expect, it } from 'vitest';
import { backoffMs } from '../../src/core/backoff.ts';

describe('the one backoff', () => {
  it('doubles from the first wait up to the cap', () => {
    const policy = { firstMs: 250, maxMs: 2000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, policy))).toEqual([250, 500, 1000, 2000, 2000, 2000]);
  });

  it('stays finite and capped at absurd attempt counts, and treats 0 or less as the first', () => {
    const policy = { firstMs: 1000, maxMs: 60_000 };
    expect(backoffMs(1e9, policy)).toBe(60_000);
    expect(backoffMs(Number.MAX_SAFE_INTEGER, { ...policy, random: () => 0 })).toBe(30_000);
    expect(backoffMs(0, policy)).toBe(1000);
    expect(backoffMs(-5, policy)).toBe(1000);
  });

  it('jitters into [½, 1] of the step when given a random source', () => {
    const policy = { firstMs: 1000, maxMs: 60_000 };
    expect(backoffMs(3, { ...policy, random: () => 0 })).toBe(2000);
    expect(backoffMs(3, { ...policy, random: () => 0.999999 })).toBe(4000);
    expect(backoffMs(3, { ...policy, random: () => 0.5 })).toBe(3000);
  });
});
