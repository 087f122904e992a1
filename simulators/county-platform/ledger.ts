import type { AuditHead, UplinkMessage } from './message.ts';

/** What the platform accepted, in arrival order, and the counters around it. */

export interface ReceivedItem extends UplinkMessage {
  /** Receive time, epoch ms with sub-ms precision (performance.timeOrigin + performance.now()). */
  readonly receivedAt: number;
  /** Requests seen with this Idempotency-Key so far (refused, faulted, accepted and duplicate ones). */
  readonly attempts: number;
}

export type RejectReason = 'bad_signature' | 'stale_timestamp' | 'malformed';
export type FaultKind = 'down' | 'unauthorized' | 'drop' | 'reject';

export interface ReceivedReport {
  readonly items: ReceivedItem[];
  /** Repeats of an accepted key (answered 200 `{ duplicate: true }`, not recorded again). */
  readonly duplicates: number;
  /** Genuine verification failures (global: a refused request's campus is not trusted). */
  readonly rejected: Record<RejectReason, number>;
  /** Answers forced by a fault switch (global). */
  readonly faults: Record<FaultKind, number>;
  /** Per campus: seq numbers missing between the lowest and highest accepted seq. */
  readonly gaps: Record<string, number[]>;
}

/** At most this many missing seqs are listed per campus (a wild seq must not blow up the report). */
export const GAP_LIST_LIMIT = 10_000;

interface Stored {
  readonly key: string;
  readonly message: UplinkMessage;
  readonly receivedAt: number;
}

export class Ledger {
  private items: Stored[] = [];
  private accepted = new Set<string>();
  private attempts = new Map<string, number>();
  private duplicatesByCampus = new Map<string, number>();
  private rejected: Record<RejectReason, number> = { bad_signature: 0, stale_timestamp: 0, malformed: 0 };
  private faults: Record<FaultKind, number> = { down: 0, unauthorized: 0, drop: 0, reject: 0 };

  get size(): number {
    return this.items.length;
  }

  /** Count a request carrying this key (whatever its outcome); returns the attempt number. */
  attempt(key: string | undefined): number {
    if (key === undefined || key === '') return 0;
    const n = (this.attempts.get(key) ?? 0) + 1;
    this.attempts.set(key, n);
    return n;
  }

  attemptsOf(key: string): number {
    return this.attempts.get(key) ?? 0;
  }

  has(key: string): boolean {
    return this.accepted.has(key);
  }

  /** Record an accepted message; returns the item as reported. */
  accept(key: string, message: UplinkMessage, receivedAt: number): ReceivedItem {
    this.accepted.add(key);
    const stored = { key, message, receivedAt };
    this.items.push(stored);
    return this.view(stored);
  }

  duplicate(campusId: string): void {
    this.duplicatesByCampus.set(campusId, (this.duplicatesByCampus.get(campusId) ?? 0) + 1);
  }

  reject(reason: RejectReason): void {
    this.rejected[reason] += 1;
  }

  fault(kind: FaultKind): void {
    this.faults[kind] += 1;
  }

  reset(): void {
    this.items = [];
    this.accepted.clear();
    this.attempts.clear();
    this.duplicatesByCampus.clear();
    for (const k of Object.keys(this.rejected) as RejectReason[]) this.rejected[k] = 0;
    for (const k of Object.keys(this.faults) as FaultKind[]) this.faults[k] = 0;
  }

  report(campusId?: string): ReceivedReport {
    const stored = campusId === undefined ? this.items : this.items.filter((s) => s.message.campusId === campusId);
    const seqs = new Map<string, number[]>();
    for (const s of stored) {
      const list = seqs.get(s.message.campusId) ?? [];
      list.push(s.message.seq);
      seqs.set(s.message.campusId, list);
    }
    const gaps: Record<string, number[]> = {};
    for (const [campus, list] of seqs) gaps[campus] = missing(list);
    let duplicates = 0;
    for (const [campus, n] of this.duplicatesByCampus) if (campusId === undefined || campus === campusId) duplicates += n;
    return {
      items: stored.map((s) => this.view(s)),
      duplicates,
      rejected: { ...this.rejected },
      faults: { ...this.faults },
      gaps,
    };
  }

  /**
   * The audit-chain heads a campus sent (`audit.anchor`), every one ever accepted, in
   * arrival order: a hub whose chain was cut short or rewritten cannot take them back.
   */
  heads(campusId: string): (AuditHead & { readonly seq: number; readonly receivedAt: number })[] {
    return this.items
      .filter((s) => s.message.campusId === campusId && s.message.type === 'audit.anchor')
      .map((s) => {
        const p = s.message.payload as unknown as AuditHead;
        return { auditSeq: p.auditSeq, hash: p.hash, at: p.at, seq: s.message.seq, receivedAt: s.receivedAt };
      });
  }

  private view(s: Stored): ReceivedItem {
    return { ...s.message, receivedAt: s.receivedAt, attempts: this.attemptsOf(s.key) };
  }
}

/** Seqs absent between the lowest and highest present (each seq is present at most once). */
export function missing(seqs: readonly number[]): number[] {
  const sorted = [...seqs].sort((a, b) => a - b);
  const out: number[] = [];
  for (let i = 1; i < sorted.length && out.length < GAP_LIST_LIMIT; i++) {
    const prev = sorted[i - 1] as number;
    const cur = sorted[i] as number;
    for (let s = prev + 1; s < cur && out.length < GAP_LIST_LIMIT; s++) out.push(s);
  }
  return out;
}
