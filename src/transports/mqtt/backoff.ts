import { backoffMs } from '../../core/backoff.ts';

/**
 * Consecutive failures per key and the back-off they earn: none for the first
 * `free` failures, then `initialMs`, doubling with each further failure up to
 * `maxMs`. A key that fails no more for `maxMs` after its back-off ends is
 * forgotten; at most `maxKeys` keys are held (the oldest not in a back-off go
 * first), so a spray of names or addresses cannot grow it.
 */
export interface BackoffOptions {
  readonly free: number;
  readonly initialMs: number;
  readonly maxMs: number;
  readonly maxKeys?: number;
}

interface Entry {
  failures: number;
  until: number;
  lastAt: number;
}

export class BackoffTable {
  private readonly entries = new Map<string, Entry>();
  private readonly maxKeys: number;

  constructor(private readonly options: BackoffOptions) {
    this.maxKeys = options.maxKeys ?? 10_000;
  }

  get size(): number {
    return this.entries.size;
  }

  /** When the key's back-off ends, if it is in one now. */
  until(key: string, now: number): number | undefined {
    const e = this.live(key, now);
    return e && e.until > now ? e.until : undefined;
  }

  /** Consecutive failures on record for the key. */
  failures(key: string, now: number): number {
    return this.live(key, now)?.failures ?? 0;
  }

  /** Count a failure; returns when the back-off it earns ends (undefined: still free). */
  fail(key: string, now: number): number | undefined {
    let e = this.live(key, now);
    if (!e) {
      if (this.entries.size >= this.maxKeys) this.evict(now);
      e = { failures: 0, until: 0, lastAt: now };
      this.entries.set(key, e);
    }
    e.failures++;
    e.lastAt = now;
    const over = e.failures - this.options.free;
    if (over <= 0) return undefined;
    const ms = backoffMs(over, { firstMs: this.options.initialMs, maxMs: this.options.maxMs });
    e.until = Math.max(e.until, now + ms);
    return e.until;
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  private live(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e && now - Math.max(e.lastAt, e.until) > this.options.maxMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  private evict(now: number): void {
    for (const [key, e] of this.entries) if (now - Math.max(e.lastAt, e.until) > this.options.maxMs) this.entries.delete(key);
    // Still full: the oldest not in a back-off goes (Map keeps insertion order), so
    // a spray of new keys does not free a key under back-off; then the oldest of all.
    for (const [key, e] of this.entries) {
      if (this.entries.size < this.maxKeys) return;
      if (e.until <= now) this.entries.delete(key);
    }
    while (this.entries.size >= this.maxKeys) this.entries.delete(this.entries.keys().next().value!);
  }
}
