/**
 * Randomness for the simulator: Math.random, or a seeded mulberry32 when
 * `--seed N` is given so a run's choices (who is denied, which button is
 * pressed) repeat. Timing still comes from the real clock.
 */
export interface Random {
  /** Uniform in [0, 1). */
  (): number;
}

export function createRandom(seed?: number): Random {
  if (seed === undefined) return Math.random;
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function pick<T>(rng: Random, items: readonly T[]): T | undefined {
  return items.length === 0 ? undefined : items[Math.floor(rng() * items.length)];
}

export function between(rng: Random, min: number, max: number): number {
  return min + rng() * (max - min);
}

export function digits(rng: Random, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(rng() * 10).toString();
  return s;
}

/** How many events a Poisson process with this mean produces in one tick. */
export function poisson(rng: Random, mean: number): number {
  if (mean <= 0) return 0;
  if (mean > 30) {
    // Normal approximation (Box–Muller) for heavy load.
    const u = Math.max(rng(), Number.MIN_VALUE);
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
    return Math.max(0, Math.round(mean + z * Math.sqrt(mean)));
  }
  const limit = Math.exp(-mean);
  let k = 0;
  let p = rng();
  while (p > limit) {
    k++;
    p *= rng();
  }
  return k;
}
