import type { RawMessage } from '../../core/device.ts';
import type { ResolvedBridge, ResolvedDevice } from '../../config/types.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Verdict } from '../mqtt/topics.ts';
import { bridgeMaySubscribe, bridgePublish, type BridgeTopic } from './topics.ts';
import { bridgeState, pairedDevices, type PairedDevice } from './bridgeMessages.ts';

/** What the bridges need from the hub. */
export interface BridgeHooks {
  /** A device's message, as any transport hands one over; `done` once committed. */
  submit(raw: RawMessage, done: (err: Error | null) => void): void;
  /** A message for no configured device: counted and logged under the bridge's id. */
  reject(bridgeId: string, reason: string, detail: string, at: number): void;
  /** The bridge went offline: its devices cannot be reached (one cause for all of them). */
  unreachable(bridgeId: string, deviceIds: readonly string[], reason: string): void;
  /** The bridge is back: the devices it took down with it are reachable again. */
  reachable(bridgeId: string, deviceIds: readonly string[], reason: string): void;
  readonly log: Logger;
}

interface BridgeState {
  online: boolean | undefined;
  since: number | undefined;
  /** Devices this bridge's going offline took down, to bring back when it returns. */
  readonly down: Set<string>;
  paired: { readonly at: number; readonly devices: readonly PairedDevice[] } | undefined;
}

type Accepted = Extract<BridgeTopic, { ok: true }>;

/**
 * Zigbee2MQTT bridges: a bridge's MQTT account speaks for many devices. This maps
 * what it publishes under its base topic onto the configured devices (by friendly
 * name), and its `bridge/state` onto their reachability. It moves messages only:
 * decoding is the devices' profiles' (devices/zigbee-*), storage the hub's.
 */
export class Zigbee2MqttBridges {
  private bridges = new Map<string, ResolvedBridge>();
  /** `${bridgeId}\0${friendlyName}` → device id */
  private names = new Map<string, string>();
  private devicesOf = new Map<string, string[]>();
  private bridgeOf = new Map<string, string>();
  private readonly states = new Map<string, BridgeState>();

  constructor(
    bridges: readonly ResolvedBridge[],
    devices: readonly ResolvedDevice[],
    private readonly hooks: BridgeHooks,
  ) {
    this.reconfigure(bridges, devices);
  }

  /** The config changed: bridges and their devices follow; what each bridge last said is kept. */
  reconfigure(bridges: readonly ResolvedBridge[], devices: readonly ResolvedDevice[]): void {
    this.bridges = new Map(bridges.map((b) => [b.id, b]));
    this.names = new Map();
    this.devicesOf = new Map(bridges.map((b) => [b.id, []]));
    this.bridgeOf = new Map();
    for (const d of devices) {
      if (d.bridge === undefined || d.friendlyName === undefined || !this.bridges.has(d.bridge)) continue;
      this.names.set(`${d.bridge}\u0000${d.friendlyName}`, d.id);
      this.devicesOf.get(d.bridge)!.push(d.id);
      this.bridgeOf.set(d.id, d.bridge);
    }
    for (const id of [...this.states.keys()]) if (!this.bridges.has(id)) this.states.delete(id);
  }

  /** Is this MQTT account a bridge? */
  isBridge(id: string): boolean {
    return this.bridges.has(id);
  }

  publishVerdict(bridgeId: string, topic: string): BridgeTopic {
    return bridgePublish(bridgeId, this.bridges.get(bridgeId)!.baseTopic, topic);
  }

  subscribeVerdict(bridgeId: string, filter: string): Verdict {
    return bridgeMaySubscribe(bridgeId, this.bridges.get(bridgeId)!.baseTopic, filter);
  }

  /** A publish the ACL let through (publishVerdict). `done` runs once it is committed, or at once. */
  handle(bridgeId: string, topic: Accepted, payload: Buffer, receivedAt: number, done: (err: Error | null) => void): void {
    if (topic.kind === 'bridge-state') this.stateChanged(bridgeId, payload, receivedAt);
    else if (topic.kind === 'bridge-devices') this.listReceived(bridgeId, payload, receivedAt);
    if (topic.kind !== 'state' && topic.kind !== 'availability') {
      done(null);
      return;
    }
    const deviceId = this.names.get(`${bridgeId}\u0000${topic.friendlyName}`);
    if (deviceId === undefined) {
      const name = topic.friendlyName.length > 64 ? `${topic.friendlyName.slice(0, 64)}…` : topic.friendlyName;
      this.hooks.reject(bridgeId, 'unknown_friendly_name', `no device has friendlyName ${JSON.stringify(name)} on bridge ${bridgeId}; add it under devices: (gatehouse discover lists what the bridge has paired)`, receivedAt);
      done(null);
      return;
    }
    this.state(bridgeId).down.delete(deviceId); // it speaks, so it is reachable (the hub records that as it is seen)
    this.hooks.submit({ deviceId, channel: topic.kind, payload, receivedAt }, done);
  }

  private state(bridgeId: string): BridgeState {
    let s = this.states.get(bridgeId);
    if (!s) {
      s = { online: undefined, since: undefined, down: new Set(), paired: undefined };
      this.states.set(bridgeId, s);
    }
    return s;
  }

  private stateChanged(bridgeId: string, payload: Buffer, at: number): void {
    const said = bridgeState(payload);
    if (said === undefined) {
      this.hooks.reject(bridgeId, 'bad_field', `bridge/state must be online, offline or {"state":"online"|"offline"}`, at);
      return;
    }
    this.setOnline(bridgeId, said === 'online', at, `Zigbee2MQTT bridge ${bridgeId} reported ${said} (bridge/state)`);
  }

  private setOnline(bridgeId: string, online: boolean, at: number, reason: string): void {
    const s = this.state(bridgeId);
    if (s.online === online) return;
    s.online = online;
    s.since = at;
    this.hooks.log.info({ bridgeId, online }, reason);
    if (!online) {
      const ids = this.devicesOf.get(bridgeId) ?? [];
      for (const id of ids) s.down.add(id);
      this.hooks.unreachable(bridgeId, ids, reason);
    } else if (s.down.size > 0) {
      const ids = [...s.down].filter((id) => this.bridgeOf.get(id) === bridgeId);
      s.down.clear();
      this.hooks.reachable(bridgeId, ids, reason);
    }
  }

  /** The hub closed the bridge's connection (its secret or base topic changed): no last will comes, so say it here. */
  closed(bridgeId: string, reason: string, at: number): void {
    if (this.bridges.has(bridgeId)) this.setOnline(bridgeId, false, at, `Zigbee2MQTT bridge ${bridgeId} disconnected: ${reason}`);
  }

  private listReceived(bridgeId: string, payload: Buffer, at: number): void {
    const devices = pairedDevices(payload);
    if (devices === undefined) {
      this.hooks.reject(bridgeId, 'bad_field', 'bridge/devices must be a JSON array of devices', at);
      return;
    }
    this.state(bridgeId).paired = { at, devices };
  }

  /** What the devices API shows as a Zigbee device's link: its bridge and whether the bridge is online. */
  status(deviceId: string): Readonly<Record<string, unknown>> | undefined {
    const bridgeId = this.bridgeOf.get(deviceId);
    if (bridgeId === undefined) return undefined;
    const s = this.states.get(bridgeId);
    const state = s?.online === undefined ? 'bridge not heard from' : s.online ? 'bridge online' : 'bridge offline';
    return { bridge: bridgeId, state, ...(s?.since !== undefined ? { since: s.since } : {}) };
  }

  /** Each bridge: online or not, and the devices it has paired, each with the configured device it is (or null). */
  list(): BridgeView[] {
    return [...this.bridges.values()].map((b) => {
      const s = this.states.get(b.id);
      return {
        id: b.id,
        kind: b.kind,
        baseTopic: b.baseTopic,
        online: s?.online ?? null,
        pairedAt: s?.paired?.at ?? null,
        paired: (s?.paired?.devices ?? []).map((d) => ({ ...d, configuredAs: this.names.get(`${b.id}\u0000${d.friendlyName}`) ?? null })),
      };
    });
  }
}

export interface BridgeView {
  readonly id: string;
  readonly kind: string;
  readonly baseTopic: string;
  readonly online: boolean | null;
  readonly pairedAt: number | null;
  readonly paired: readonly (PairedDevice & { readonly configuredAs: string | null })[];
}
