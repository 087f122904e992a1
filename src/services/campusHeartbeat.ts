import type { DeviceService } from './devices.ts';
import type { IncidentService } from './incidents.ts';
import type { HazardService } from './hazards.ts';
import type { AuditLog } from '../store/audit.ts';
import { VERSION } from '../version.ts';

/** What the county hears every minute: is the campus watched, and how well. */
export function campusHeartbeat(parts: {
  readonly devices: DeviceService;
  readonly incidents: IncidentService;
  readonly hazards: HazardService;
  readonly audit: AuditLog;
  readonly startedAt: number;
}): (now: number) => Record<string, unknown> {
  return (now) => {
    const list = parts.devices.list();
    const open = { critical: 0, high: 0, medium: 0, low: 0 };
    let drills = 0;
    for (const i of parts.incidents.active()) {
      if (i.drill) drills++;
      else open[i.severity]++;
    }
    let openHazards = 0;
    let overdueHazards = 0;
    for (const c of parts.hazards.countsByZone(now).values()) {
      openHazards += c.open;
      overdueHazards += c.overdue;
    }
    return {
      devices: { total: list.length, online: list.filter((d) => d.online).length, offline: list.filter((d) => !d.online).length },
      incidents: { open, drills },
      hazards: { open: openHazards, overdue: overdueHazards },
      auditHead: parts.audit.head(),
      version: VERSION,
      uptimeSeconds: Math.round((now - parts.startedAt) / 1000),
    };
  };
}
