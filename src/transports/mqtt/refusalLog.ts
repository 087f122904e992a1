import type { Logger } from '../../observability/logger.ts';

export interface RefusalLogOptions {
  /** How often a source gets a line at most (ms). */
  readonly windowMs?: number;
  readonly now: () => number;
  /** Sources tracked at once; refusals from more share one "other sources" entry. */
  readonly maxSources?: number;
  /** setInterval, injectable for tests; returns a cancel function. */
  readonly setInterval?: (fn: () => void, ms: number) => () => void;
}

interface Entry {
  readonly what: string;
  readonly source: string;
  windowStart: number;
  /** Refusals in this window, the one logged with its detail included. */
  total: number;
  /** Refusals in this window not logged yet. */
  unlogged: number;
  readonly counts: Map<string, number>;
  /** Reasons already logged in full while this source has been refused (forgotten with it when it goes quiet). */
  readonly logged: Set<string>;
}

const OTHERS = 'other sources';

/**
 * Refusals logged per source (an address, a device id): the first refusal of
 * each reason at once with its detail (a new kind of refusal — a certificate
 * for another device after a run of wrong passwords — is worth its own line;
 * reasons are a short fixed list), the rest counted and summed up when the
 * window ends — "refused 312 CONNECTs from 10.0.0.9 in the last 60 s: wrong
 * password ×300, back-off ×12" — so a flood of bad packets costs one line a
 * minute, not one per packet.
 */
export class RefusalLog {
  private readonly entries = new Map<string, Entry>();
  private readonly windowMs: number;
  private readonly maxSources: number;
  private readonly cancel: () => void;

  constructor(
    private readonly log: Logger,
    private readonly options: RefusalLogOptions,
  ) {
    this.windowMs = options.windowMs ?? 60_000;
    this.maxSources = options.maxSources ?? 1000;
    const every =
      options.setInterval ??
      ((fn, ms) => {
        const t = setInterval(fn, ms);
        t.unref();
        return () => clearInterval(t);
      });
    this.cancel = every(() => this.tick(), Math.max(1000, Math.floor(this.windowMs / 4)));
  }

  /**
   * One refusal of `what` (CONNECT, PUBLISH, SUBSCRIBE…) from `source`; `reason`
   * is the short label counted, `message` the full line logged for the first one.
   */
  refused(what: string, source: string, reason: string, message: string, fields: Record<string, unknown> = {}): void {
    const now = this.options.now();
    let key = `${what}\u0000${source}`;
    let entry = this.entries.get(key);
    if (!entry && this.entries.size >= this.maxSources) {
      key = `${what}\u0000${OTHERS}`;
      entry = this.entries.get(key);
      source = OTHERS;
    }
    if (!entry) {
      this.entries.set(key, { what, source, windowStart: now, total: 1, unlogged: 0, counts: new Map([[reason, 1]]), logged: new Set([reason]) });
      this.log.warn({ ...fields, source, reason }, message);
      return;
    }
    entry.total++;
    entry.counts.set(reason, (entry.counts.get(reason) ?? 0) + 1);
    if (!entry.logged.has(reason)) {
      entry.logged.add(reason);
      this.log.warn({ ...fields, source, reason }, message);
    } else entry.unlogged++;
    if (now - entry.windowStart >= this.windowMs) this.summarize(entry, now);
  }

  /** Sum up windows that ended; forget sources that went quiet. */
  tick(): void {
    const now = this.options.now();
    for (const [key, entry] of this.entries) {
      if (now - entry.windowStart < this.windowMs) continue;
      if (entry.unlogged > 0) this.summarize(entry, now);
      else this.entries.delete(key);
    }
  }

  /** Sum up every open window now (shutdown). */
  flush(): void {
    const now = this.options.now();
    for (const entry of this.entries.values()) if (entry.unlogged > 0) this.summarize(entry, now);
    this.entries.clear();
  }

  stop(): void {
    this.cancel();
    this.flush();
  }

  private summarize(entry: Entry, now: number): void {
    const seconds = Math.max(1, Math.round((now - entry.windowStart) / 1000));
    const reasons = [...entry.counts].sort((a, b) => b[1] - a[1]);
    this.log.warn(
      { source: entry.source, refused: entry.total, reasons: Object.fromEntries(reasons), seconds },
      `refused ${entry.total} ${entry.what}${entry.total === 1 ? '' : 's'} from ${entry.source} in the last ${seconds} s: ${reasons.map(([r, n]) => `${r} ×${n}`).join(', ')}`,
    );
    entry.windowStart = now;
    entry.total = 0;
    entry.unlogged = 0;
    entry.counts.clear();
  }
}
