import type { Db } from './database.ts';
import type { DeviceHealth } from '../core/device.ts';

export interface StoredDeviceState {
  readonly deviceId: string;
  readonly online: boolean | undefined;
  readonly lastSeen: number | undefined;
  readonly health: DeviceHealth;
}

/** Each device's last known state, so a restart does not forget who was offline. */
export class DeviceStateStore {
  private readonly upsertStmt;

  constructor(private readonly db: Db) {
    this.upsertStmt = db.prepare(
      `INSERT INTO device_state (device_id, online, last_seen, health, updated_at) VALUES (@deviceId, @online, @lastSeen, @health, @now)
       ON CONFLICT(device_id) DO UPDATE SET online = excluded.online, last_seen = excluded.last_seen,
         health = excluded.health, updated_at = excluded.updated_at`,
    );
  }

  save(state: StoredDeviceState, now: number): void {
    this.upsertStmt.run({
      deviceId: state.deviceId,
      online: state.online === undefined ? null : state.online ? 1 : 0,
      lastSeen: state.lastSeen ?? null,
      health: JSON.stringify(state.health),
      now,
    });
  }

  all(): StoredDeviceState[] {
    const rows = this.db.prepare('SELECT device_id, online, last_seen, health FROM device_state').all() as {
      device_id: string;
      online: number | null;
      last_seen: number | null;
      health: string | null;
    }[];
    return rows.map((r) => ({
      deviceId: r.device_id,
      online: r.online === null ? undefined : r.online === 1,
      lastSeen: r.last_seen ?? undefined,
      health: r.health ? (JSON.parse(r.health) as DeviceHealth) : {},
    }));
  }
}
