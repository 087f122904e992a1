import type { DeviceHealth } from '../core/device.ts';
import type { GatehouseEvent } from '../core/event.ts';
import { Presence, type Transition } from '../core/presence.ts';
import type { ResolvedDevice } from '../config/types.ts';
import type { DeviceStateStore } from '../store/deviceState.ts';
import type { RejectStats, RejectTracker } from '../ingest/rejects.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { DeviceView, LiveFeed } from './liveFeed.ts';
import type { AnyProfile } from '../core/device.ts';

/**
 * Devices as the guard room sees them: configured, online or not, last seen,
 * health, and why their messages were rejected.
 */
export class DeviceService {
  readonly presence: Presence;
  private byId: ReadonlyMap<string, ResolvedDevice>;
  private readonly dirty = new Set<string>();
  private linkStatus: (deviceId: string) => Readonly<Record<string, unknown>> | undefined = () => undefined;
  private floodStatus: (deviceId: string) => DeviceView['flooding'] = () => undefined;
  private readonly healthListeners: ((deviceId: string, at: number, health: DeviceHealth) => void)[] = [];
  /**
   * Each device's online state as the gauges count it (when last announced): a
   * transition moves two counters instead of walking every device — a reconnect
   * storm of N devices cost N² otherwise (5,000: 25 million presence copies).
   */
  private readonly counted = new Map<string, boolean | undefined>();
  private online = 0;
  private offline = 0;

  constructor(
    devices: readonly ResolvedDevice[],
    private readonly profiles: ReadonlyMap<string, AnyProfile>,
    private readonly stateStore: DeviceStateStore,
    private readonly rejects: RejectTracker,
    private readonly live: LiveFeed,
    private readonly metrics: Metrics,
    startedAt: number,
  ) {
    this.byId = new Map(devices.map((d) => [d.id, d]));
    this.presence = new Presence(devices, stateStore.all(), startedAt);
    for (const p of this.presence.all()) this.count(p.deviceId, p.online);
    this.setGauges();
  }

  /** The device list changed (config reload, the devices API): presence follows, removed devices leave the gauges. */
  reconfigure(devices: readonly ResolvedDevice[], now: number): void {
    this.byId = new Map(devices.map((d) => [d.id, d]));
    this.presence.reconfigure(devices, now);
    for (const id of [...this.counted.keys()]) {
      if (this.byId.has(id)) continue;
      this.count(id, undefined);
      this.counted.delete(id);
      this.dirty.delete(id);
    }
    for (const d of devices) if (!this.counted.has(d.id)) this.count(d.id, this.presence.get(d.id)?.online);
    this.setGauges();
  }

  /** Where transport-level health comes from (set once the transports exist). */
  setLinkStatus(source: (deviceId: string) => Readonly<Record<string, unknown>> | undefined): void {
    this.linkStatus = source;
  }

  /** Where a device's flooding state comes from (the broker's publish limiter). */
  setFloodStatus(source: (deviceId: string) => DeviceView['flooding']): void {
    this.floodStatus = source;
  }

  config(deviceId: string): ResolvedDevice | undefined {
    return this.byId.get(deviceId);
  }

  configs(): readonly ResolvedDevice[] {
    return [...this.byId.values()];
  }

  /** The event that records a transition (it goes through the recorder like any other). */
  transitionEvent(t: Transition, newId: () => string): GatehouseEvent {
    const device = this.byId.get(t.deviceId)!;
    return {
      id: newId(),
      deviceId: t.deviceId,
      zoneId: device.zone,
      kind: t.online ? 'device.online' : 'device.offline',
      ts: t.at,
      receivedAt: t.at,
      data: { reason: t.reason, ...(t.bridge !== undefined ? { bridge: t.bridge } : {}) },
    };
  }

  seen(deviceId: string, at: number, reason?: string): Transition | undefined {
    this.dirty.add(deviceId);
    return this.presence.seen(deviceId, at, reason);
  }

  status(deviceId: string, at: number, online: boolean | undefined, health: DeviceHealth | undefined, reason: string): Transition | undefined {
    this.dirty.add(deviceId);
    if (health && Object.keys(health).length > 0) for (const listener of this.healthListeners) listener(deviceId, at, health);
    return this.presence.status(deviceId, at, online, health, reason);
  }

  /** Hear every health report (the `device_health` series); online/offline come from the transition events. */
  onHealth(listener: (deviceId: string, at: number, health: DeviceHealth) => void): void {
    this.healthListeners.push(listener);
  }

  lost(deviceId: string, at: number, reason: string): Transition | undefined {
    this.dirty.add(deviceId);
    return this.presence.lost(deviceId, at, reason);
  }

  tick(now: number): Transition[] {
    const transitions = this.presence.tick(now);
    for (const t of transitions) this.dirty.add(t.deviceId);
    return transitions;
  }

  /**
   * Tell the live feed (after the transition's event is committed). The online
   * gauges walk every device, so they are recounted only when one went on or off line.
   */
  announce(deviceId: string, transitioned = true): void {
    if (transitioned) {
      this.count(deviceId, this.presence.get(deviceId)?.online);
      this.setGauges();
    }
    const view = this.view(deviceId);
    if (view) this.live.publish({ type: 'device', data: view });
  }

  /** Persist last-seen and health of devices touched since the last call. */
  persist(now: number): void {
    if (this.dirty.size === 0) return;
    for (const deviceId of this.dirty) {
      const p = this.presence.get(deviceId);
      if (p) this.stateStore.save(p, now);
    }
    this.dirty.clear();
  }

  view(deviceId: string): DeviceView | undefined {
    const device = this.byId.get(deviceId);
    const p = this.presence.get(deviceId);
    if (!device || !p) return undefined;
    const link = this.linkStatus(deviceId);
    const flooding = this.floodStatus(deviceId);
    return {
      ...(link ? { link } : {}),
      ...(flooding ? { flooding } : {}),
      id: device.id,
      name: device.name,
      zoneId: device.zone,
      profile: device.profile,
      transport: this.profiles.get(device.profile)?.transport ?? 'mqtt',
      online: p.online === true,
      lastSeen: p.lastSeen ?? null,
      health: p.health,
      rejected: faultView(this.rejects.get(deviceId)),
      repaired: faultView(this.rejects.getRepaired(deviceId)),
    };
  }

  list(): DeviceView[] {
    return [...this.byId.keys()].map((id) => this.view(id)!);
  }

  private count(deviceId: string, online: boolean | undefined): void {
    const before = this.counted.get(deviceId);
    if (before === online && this.counted.has(deviceId)) return;
    if (before === true) this.online--;
    else if (before === false) this.offline--;
    if (online === true) this.online++;
    else if (online === false) this.offline++;
    this.counted.set(deviceId, online);
  }

  private setGauges(): void {
    this.metrics.devicesOnline.set(this.online);
    this.metrics.devicesOffline.set(this.offline);
  }
}

/** What the device view shows of rejected or repaired payloads: the tracker's stats without the per-reason counts. */
function faultView({ byReason: _byReason, ...shown }: RejectStats): DeviceView['rejected'] {
  return shown;
}
