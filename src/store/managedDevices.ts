import type { Db } from './database.ts';
import type { DeviceConfig } from '../config/schema.ts';

export interface ManagedDevice {
  readonly device: DeviceConfig;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly updatedAt: number;
  /** When an admin disabled it: out of the running config (disconnected, refused), kept to enable again. */
  readonly disabledAt?: number | undefined;
}

interface Row {
  id: string;
  device: string;
  created_at: number;
  created_by: string;
  updated_at: number;
  disabled_at: number | null;
}

const toManaged = (r: Row): ManagedDevice => ({
  device: JSON.parse(r.device) as DeviceConfig,
  createdAt: r.created_at,
  createdBy: r.created_by,
  updatedAt: r.updated_at,
  ...(r.disabled_at !== null ? { disabledAt: r.disabled_at } : {}),
});

/** Devices added through the API (the config file's devices are pinned there, not stored). */
export class ManagedDeviceStore {
  constructor(private readonly db: Db) {}

  get(id: string): ManagedDevice | undefined {
    const row = this.db.prepare('SELECT * FROM managed_devices WHERE id = ?').get(id) as Row | undefined;
    return row ? toManaged(row) : undefined;
  }

  list(): ManagedDevice[] {
    return (this.db.prepare('SELECT * FROM managed_devices ORDER BY id').all() as Row[]).map(toManaged);
  }

  /** The enabled ones: what the running config holds. */
  devices(): DeviceConfig[] {
    return this.list().filter((m) => m.disabledAt === undefined).map((m) => m.device);
  }

  setDisabled(id: string, at: number | null): boolean {
    return this.db.prepare('UPDATE managed_devices SET disabled_at = ?, updated_at = coalesce(?, updated_at) WHERE id = ?').run(at, at, id).changes > 0;
  }

  create(device: DeviceConfig, at: number, by: string): void {
    this.db.prepare('INSERT INTO managed_devices (id, device, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, ?)').run(device.id, JSON.stringify(device), at, by, at);
  }

  /** An import: all of them or none. */
  createMany(devices: readonly DeviceConfig[], at: number, by: string): void {
    this.db.transaction(() => {
      for (const d of devices) this.create(d, at, by);
    })();
  }

  update(device: DeviceConfig, at: number): boolean {
    return this.db.prepare('UPDATE managed_devices SET device = ?, updated_at = ? WHERE id = ?').run(JSON.stringify(device), at, device.id).changes > 0;
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM managed_devices WHERE id = ?').run(id).changes > 0;
  }
}
