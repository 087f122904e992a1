import type { DeviceHealth } from './device.ts';

/**
 * Which devices are online. Pure bookkeeping: inputs are what transports saw,
 * outputs are transitions the hub turns into `device.online` / `device.offline`
 * events. Silence longer than a device's `offlineAfter` takes it offline.
 */

export interface DevicePresence {
  readonly deviceId: string;
  /** undefined until the hub has heard from it or timed it out. */
  readonly online: boolean | undefined;
  readonly lastSeen: number | undefined;
  readonly health: DeviceHealth;
}

export interface Transition {
  readonly deviceId: string;
  readonly online: boolean;
  readonly reason: string;
  readonly at: number;
  /** The bridge whose going offline (or returning) moved the device: one cause for all its devices. */
  readonly bridge?: string | undefined;
}

interface Entry {
  online: boolean | undefined;
  lastSeen: number | undefined;
  /** Silence is measured from here: the last message, or hub start. */
  quietSince: number;
  health: DeviceHealth;
  offlineAfterMs: number;
}

export class Presence {
  private readonly entries = new Map<string, Entry>();

  constructor(devices: readonly { id: string; offlineAfter: number }[], restored: readonly DevicePresence[], startedAt: number) {
    const known = new Map(restored.map((r) => [r.deviceId, r]));
    for (const d of devices) {
      const r = known.get(d.id);
      this.entries.set(d.id, {
        online: r?.online,
        lastSeen: r?.lastSeen,
        quietSince: startedAt,
        health: r?.health ?? {},
        offlineAfterMs: d.offlineAfter * 1000,
      });
    }
  }

  /**
   * The device list changed (a reloaded config, a device added through the API):
   * new devices start unknown and are timed from `now`, removed ones are forgotten,
   * the others keep their state with their new offlineAfter.
   */
  reconfigure(devices: readonly { id: string; offlineAfter: number }[], now: number): void {
    const wanted = new Set(devices.map((d) => d.id));
    for (const id of this.entries.keys()) if (!wanted.has(id)) this.entries.delete(id);
    for (const d of devices) {
      const e = this.entries.get(d.id);
      if (e) e.offlineAfterMs = d.offlineAfter * 1000;
      else this.entries.set(d.id, { online: undefined, lastSeen: undefined, quietSince: now, health: {}, offlineAfterMs: d.offlineAfter * 1000 });
    }
  }

  private entry(deviceId: string): Entry {
    const e = this.entries.get(deviceId);
    if (!e) throw new Error(`presence: unknown device ${deviceId}`);
    return e;
  }

  /** Any message (or a connection) from the device. */
  seen(deviceId: string, at: number, reason = 'message received'): Transition | undefined {
    const e = this.entry(deviceId);
    e.lastSeen = Math.max(e.lastSeen ?? 0, at);
    e.quietSince = Math.max(e.quietSince, at);
    if (e.online === true) return undefined;
    e.online = true;
    return { deviceId, online: true, reason, at };
  }

  /** The device's own status report (`online` may be absent: health only). */
  status(deviceId: string, at: number, online: boolean | undefined, health: DeviceHealth | undefined, reason: string): Transition | undefined {
    const e = this.entry(deviceId);
    if (health && Object.keys(health).length > 0) e.health = { ...e.health, ...health };
    if (online === false) {
      e.lastSeen = Math.max(e.lastSeen ?? 0, at);
      if (e.online === false) return undefined;
      e.online = false;
      return { deviceId, online: false, reason, at };
    }
    return this.seen(deviceId, at, reason);
  }

  /** Transport-level loss (a serial port gone, a camera not answering). */
  lost(deviceId: string, at: number, reason: string): Transition | undefined {
    const e = this.entry(deviceId);
    if (e.online === false) return undefined;
    e.online = false;
    return { deviceId, online: false, reason, at };
  }

  /** Devices silent past their offlineAfter go offline. */
  tick(now: number): Transition[] {
    const out: Transition[] = [];
    for (const [deviceId, e] of this.entries) {
      if (e.online === false) continue;
      const silentMs = now - e.quietSince;
      if (silentMs > e.offlineAfterMs) {
        e.online = false;
        out.push({ deviceId, online: false, reason: `silent for ${Math.round(silentMs / 1000)} s (offlineAfter ${e.offlineAfterMs / 1000} s)`, at: now });
      }
    }
    return out;
  }

  get(deviceId: string): DevicePresence | undefined {
    const e = this.entries.get(deviceId);
    return e ? { deviceId, online: e.online, lastSeen: e.lastSeen, health: e.health } : undefined;
  }

  all(): DevicePresence[] {
    return [...this.entries.keys()].map((id) => this.get(id)!);
  }
}
