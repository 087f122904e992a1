import { TokenBucket } from './tokenBucket.ts';
import { BackoffTable } from './backoff.ts';

/** A device's allowance: `rate` publishes a second on average, `burst` at once. */
export interface RateLimit {
  readonly rate: number;
  readonly burst: number;
}

export interface PublishLimiterOptions {
  readonly defaults: RateLimit;
  /** A device's own allowance (devices[i].rateLimit), if it has one. */
  readonly limitOf: (deviceId: string) => RateLimit | undefined;
  /** Seconds a device may keep sending QoS 0 over its allowance (dropped) before it is disconnected. */
  readonly floodSeconds: number;
  /** QoS 1 publishes held (PUBACK not yet sent) per device; one more is flooding. */
  readonly maxHeld: number;
  /** The first back-off after a flood (ms); it doubles with each flood, up to 64 times this. */
  readonly backoffMs: number;
  readonly now: () => number;
  /** setTimeout, injectable for tests; returns a cancel function. */
  readonly setTimer?: (fn: () => void, ms: number) => () => void;
  /** The device went over its allowance (first excess after a calm spell) or was cut off: tell the guard room. */
  readonly onChange?: (deviceId: string) => void;
  /** The device keeps flooding: disconnect it; it is refused at CONNECT until `until`. */
  readonly onFlood?: (deviceId: string, until: number, reason: string) => void;
}

/** What the guard room sees of a device that sent more than its allowance. */
export interface FloodingView {
  /** QoS 0 publishes dropped over the allowance, since the hub started. */
  readonly dropped: number;
  /** QoS 1 publishes whose PUBACK was held back until the allowance let them in. */
  readonly delayed: number;
  /** Times it was disconnected for flooding. */
  readonly disconnects: number;
  /** The last publish over the allowance (epoch ms). */
  readonly lastAt: number;
  /** Refused at CONNECT until then (epoch ms), after flooding. */
  readonly backoffUntil?: number;
}

/** pass: go on now; drop: QoS 0 over the allowance; hold: `proceed` runs later; flood: disconnect the client. */
export type PublishVerdict = 'pass' | 'drop' | 'hold' | 'flood';

export interface HeldPublish {
  /** The connection it came on (held publishes die with it: the device resends them). */
  readonly owner: object;
  readonly proceed: () => void;
  readonly refuse: (err: Error) => void;
}

/** No dropped publish for this long ends a spell over the allowance. */
const CALM_MS = 1000;
/** How often, at most, a device's flooding view is pushed to the guard room during a spell. */
const TELL_EVERY_MS = 5000;

interface Flow {
  readonly bucket: TokenBucket;
  readonly held: HeldPublish[];
  cancelTimer: (() => void) | undefined;
  dropped: number;
  delayed: number;
  disconnects: number;
  lastAt: number | undefined;
  /** Start of the current spell of dropped (QoS 0) publishes over the allowance. */
  overSince: number | undefined;
  /** The last QoS 0 publish dropped over the allowance. */
  lastOverAt: number | undefined;
  /** When the guard room was last told. */
  toldAt: number | undefined;
}

/**
 * Per-device token buckets for MQTT publishes: one device's flood costs the
 * others nothing. Over the allowance, QoS 0 is dropped (and counted) and QoS 1
 * waits for a token before it is handed on, so its PUBACK — and aedes' next read
 * from that socket — waits too: backpressure, nothing lost. A device dropping
 * QoS 0 over its allowance for `floodSeconds` (it still costs the hub parsing
 * every packet), or with more than `maxHeld` QoS 1 publishes waiting, is cut off
 * and refused at CONNECT for a back-off that doubles with each flood.
 */
export class PublishLimiter {
  private readonly flows = new Map<string, Flow>();
  private heldTotal = 0;
  private readonly backoff: BackoffTable;
  private readonly setTimer: (fn: () => void, ms: number) => () => void;

  constructor(private readonly options: PublishLimiterOptions) {
    this.backoff = new BackoffTable({ free: 0, initialMs: options.backoffMs, maxMs: options.backoffMs * 64 });
    this.setTimer =
      options.setTimer ??
      ((fn, ms) => {
        const t = setTimeout(fn, ms);
        return () => clearTimeout(t);
      });
  }

  /** Decide on one publish from an authenticated device. */
  admit(deviceId: string, qos: number, held: HeldPublish): PublishVerdict {
    const now = this.options.now();
    const flow = this.flow(deviceId, now);
    if (flow.held.length === 0 && flow.bucket.take(now)) return 'pass';
    const previous = flow.lastAt;
    flow.lastAt = now;
    const newSpell = previous === undefined || now - previous > CALM_MS;
    if (qos === 0) {
      const flooding = this.over(flow, now);
      if (flooding) {
        this.flood(deviceId, flow, now, flooding);
        return 'flood';
      }
      flow.dropped++;
      this.tell(deviceId, flow, now, newSpell);
      return 'drop';
    }
    // QoS 1 is paced, not cut off for time: its PUBACK waits, aedes reads nothing more from
    // that socket meanwhile, so it costs nothing — and a device draining a backlog after an
    // outage must not lose its connection for it. Only more waiting than maxHeld is flooding.
    if (flow.held.length >= this.options.maxHeld) {
      this.flood(deviceId, flow, now, `more than ${this.options.maxHeld} QoS 1 publishes waiting for their PUBACK (mqtt.rateLimit.maxHeld)`);
      return 'flood';
    }
    flow.held.push(held);
    this.heldTotal++;
    flow.delayed++;
    this.schedule(deviceId, flow, now);
    this.tell(deviceId, flow, now, newSpell);
    return 'hold';
  }

  /** The guard room hears of a spell over the allowance when it starts, then every few seconds while it lasts. */
  private tell(deviceId: string, flow: Flow, now: number, newSpell: boolean): void {
    if (!newSpell && flow.toldAt !== undefined && now - flow.toldAt < TELL_EVERY_MS) return;
    flow.toldAt = now;
    this.options.onChange?.(deviceId);
  }

  /** A connection closed: what it had waiting is forgotten (never acknowledged, so the device resends it). */
  closed(deviceId: string, owner: object): void {
    const flow = this.flows.get(deviceId);
    if (!flow || flow.held.length === 0) return;
    const keep = flow.held.filter((h) => h.owner !== owner);
    this.heldTotal -= flow.held.length - keep.length;
    flow.held.splice(0, flow.held.length, ...keep);
    if (keep.length === 0) {
      flow.cancelTimer?.();
      flow.cancelTimer = undefined;
    }
  }

  /** When the device's flood back-off ends, if it is in one. */
  refusedUntil(deviceId: string): number | undefined {
    return this.backoff.until(deviceId, this.options.now());
  }

  /** Undefined for a device that never went over its allowance. */
  view(deviceId: string): FloodingView | undefined {
    const flow = this.flows.get(deviceId);
    if (!flow || flow.lastAt === undefined) return undefined;
    const until = this.refusedUntil(deviceId);
    return { dropped: flow.dropped, delayed: flow.delayed, disconnects: flow.disconnects, lastAt: flow.lastAt, ...(until !== undefined ? { backoffUntil: until } : {}) };
  }

  /** Publishes held now, over all devices. */
  get heldCount(): number {
    return this.heldTotal;
  }

  /** Stop the release timers (shutdown); held publishes are never acknowledged. */
  stop(): void {
    for (const flow of this.flows.values()) {
      flow.cancelTimer?.();
      flow.cancelTimer = undefined;
      flow.held.length = 0;
    }
    this.heldTotal = 0;
  }

  private flow(deviceId: string, now: number): Flow {
    let flow = this.flows.get(deviceId);
    if (!flow) {
      const limit = this.options.limitOf(deviceId) ?? this.options.defaults;
      flow = { bucket: new TokenBucket(limit.rate, limit.burst, now), held: [], cancelTimer: undefined, dropped: 0, delayed: 0, disconnects: 0, lastAt: undefined, overSince: undefined, lastOverAt: undefined, toldAt: undefined };
      this.flows.set(deviceId, flow);
    }
    return flow;
  }

  /** Record a dropped excess; returns why the device counts as flooding, if it does. */
  private over(flow: Flow, now: number): string | undefined {
    if (flow.lastOverAt === undefined || now - flow.lastOverAt > CALM_MS) {
      flow.overSince = now;
      flow.lastOverAt = now;
      return undefined;
    }
    flow.lastOverAt = now;
    const seconds = (now - (flow.overSince ?? now)) / 1000;
    return seconds >= this.options.floodSeconds ? `over its rate limit for ${Math.round(seconds)} s (mqtt.rateLimit.floodSeconds ${this.options.floodSeconds})` : undefined;
  }

  private flood(deviceId: string, flow: Flow, now: number, reason: string): void {
    flow.disconnects++;
    flow.overSince = undefined;
    flow.lastOverAt = undefined;
    const until = this.backoff.fail(deviceId, now)!;
    // Refuse what waits (aedes closes the connection on a refused publish); the device resends it later.
    const owners = new Set<object>();
    const waiting = flow.held.splice(0);
    this.heldTotal -= waiting.length;
    flow.cancelTimer?.();
    flow.cancelTimer = undefined;
    for (const h of waiting) {
      if (owners.has(h.owner)) continue;
      owners.add(h.owner);
      h.refuse(new Error(`flooding: ${reason}`));
    }
    this.options.onFlood?.(deviceId, until, reason);
    this.options.onChange?.(deviceId);
  }

  private schedule(deviceId: string, flow: Flow, now: number): void {
    if (flow.cancelTimer) return;
    flow.cancelTimer = this.setTimer(() => {
      flow.cancelTimer = undefined;
      this.release(deviceId, flow);
    }, Math.max(1, flow.bucket.waitMs(now)));
  }

  /** Let held publishes in as tokens come, oldest first. */
  private release(deviceId: string, flow: Flow): void {
    const now = this.options.now();
    while (flow.held.length > 0 && flow.bucket.take(now)) {
      this.heldTotal--;
      flow.held.shift()!.proceed();
    }
    if (flow.held.length > 0) this.schedule(deviceId, flow, now);
  }
}
