/**
 * Failed sign-ins per key (a username, a source address) in a sliding window.
 *
 * An attempt is counted when it starts, before the slow password check, and
 * taken back only if it succeeds: 100 guesses sent at once then meet the limit
 * after the first few, instead of all passing a check made before any of them
 * had failed. The keys are bounded: past `maxKeys` the least recently failed key
 * that is not locked is forgotten — never a locked one while others remain, and
 * never the whole table at once (which let a spray of made-up names wipe the
 * count of the account under attack, and the sprayer's own).
 */
export class SignInThrottle {
  private readonly attempts = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxKeys = 10_000,
  ) {}

  /** Attempts in the window for this key (expired ones dropped). */
  count(key: string, now: number): number {
    const times = this.attempts.get(key);
    if (!times) return 0;
    const recent = times.filter((t) => now - t < this.windowMs);
    if (recent.length === 0) this.attempts.delete(key);
    else if (recent.length !== times.length) this.attempts.set(key, recent);
    return recent.length;
  }

  blocked(key: string, now: number): boolean {
    return this.count(key, now) >= this.limit;
  }

  /** Count an attempt now; returns a function that takes it back (on success). */
  reserve(key: string, now: number): () => void {
    const times = this.attempts.get(key)?.filter((t) => now - t < this.windowMs) ?? [];
    times.push(now);
    // Re-insert so the Map's order is least recently failed first.
    this.attempts.delete(key);
    this.attempts.set(key, times);
    if (this.attempts.size > this.maxKeys) this.evictOne(now);
    return () => {
      const current = this.attempts.get(key);
      const i = current?.lastIndexOf(now) ?? -1;
      if (current && i >= 0) current.splice(i, 1);
    };
  }

  private evictOne(now: number): void {
    for (const [k, times] of this.attempts) {
      if (times.filter((t) => now - t < this.windowMs).length < this.limit) {
        this.attempts.delete(k);
        return;
      }
    }
    this.attempts.delete(this.attempts.keys().next().value as string); // all locked: the oldest
  }

  get size(): number {
    return this.attempts.size;
  }
}
