import type { Device, Zone } from './types.ts';

export interface DeviceGroup {
  readonly zoneId: string;
  readonly name: string;
  readonly responsible?: string;
  readonly total: number;
  readonly offline: number;
  readonly devices: Device[];
}

/**
 * Devices by zone, in the config's zone order (zones with an offline device
 * first); within a zone offline devices first, then by name. `onlyOffline`
 * keeps the offline ones (zones with none drop out).
 */
export function groupDevices(devices: Iterable<Device>, zones: readonly Pick<Zone, 'id' | 'name' | 'responsible'>[], onlyOffline = false): DeviceGroup[] {
  const byZone = new Map<string, Device[]>();
  for (const d of devices) {
    const list = byZone.get(d.zoneId) ?? [];
    list.push(d);
    byZone.set(d.zoneId, list);
  }
  const order = [...zones.map((z) => z.id), ...[...byZone.keys()].filter((id) => !zones.some((z) => z.id === id)).sort()];
  const groups: DeviceGroup[] = [];
  for (const zoneId of order) {
    const all = byZone.get(zoneId);
    if (!all || all.length === 0) continue;
    const offline = all.filter((d) => !d.online).length;
    const shown = (onlyOffline ? all.filter((d) => !d.online) : [...all]).sort(
      (a, b) => Number(a.online) - Number(b.online) || (a.name ?? a.id).localeCompare(b.name ?? b.id) || a.id.localeCompare(b.id),
    );
    if (shown.length === 0) continue;
    const zone = zones.find((z) => z.id === zoneId);
    groups.push({ zoneId, name: zone?.name ?? zoneId, ...(zone?.responsible ? { responsible: zone.responsible } : {}), total: all.length, offline, devices: shown });
  }
  // Stable: zones with offline devices move up, otherwise config order.
  return groups.map((g, k) => ({ g, k })).sort((a, b) => Number(b.g.offline > 0) - Number(a.g.offline > 0) || a.k - b.k).map((x) => x.g);
}
