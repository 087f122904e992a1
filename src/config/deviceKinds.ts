import type { AnyProfile } from '../core/device.ts';
import { DEVICE_ROLES, kindPolicy } from '../core/deviceRoles.ts';
import type { ResolvedDevice } from './types.ts';

/**
 * Devices that may raise any event kind: generic ones with neither a role with a
 * fixed list nor `kinds`. They stay valid — the config contract's own example
 * device has no role, and refusing it (or narrowing it to device.*) would stop a
 * panic button configured that way from raising its alarm after an upgrade —
 * but `start` and `check-config` say so, every time.
 */
export function unrestrictedDevices(
  devices: readonly ResolvedDevice[],
  profiles: ReadonlyMap<string, AnyProfile>,
): { readonly ids: readonly string[]; readonly message: string } | undefined {
  const ids = devices.filter((d) => {
    const profile = profiles.get(d.profile);
    return profile !== undefined && kindPolicy(profile, d).allowed === undefined;
  }).map((d) => d.id);
  if (ids.length === 0) return undefined;
  const shown = ids.slice(0, 5).join(', ') + (ids.length > 5 ? ` and ${ids.length - 5} more` : '');
  return {
    ids,
    message:
      `devices ${shown} may raise any event kind, alarm.panic included, because they have no role or kinds; ` +
      `give each its role (${DEVICE_ROLES.filter((r) => r !== 'io-module' && r !== 'other').join(', ')}) or a kinds list`,
  };
}
