import type { Actor } from '../core/actor.ts';
import { GatehouseError } from '../core/errors.ts';
import type { Incident, Severity } from '../core/incident.ts';
import { reportHit, type Report } from '../core/incidents/reports.ts';
import type { GatehouseConfig, ReportKind } from '../config/types.ts';
import { SignInThrottle } from '../auth/signInThrottle.ts';
import type { IncidentService } from './incidents.ts';

/** Reports one person may file in REPORT_WINDOW_MS: plenty for a bad night, too few for a stolen token to flood the county. */
export const REPORTS_PER_WINDOW = 10;
export const REPORT_WINDOW_MS = 10 * 60_000;

/**
 * Incidents a person reports (POST /api/v1/incidents): the kind must be one the
 * campus knows, the zone one it has; each person may file a bounded number in a
 * window. The incident then lives like any other.
 */
export class IncidentReports {
  /** A sliding-window counter per username (the same one sign-in throttling uses). */
  private readonly perUser = new SignInThrottle(REPORTS_PER_WINDOW, REPORT_WINDOW_MS);

  constructor(
    private readonly parts: {
      readonly incidents: IncidentService;
      readonly config: () => GatehouseConfig;
    },
  ) {}

  kinds(): readonly ReportKind[] {
    return this.parts.config().incidents.reportKinds;
  }

  file(report: Report & { readonly severity?: Severity | undefined }, actor: Actor, now: number): Incident {
    const config = this.parts.config();
    const known = config.incidents.reportKinds.find((k) => k.kind === report.kind);
    if (!known) throw new GatehouseError('GH_REPORT_KIND_UNKNOWN', `"${report.kind}" (known: ${config.incidents.reportKinds.map((k) => k.kind).join(', ')})`, 'body.kind');
    if (!config.zones.some((z) => z.id === report.zoneId)) throw new GatehouseError('GH_ZONE_UNKNOWN', `"${report.zoneId}"`, 'body.zoneId');
    if (this.perUser.blocked(actor.username, now)) throw new GatehouseError('GH_REPORT_LIMIT', `${REPORTS_PER_WINDOW} in ${REPORT_WINDOW_MS / 60_000} minutes`);
    this.perUser.reserve(actor.username, now);
    const note = report.note?.trim() || undefined;
    return this.parts.incidents.report(reportHit(report, known, actor.username), note, actor, now);
  }
}
