import type { AnyProfile, DecodeNotice, DecodedEvent, RawMessage } from '../core/device.ts';
import { describeKinds, kindPolicy, type KindPolicy } from '../core/deviceRoles.ts';
import type { ResolvedDevice } from '../config/types.ts';
import type { Logger } from '../observability/logger.ts';
import type { Clock } from '../core/clock.ts';
import type { GatehouseEvent } from '../core/event.ts';
import type { Transition } from '../core/presence.ts';
import type { DeviceService } from '../services/devices.ts';
import type { RejectTracker } from './rejects.ts';
import type { Recorder, RecordItem } from './recorder.ts';
import type { Done } from './groupCommit.ts';

/**
 * Raw message → profile → normalized events → recorder. The single entry point
 * for every transport. `done` is called once the message's events are durably
 * committed (or right away when the message was rejected: acknowledging a bad
 * payload stops the device from redelivering it forever).
 */
export class Ingest {
  private readonly profileState = new Map<string, unknown>();
  /** Each device's allowed kinds, worked out once per (frozen) device config. */
  private readonly policies = new WeakMap<ResolvedDevice, KindPolicy>();

  constructor(
    private readonly devices: DeviceService,
    private readonly profiles: ReadonlyMap<string, AnyProfile>,
    private readonly recorder: Recorder,
    private readonly rejects: RejectTracker,
    private readonly clock: Clock,
    private readonly newId: () => string,
    private readonly log?: Logger,
  ) {}

  /** Notices already logged, per device (see DecodeNotice). */
  private readonly noticed = new Set<string>();

  private notice(deviceId: string, notices: readonly DecodeNotice[]): void {
    for (const n of notices) {
      const key = `${deviceId}\u0000${n.key}`;
      if (this.noticed.has(key)) continue;
      if (this.noticed.size >= 10_000) this.noticed.clear(); // bounded, whatever a device sends
      this.noticed.add(key);
      this.log?.warn({ deviceId, fixture: n.fixture }, n.message);
    }
  }

  submit(raw: RawMessage, done: Done): void {
    const device = this.devices.config(raw.deviceId);
    const profile = device && this.profiles.get(device.profile);
    if (!device || !profile) {
      this.rejects.record(raw.deviceId, 'unknown_device', `no device ${raw.deviceId} in the config`, raw.receivedAt);
      done(null);
      return;
    }
    let result;
    try {
      result = profile.decode(raw, { deviceId: device.id, options: device.profileOptions, state: this.profileState.get(device.id) });
    } catch (err) {
      // A profile bug must cost one message, never the hub.
      this.rejects.record(device.id, 'decoder_error', `profile ${profile.id} threw: ${(err as Error).message}`, raw.receivedAt);
      done(null);
      return;
    }
    if (!result.ok) {
      this.rejects.record(device.id, result.reason, result.detail, raw.receivedAt);
      done(null);
      return;
    }
    if (result.state !== undefined) this.profileState.set(device.id, result.state);
    // A kind the device may not raise is refused like a bad payload; a message of nothing else, entirely.
    const decodedEvents = this.permitted(device, profile, result.events, raw.receivedAt);
    if (decodedEvents.length === 0 && result.events.length > 0) {
      done(null);
      return;
    }
    if (result.notices) this.notice(device.id, result.notices);
    if (result.repairs) for (const r of result.repairs) this.rejects.repaired(device.id, r.reason, r.detail, raw.receivedAt);

    let transition: Transition | undefined;
    if (raw.channel === 'status' || result.online !== undefined || result.health !== undefined) {
      const reason = result.online === false ? 'device reported offline (status or last will)' : 'device reported online';
      transition = this.devices.status(device.id, raw.receivedAt, result.online, result.health, reason);
    } else {
      transition = this.devices.seen(device.id, raw.receivedAt);
    }

    const items: RecordItem[] = [];
    if (transition) items.push({ event: this.devices.transitionEvent(transition, this.newId) });
    for (const decoded of decodedEvents) {
      const event: GatehouseEvent = {
        id: this.newId(),
        deviceId: device.id,
        zoneId: device.zone,
        kind: decoded.kind,
        ts: decoded.ts ?? raw.receivedAt,
        receivedAt: raw.receivedAt,
        data: decoded.data ?? {},
        seq: decoded.seq,
      };
      items.push({ event, deviceTs: decoded.ts });
    }
    const announce = transition !== undefined || result.health !== undefined;
    if (items.length === 0) {
      if (announce) this.devices.announce(device.id, transition !== undefined);
      done(null);
      return;
    }
    this.recorder.record(items, (err) => {
      if (!err && announce) this.devices.announce(device.id, transition !== undefined);
      done(err);
    });
  }

  /** The events of kinds this device may raise; each other one is recorded as a rejection. */
  private permitted(device: ResolvedDevice, profile: AnyProfile, events: readonly DecodedEvent[], at: number): readonly DecodedEvent[] {
    let policy = this.policies.get(device);
    if (!policy) {
      policy = kindPolicy(profile, device);
      this.policies.set(device, policy);
    }
    const allowed = policy.allowed;
    if (!allowed || events.every((e) => allowed.has(e.kind))) return events;
    return events.filter((e) => {
      if (allowed.has(e.kind)) return true;
      this.rejects.record(device.id, 'kind_not_allowed', `${device.id} may not raise ${e.kind} (${policy.source}: ${describeKinds(allowed)}); if it really does, set its role or kinds`, at);
      return false;
    });
  }

  /**
   * A message a transport could not route to any configured device (a Zigbee
   * friendly name not in the config): counted and logged under its source's id,
   * like a payload that does not decode.
   */
  rejectUnrouted(sourceId: string, reason: string, detail: string, at: number): void {
    this.rejects.record(sourceId, reason, detail, at);
  }

  /** Record presence transitions found by supervision (silence, lost transports). */
  recordTransitions(transitions: readonly Transition[]): void {
    for (const t of transitions) {
      this.recorder.record([{ event: this.devices.transitionEvent(t, this.newId) }], (err) => {
        if (!err) this.devices.announce(t.deviceId);
      });
    }
  }

  /** A transport-level fault (port gone, credentials refused): a `device.fault` event naming the cause. */
  recordFault(deviceId: string, reason: string): void {
    const device = this.devices.config(deviceId);
    if (!device) return;
    const at = this.clock.now();
    const event: GatehouseEvent = { id: this.newId(), deviceId, zoneId: device.zone, kind: 'device.fault', ts: at, receivedAt: at, data: { reason } };
    this.recorder.record([{ event }], () => undefined);
  }
}
