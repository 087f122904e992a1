/**
 * The camera's event service state: properties, occurrences and PullPoint
 * subscriptions (ONVIF Core §9.1 "Real-time Pull-Point Notification Interface",
 * §9.2 "Properties", §9.5 "Synchronization Point"). Times are the camera's clock.
 */

export interface SimMessage {
  readonly topic: string; // with the `tns1:` prefix; the envelope binds it
  readonly utcTime: number;
  readonly operation?: 'Initialized' | 'Changed' | 'Deleted';
  readonly source: Readonly<Record<string, string>>;
  readonly data: Readonly<Record<string, string>>;
}

interface Property {
  readonly topic: string;
  readonly source: Readonly<Record<string, string>>;
  readonly dataName: string;
  value: string;
}

export interface Subscription {
  readonly id: string;
  readonly queue: SimMessage[];
  terminationAt: number;
  /** Set for a relative InitialTerminationTime: each PullMessages extends by it (unless the camera needs Renew). */
  readonly relativeMs: number | undefined;
  waiter?: { readonly limit: number; readonly resolve: (m: SimMessage[] | 'expired') => void; readonly timer: NodeJS.Timeout } | undefined;
}

export interface PullPointSettings {
  /** Longest termination the camera grants (ms). */
  maxTerminationMs: number;
  /** True: PullMessages does not extend the subscription; only Renew does (seen on some cameras). */
  requireRenew: boolean;
}

const MAX_QUEUE = 1000;
const MAX_PULL_MS = 60_000;

export class EventService {
  private readonly properties = new Map<string, Property>();
  private readonly subs = new Map<string, Subscription>();
  private nextId = 1;
  private sweeper: NodeJS.Timeout | undefined;
  /** Counters a test or soak run can read. */
  readonly stats = { created: 0, renewed: 0, pulls: 0, expired: 0, delivered: 0 };

  constructor(
    private readonly now: () => number,
    readonly settings: PullPointSettings,
  ) {}

  start(): void {
    this.sweeper ??= setInterval(() => this.sweep(), 250);
    this.sweeper.unref();
  }

  stop(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** A camera restart: every subscription is gone (properties keep their physical state). */
  reset(): void {
    for (const sub of this.subs.values()) this.end(sub);
    this.subs.clear();
  }

  get activeSubscriptions(): number {
    return this.subs.size;
  }

  /** `relativeMs` or `absoluteAt` from InitialTerminationTime; neither: the camera's default (60 s). */
  create(term: { relativeMs?: number | undefined; absoluteAt?: number | undefined }): Subscription {
    const now = this.now();
    const relativeMs = term.absoluteAt === undefined ? Math.min(term.relativeMs ?? 60_000, this.settings.maxTerminationMs) : undefined;
    const terminationAt = term.absoluteAt !== undefined ? Math.min(term.absoluteAt, now + this.settings.maxTerminationMs) : now + relativeMs!;
    const sub: Subscription = { id: String(this.nextId++), queue: [], terminationAt, relativeMs };
    this.subs.set(sub.id, sub);
    this.stats.created++;
    // A new subscription starts with a synchronization point (§9.5).
    this.synchronize(sub);
    return sub;
  }

  get(id: string): Subscription | undefined {
    const sub = this.subs.get(id);
    if (sub && this.now() > sub.terminationAt) {
      this.expire(sub);
      return undefined;
    }
    return sub;
  }

  renew(sub: Subscription, term: { relativeMs?: number | undefined; absoluteAt?: number | undefined }): void {
    const now = this.now();
    const wanted = term.absoluteAt ?? now + (term.relativeMs ?? sub.relativeMs ?? 60_000);
    sub.terminationAt = Math.min(wanted, now + this.settings.maxTerminationMs);
    this.stats.renewed++;
  }

  unsubscribe(sub: Subscription): void {
    this.end(sub);
    this.subs.delete(sub.id);
  }

  /** §9.5: repeat every property's current state as Initialized. */
  synchronize(sub: Subscription): void {
    const now = this.now();
    for (const p of this.properties.values()) this.push(sub, { topic: p.topic, utcTime: now, operation: 'Initialized', source: p.source, data: { [p.dataName]: p.value } });
  }

  /** Long-poll: answer at once when messages wait, else when one arrives or the timeout passes. */
  pull(sub: Subscription, timeoutMs: number, limit: number): Promise<SimMessage[] | 'expired'> {
    this.stats.pulls++;
    if (!this.settings.requireRenew && sub.relativeMs !== undefined) sub.terminationAt = this.now() + sub.relativeMs;
    if (sub.waiter) this.answer(sub); // a second pull on one subscription ends the first
    if (sub.queue.length > 0) return Promise.resolve(this.take(sub, limit));
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.answer(sub), Math.min(Math.max(timeoutMs, 0), MAX_PULL_MS));
      sub.waiter = { limit, resolve, timer };
    });
  }

  /** Declare a property with its initial value (sent as Initialized to new subscribers). */
  defineProperty(topic: string, source: Record<string, string>, dataName: string, value: string): void {
    this.properties.set(propertyKey(topic, source), { topic, source, dataName, value });
  }

  /** Change a property; subscribers get `Changed` only when the value really changes. */
  setProperty(topic: string, source: Record<string, string>, dataName: string, value: string): boolean {
    const key = propertyKey(topic, source);
    const p = this.properties.get(key);
    if (p && p.value === value) return false;
    if (p) p.value = value;
    else this.properties.set(key, { topic, source, dataName, value });
    this.broadcast({ topic, utcTime: this.now(), operation: 'Changed', source, data: { [dataName]: value } });
    return true;
  }

  /** An occurrence (not a property): a line crossed, a card shown. */
  occur(topic: string, source: Record<string, string>, data: Record<string, string>): void {
    this.broadcast({ topic, utcTime: this.now(), source, data });
  }

  private broadcast(message: SimMessage): void {
    for (const sub of this.subs.values()) this.push(sub, message);
  }

  private push(sub: Subscription, message: SimMessage): void {
    sub.queue.push(message);
    if (sub.queue.length > MAX_QUEUE) sub.queue.shift();
    if (sub.waiter) this.answer(sub);
  }

  private take(sub: Subscription, limit: number): SimMessage[] {
    const out = sub.queue.splice(0, Math.max(1, limit));
    this.stats.delivered += out.length;
    return out;
  }

  private answer(sub: Subscription): void {
    const w = sub.waiter;
    if (!w) return;
    sub.waiter = undefined;
    clearTimeout(w.timer);
    // A pull that outlived its subscription finds it gone (what the onvif library's fixed 60 s pull runs into).
    if (this.now() > sub.terminationAt) {
      this.expire(sub);
      w.resolve('expired');
      return;
    }
    w.resolve(this.take(sub, w.limit));
  }

  private expire(sub: Subscription): void {
    if (!this.subs.has(sub.id)) return;
    this.subs.delete(sub.id);
    this.stats.expired++;
    this.end(sub);
  }

  private end(sub: Subscription): void {
    const w = sub.waiter;
    if (!w) return;
    sub.waiter = undefined;
    clearTimeout(w.timer);
    w.resolve('expired');
  }

  private sweep(): void {
    const now = this.now();
    for (const sub of [...this.subs.values()]) if (now > sub.terminationAt && !sub.waiter) this.expire(sub);
  }
}

function propertyKey(topic: string, source: Record<string, string>): string {
  return `${topic}|${JSON.stringify(Object.entries(source).sort())}`;
}
