import type { RejectReason } from '../core/device.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';

export interface RejectStats {
  readonly count: number;
  readonly byReason: Readonly<Record<string, number>>;
  readonly lastReason?: string;
  readonly lastDetail?: string;
  readonly lastAt?: number;
}

interface Mutable {
  count: number;
  byReason: Record<string, number>;
  lastReason?: string;
  lastDetail?: string;
  lastAt?: number;
  lastLoggedAt: number;
  suppressed: number;
}

const LOG_EVERY_MS = 60_000;
/**
 * Device ids tracked one by one (and given their own metric label). Rejections can
 * name ids that are in no config (an unknown Zigbee friendly name, a typo in a
 * bridge): past this many, new ids share one entry, OTHER_DEVICES, so neither this
 * map nor the metric's label set grows with what devices send.
 */
export const MAX_TRACKED_DEVICES = 1000;
export const OTHER_DEVICES = '(other devices)';
/** A reject's detail is shown and logged up to this many characters. */
export const MAX_DETAIL_CHARS = 300;

/**
 * Rejected payloads: counted per device and reason, shown in the device status
 * (so an installer sees at once why), logged at most once per device a minute.
 * Repaired ones (an urgent event stored despite a bad field) are counted, shown
 * and logged the same way, apart from the rejected.
 */
export class RejectTracker {
  private readonly rejected = new Map<string, Mutable>();
  private readonly repairs = new Map<string, Mutable>();

  constructor(
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  record(id: string, reason: RejectReason | string, fullDetail: string, now: number): void {
    const deviceId = tracked(this.rejected, id);
    const detail = clip(fullDetail);
    this.metrics.eventsRejected.inc({ device: deviceId, reason });
    const s = bump(this.rejected, deviceId, reason, detail, now);
    if (s) this.log.warn({ deviceId, reason, detail, suppressedSinceLastLog: s.suppressed }, `rejected a payload from ${deviceId}: ${detail}`);
  }

  /**
   * A fault that would have rejected the payload, worked around because its event
   * must not be lost (DecodeResult.repairs).
   */
  repaired(id: string, reason: RejectReason | string, fullDetail: string, now: number): void {
    const deviceId = tracked(this.repairs, id);
    const detail = clip(fullDetail);
    this.metrics.eventsRepaired.inc({ device: deviceId, reason });
    const s = bump(this.repairs, deviceId, reason, detail, now);
    if (s) this.log.warn({ deviceId, reason, detail, suppressedSinceLastLog: s.suppressed }, `stored an urgent event from ${deviceId} despite a bad payload; fix the device: ${detail}`);
  }

  get(deviceId: string): RejectStats {
    return view(this.rejected.get(deviceId));
  }

  getRepaired(deviceId: string): RejectStats {
    return view(this.repairs.get(deviceId));
  }
}

/** The id to count under: its own while there is room (or it has an entry), else OTHER_DEVICES. */
function tracked(stats: ReadonlyMap<string, Mutable>, deviceId: string): string {
  return stats.has(deviceId) || stats.size < MAX_TRACKED_DEVICES ? deviceId : OTHER_DEVICES;
}

function clip(detail: string): string {
  return detail.length > MAX_DETAIL_CHARS ? `${detail.slice(0, MAX_DETAIL_CHARS - 1)}…` : detail;
}

/** Count one; returns the log line's suppressed count (0 included) when it is time to log, else undefined. */
function bump(stats: Map<string, Mutable>, deviceId: string, reason: string, detail: string, now: number): { readonly suppressed: number } | undefined {
  let s = stats.get(deviceId);
  if (!s) {
    s = { count: 0, byReason: {}, lastLoggedAt: -Infinity, suppressed: 0 };
    stats.set(deviceId, s);
  }
  s.count++;
  s.byReason[reason] = (s.byReason[reason] ?? 0) + 1;
  s.lastReason = reason;
  s.lastDetail = detail;
  s.lastAt = now;
  if (now - s.lastLoggedAt < LOG_EVERY_MS) {
    s.suppressed++;
    return undefined;
  }
  const suppressed = s.suppressed;
  s.lastLoggedAt = now;
  s.suppressed = 0;
  return { suppressed };
}

function view(s: Mutable | undefined): RejectStats {
  if (!s) return { count: 0, byReason: {} };
  return {
    count: s.count,
    byReason: { ...s.byReason },
    ...(s.lastReason !== undefined ? { lastReason: s.lastReason } : {}),
    ...(s.lastDetail !== undefined ? { lastDetail: s.lastDetail } : {}),
    ...(s.lastAt !== undefined ? { lastAt: s.lastAt } : {}),
  };
}
