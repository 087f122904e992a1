/**
 * When the audit chain's head goes to the county (`audit.anchor`, payload
 * `{ auditSeq, hash, at }`). Every change of the head is sent, but coalesced: at
 * most one anchor per `everyMs`, so a burst of audit rows (a flood of refused
 * sign-ins is audited too) costs one message, not one per row. The newest head is
 * never left behind: it goes at the next tick after the pause, at start-up
 * (rows written before a crash), and when the hub stops (queued for the next start).
 * Pure apart from the clock value it is handed.
 */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
  readonly at: number;
}

export type AnchorPayload = {
  readonly auditSeq: number;
  readonly hash: string;
  /** When the head row was written (epoch ms). */
  readonly at: number;
};

export class AnchorSchedule {
  private sent: { seq: number; hash: string } | undefined;
  private sentAt = -Infinity;

  constructor(private readonly everyMs: number) {}

  /** The anchor to queue now, if any; `force` skips the pause (start-up, stop). */
  due(head: ChainHead | undefined, now: number, force = false): AnchorPayload | undefined {
    if (!head || head.seq < 1) return undefined;
    if (this.sent && this.sent.seq === head.seq && this.sent.hash === head.hash) return undefined;
    if (!force && now - this.sentAt < this.everyMs) return undefined;
    return { auditSeq: head.seq, hash: head.hash, at: head.at };
  }

  /** Call once the anchor is in the outbox. */
  queued(anchor: AnchorPayload, now: number): void {
    this.sent = { seq: anchor.auditSeq, hash: anchor.hash };
    this.sentAt = now;
  }
}
