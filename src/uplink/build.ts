import { UPLINK_DEFAULTS, type GatehouseConfig } from '../config/types.ts';
import type { Db } from '../store/database.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { Hit } from '../core/incidents/rule.ts';
import type { Sink } from './sinks/sink.ts';
import { UplinkService } from './service.ts';
import type { ChainHead } from './auditAnchor.ts';

export interface UplinkDeps {
  readonly db: Db;
  readonly now: () => number;
  readonly log: Logger;
  readonly metrics: Metrics;
  readonly heartbeat: () => Readonly<Record<string, unknown>>;
  readonly raise: (hit: Hit) => void;
  /** The audit chain's newest row (anchored at the county). */
  readonly auditHead: () => ChainHead | undefined;
  /** A device's configured name (robots name the device), from the running config. */
  readonly deviceName: (id: string) => string | undefined;
}

/** The sinks the config asks for (the county platform, group robots) behind one outbox. */
export async function buildUplink(config: GatehouseConfig, deps: UplinkDeps): Promise<UplinkService> {
  const delivery = config.uplink ?? UPLINK_DEFAULTS;
  const timeoutMs = delivery.timeout * 1000;
  const sinks: Sink[] = [];
  // The HTTP client (undici) is loaded only when there is somewhere to send to.
  if (config.uplink) {
    const { CountySink } = await import('./sinks/county.ts');
    sinks.push(new CountySink({ url: config.uplink.url, secret: config.uplink.secret, campusId: config.campus.id, timeoutMs, now: deps.now }));
  }
  const zones = new Map(config.zones.map((z) => [z.id, z]));
  const { RobotSink } = config.notifiers.length > 0 ? await import('./sinks/robot.ts') : { RobotSink: undefined };
  for (const notifier of config.notifiers) {
    sinks.push(new RobotSink!({ config: notifier, zones, campusName: config.campus.name, timeZone: config.calendar.timezone, deviceName: deps.deviceName, timeoutMs, now: deps.now }));
  }
  return new UplinkService(deps.db, sinks, {
    heartbeatEveryMs: delivery.heartbeatEvery * 1000,
    maxOutbox: delivery.maxOutbox,
    now: deps.now,
    log: deps.log,
    metrics: deps.metrics,
    heartbeat: deps.heartbeat,
    raise: deps.raise,
    // Only the county keeps the heads (robots skip the message); without it there is no one to anchor with.
    ...(config.uplink?.anchorAudit ? { auditHead: deps.auditHead, anchorEveryMs: config.uplink.anchorEvery * 1000 } : {}),
  });
}
