/**
 * Conditions the hub turns into hazards by itself (pure: the caller passes
 * what it knows and `now`). Each has a stable source key, so while its hazard
 * is open the condition does not raise another.
 */

/** Devices silent this long become hazards (faults are to be fixed within 24 h, GB/T 29315). */
export const DEVICE_OFFLINE_HAZARD_MS = 24 * 3600_000;

export interface DeviceCondition {
  readonly id: string;
  readonly zoneId: string;
  readonly online: boolean;
  readonly lastSeen: number | null;
}

export interface RaisedCondition {
  readonly sourceKey: string;
  readonly deviceId: string;
  readonly zoneId: string;
  /** Since when the condition holds (epoch ms). */
  readonly since: number;
}

/** Devices offline for longer than `afterMs`, measured from when they were last heard. */
export function offlineTooLong(devices: readonly DeviceCondition[], now: number, afterMs = DEVICE_OFFLINE_HAZARD_MS): RaisedCondition[] {
  return devices
    .filter((d) => !d.online && d.lastSeen !== null && now - d.lastSeen > afterMs)
    .map((d) => ({ sourceKey: `device-offline:${d.id}`, deviceId: d.id, zoneId: d.zoneId, since: d.lastSeen! }));
}

/**
 * Panic buttons whose last test is older than `everyDays` days. A button never
 * tested counts from `since` (when the hub started watching): the hub has no
 * record of an installation date.
 */
export function panicTestsOverdue(
  buttons: readonly { readonly id: string; readonly zoneId: string }[],
  lastTests: ReadonlyMap<string, number>,
  now: number,
  everyDays: number,
  since: number,
): RaisedCondition[] {
  const period = everyDays * 24 * 3600_000;
  return buttons
    .map((b) => ({ button: b, last: lastTests.get(b.id) ?? since }))
    .filter(({ last }) => now - last > period)
    .map(({ button, last }) => ({ sourceKey: `panic-test-overdue:${button.id}`, deviceId: button.id, zoneId: button.zoneId, since: last }));
}
