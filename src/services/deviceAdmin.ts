import { auditEntry } from '../core/audit.ts';
import type { AnyProfile } from '../core/device.ts';
import type { Actor } from '../core/actor.ts';
import { GatehouseError } from '../core/errors.ts';
import type { DeviceConfig } from '../config/schema.ts';
import type { ManagedEntries } from '../config/load.ts';
import { generateDeviceSecret, hashDeviceSecret } from '../auth/deviceSecrets.ts';
import type { AuditLog } from '../store/audit.ts';
import type { ManagedDevice, ManagedDeviceStore } from '../store/managedDevices.ts';
import type { LiveConfig } from './liveConfig.ts';

export interface NewDevice {
  readonly id: string;
  readonly profile: string;
  readonly zoneId: string;
  readonly name?: string | undefined;
  readonly role?: DeviceConfig['role'];
}

export type Requester = Actor;

/**
 * Devices added, re-keyed and removed through the API (admin). The config file
 * pins the devices it lists; these live in the store, are checked together with
 * the file's by the same rules, and take effect at once — nobody else's
 * connection drops. Secrets are generated here, shown once, stored as salted hashes.
 */
export class DeviceAdmin {
  constructor(
    private readonly deps: {
      readonly live: LiveConfig;
      readonly store: ManagedDeviceStore;
      readonly profiles: ReadonlyMap<string, AnyProfile>;
      readonly audit: AuditLog;
      readonly now: () => number;
    },
  ) {}

  list(): ManagedDevice[] {
    return this.deps.store.list();
  }

  /** Which devices the config file pins (the API cannot change them). */
  pinned(id: string): boolean {
    return this.deps.live.pins(id);
  }

  async add(input: NewDevice, by: Requester): Promise<{ device: DeviceConfig; secret: string }> {
    if (this.deps.live.current.devices.some((d) => d.id === input.id) || this.deps.store.get(input.id)) throw new GatehouseError('GH_DEVICE_EXISTS', input.id, 'body.id');
    const profile = this.deps.profiles.get(input.profile);
    if (profile && profile.transport !== 'mqtt') throw new GatehouseError('GH_DEVICE_PROFILE_UNSUPPORTED', `${input.profile} is a ${profile.transport} profile`, 'body.profile');
    const secret = generateDeviceSecret();
    const device: DeviceConfig = {
      id: input.id,
      profile: input.profile,
      zone: input.zoneId,
      ...(input.name !== undefined ? { name: input.name } : {}),
      ...(input.role !== undefined ? { role: input.role } : {}),
      secretHash: hashDeviceSecret(secret),
    };
    const at = this.deps.now();
    await this.change((now) => ({ devices: [...now.devices, device] }), () => this.deps.store.create(device, at, by.username));
    this.audit(by, 'device.create', device.id, { profile: device.profile, zoneId: device.zone, ...(device.role ? { role: device.role } : {}) });
    return { device, secret };
  }

  /** A new secret; the old one is refused from now on and the device's connection closes. */
  async rotateSecret(id: string, by: Requester): Promise<string> {
    const existing = this.managed(id);
    const secret = generateDeviceSecret();
    const device: DeviceConfig = { ...existing.device, secretHash: hashDeviceSecret(secret) };
    await this.change(
      (now) => ({ devices: now.devices.map((d) => (d.id === id ? device : d)) }),
      () => this.deps.store.update(device, this.deps.now()),
    );
    this.audit(by, 'device.secret', id);
    return secret;
  }

  /** Gone from the hub: disconnected and refused from now on. Its stored events stay. */
  async remove(id: string, by: Requester): Promise<void> {
    this.managed(id);
    await this.change(
      (now) => ({ devices: now.devices.filter((d) => d.id !== id) }),
      () => this.deps.store.delete(id),
    );
    this.audit(by, 'device.delete', id);
  }

  /** Disabled: out of the running config — disconnected and refused — but kept, secret and all, to enable again. */
  async setDisabled(id: string, disabled: boolean, by: Requester): Promise<ManagedDevice> {
    const existing = this.managed(id);
    if ((existing.disabledAt !== undefined) !== disabled) {
      const at = this.deps.now();
      await this.change(
        (now) => ({ devices: disabled ? now.devices.filter((d) => d.id !== id) : [...now.devices, existing.device] }),
        () => this.deps.store.setDisabled(id, disabled ? at : null),
      );
      this.audit(by, disabled ? 'device.disable' : 'device.enable', id);
    }
    return this.managed(id);
  }

  private managed(id: string): ManagedDevice {
    if (this.pinned(id)) throw new GatehouseError('GH_DEVICE_PINNED', id);
    const existing = this.deps.store.get(id);
    if (!existing) throw new GatehouseError('GH_DEVICE_NOT_FOUND', id);
    return existing;
  }

  private async change(candidate: (now: ManagedEntries) => Partial<ManagedEntries>, commit: () => void): Promise<void> {
    const outcome = await this.deps.live.changeManaged(candidate, commit);
    if (!outcome.ok) throw new GatehouseError('GH_DEVICE_INVALID', outcome.errors[0], undefined, outcome.errors);
  }

  private audit(by: Requester, action: string, id: string, detail?: Record<string, unknown>): void {
    this.deps.audit.append(auditEntry(by, action, { type: 'device', id }, 'ok', detail), this.deps.now());
  }
}
