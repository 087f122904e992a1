/**
 * A token bucket with explicit times (epoch or monotonic ms, as long as the
 * caller is consistent): `rate` tokens a second, holding at most `burst`.
 * Starts full, so a device may send a burst at once after connecting.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    readonly rate: number,
    readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  private refill(now: number): void {
    if (now <= this.at) return; // a clock that steps back refills nothing
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
  }

  /** Take one token if there is one. */
  take(now: number): boolean {
    this.refill(now);
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /** Milliseconds until one token is there (0: now). */
  waitMs(now: number): number {
    this.refill(now);
    return this.tokens >= 1 ? 0 : Math.ceil(((1 - this.tokens) / this.rate) * 1000);
  }

  /** Full again: nothing taken that has not been given back. */
  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }
}
