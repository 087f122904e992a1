/** Counters for the periodic and final summaries. */
export const MALFORMED = '(malformed)';

export class Stats {
  private readonly sentByKind = new Map<string, number>();
  private readonly ackedByKind = new Map<string, number>();
  sent = 0;
  acked = 0;
  failed = 0;
  statusSent = 0;
  refusedConnects = 0;
  commands = 0;

  eventSent(kind: string): void {
    this.sent++;
    this.sentByKind.set(kind, (this.sentByKind.get(kind) ?? 0) + 1);
  }

  eventAcked(kind: string): void {
    this.acked++;
    this.ackedByKind.set(kind, (this.ackedByKind.get(kind) ?? 0) + 1);
  }

  /** `access.granted 120/120, alarm.panic 1/1, …` (sent/acked), by kind. */
  byKind(): string {
    const kinds = [...this.sentByKind.keys()].sort();
    if (kinds.length === 0) return 'no events yet';
    return kinds.map((k) => `${k} ${this.sentByKind.get(k) ?? 0}/${this.ackedByKind.get(k) ?? 0}`).join(', ');
  }

  malformedSent(): number {
    return this.sentByKind.get(MALFORMED) ?? 0;
  }
}
