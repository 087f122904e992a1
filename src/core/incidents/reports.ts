import type { IncidentKind, Severity } from '../incident.ts';
import type { Hit } from './rule.ts';

/** What a guard may report by default, and how loud each is unless they say otherwise. */
export const BUILT_IN_REPORT_KINDS: readonly { readonly kind: IncidentKind; readonly title: string; readonly severity: Severity }[] = [
  { kind: 'fire', title: 'Fire', severity: 'critical' },
  { kind: 'intrusion', title: 'Intruder', severity: 'critical' },
  { kind: 'fight', title: 'Fight', severity: 'high' },
  { kind: 'medical', title: 'Medical emergency', severity: 'high' },
  { kind: 'missing_person', title: 'Missing student', severity: 'high' },
  { kind: 'other', title: 'Other', severity: 'medium' },
];

export interface Report {
  readonly kind: string;
  readonly severity?: Severity | undefined;
  readonly zoneId: string;
  readonly note?: string | undefined;
}

/**
 * The incident a person's report raises: the kind's title (and severity unless
 * the reporter chose one), who reported it and what they said. A second report
 * of the same kind in the same zone while the first is open joins it, as a
 * second alarm from a device would.
 */
export function reportHit(report: Report, known: { readonly kind: string; readonly title: string; readonly severity: Severity }, reportedBy: string): Hit {
  const note = report.note?.trim();
  return {
    // A configured kind is a checked name the built-in union does not list.
    kind: report.kind as IncidentKind,
    severity: report.severity ?? known.severity,
    zoneId: report.zoneId,
    title: note ? `${known.title}: ${note.length > 80 ? `${note.slice(0, 79)}…` : note}` : `${known.title} (reported)`,
    data: { source: 'person', reportedBy, ...(note ? { note } : {}) },
  };
}
