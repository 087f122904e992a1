import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { IncidentService } from './incidents.ts';
import type { LiveFeed } from './liveFeed.ts';

/**
 * After each committed batch of incident changes: the guard room first (the
 * live feed), then the county (wake the uplink; a critical one jumps the
 * queue), then the log and the metrics.
 */
export function announceIncidents(parts: {
  readonly incidents: IncidentService;
  readonly live: LiveFeed;
  readonly wakeUplink: (urgent: boolean) => void;
  readonly metrics: Metrics;
  readonly log: Logger;
}): void {
  parts.incidents.onChange((changes) => {
    for (const change of changes) parts.live.publish({ type: 'incident', change: change.type, data: change.incident });
    parts.wakeUplink(changes.some((c) => c.incident.severity === 'critical'));
    for (const { type, incident } of changes) {
      if (type === 'opened') {
        parts.metrics.incidentsOpened.inc({ kind: incident.kind, severity: incident.severity });
        parts.log.warn({ incidentId: incident.id, kind: incident.kind, severity: incident.severity, zoneId: incident.zoneId }, `incident opened: ${incident.title}`);
      } else if (type === 'escalated') {
        parts.log.warn({ incidentId: incident.id, level: incident.escalationLevel }, `incident escalated: ${incident.title}`);
      }
    }
  });
}
