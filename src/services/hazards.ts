import type { Db } from '../store/database.ts';
import type { AuditLog } from '../store/audit.ts';
import { auditEntry, type AuditEntry, type AuditOutcome } from '../core/audit.ts';
import type { EvidenceRow, HazardFilter, HazardStore, ZoneHazardCounts } from '../store/hazards.ts';
import type { EvidenceFiles } from '../store/evidenceFiles.ts';
import { GatehouseError } from '../core/errors.ts';
import { localTime } from '../core/localTime.ts';
import { sniffImage } from '../core/imageType.ts';
import { addDays, applyUpdate, closeHazard, dueForEscalation, markEscalated, openHazard, withOverdue, SYSTEM_ACTOR } from '../core/hazard.ts';
import type { Hazard, HazardActor, HazardChange, HazardChangeType, HazardEvidence, HazardHistoryEntry, HazardPatch } from '../core/hazard.ts';
import type { HazardRecord, LedgerRules, NewHazard, SystemHazard } from '../core/hazard.ts';

export type HazardListener = (change: HazardChange) => void;

export interface HazardSettings {
  readonly categories: readonly string[];
  readonly zones: readonly { readonly id: string; readonly responsible?: string | undefined }[];
  /** IANA zone of the campus: deadlines and "today" are campus-local dates. */
  readonly timezone: string;
  readonly evidenceMaxBytes: number;
}

export interface HazardServiceDeps {
  readonly db: Db;
  readonly store: HazardStore;
  readonly audit: AuditLog;
  readonly files: EvidenceFiles;
  readonly settings: HazardSettings;
  readonly newId: () => string;
  /** Called inside each change's transaction (the county uplink writes its outbox row here). */
  readonly withinTransaction?: ((change: HazardChange) => void) | undefined;
}

export type HazardDetail = Hazard & { readonly history: HazardHistoryEntry[]; readonly evidence: HazardEvidence[] };

/**
 * The ledger's commands. Each change is one transaction: the hazard row, its
 * history line, the audit row and the uplink hook commit together or not at
 * all; listeners (the live feed) hear of it only after the commit.
 */
export class HazardService {
  private readonly listeners = new Set<HazardListener>();
  private readonly transactionHooks: ((change: HazardChange) => void)[] = [];
  private rules: LedgerRules;

  constructor(private deps: HazardServiceDeps) {
    this.rules = { categories: deps.settings.categories, zoneIds: deps.settings.zones.map((z) => z.id) };
    if (deps.withinTransaction) this.transactionHooks.push(deps.withinTransaction);
  }

  /** Run `hook` inside each change's transaction (the county outbox writes there). */
  onTransaction(hook: (change: HazardChange) => void): void {
    this.transactionHooks.push(hook);
  }

  /** Zones or categories changed (a reloaded config): hazards already in the ledger keep theirs. */
  reconfigure(settings: HazardSettings): void {
    this.deps = { ...this.deps, settings };
    this.rules = { categories: settings.categories, zoneIds: settings.zones.map((z) => z.id) };
  }

  onChange(listener: HazardListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The campus-local date at `now`. */
  today(now: number): string {
    return localTime(now, this.deps.settings.timezone).date;
  }

  get(id: string, now: number): Hazard | undefined {
    const h = this.deps.store.get(id);
    return h ? withOverdue(h, this.today(now)) : undefined;
  }

  detail(id: string, now: number): HazardDetail {
    const h = this.require(id);
    const evidence = this.deps.store.evidence(id).map(({ file: _file, ...e }) => e);
    return { ...withOverdue(h, this.today(now)), history: this.deps.store.history(id), evidence };
  }

  list(filter: Omit<HazardFilter, 'today'>, now: number): Hazard[] {
    const today = this.today(now);
    return this.deps.store.list({ ...filter, today }).map((h) => withOverdue(h, today));
  }

  countsByZone(now: number): Map<string, ZoneHazardCounts> {
    return this.deps.store.countsByZone(this.today(now));
  }

  create(input: NewHazard, actor: HazardActor, now: number): Hazard {
    return this.attempt('hazard.open', undefined, actor, now, () => {
      const h = openHazard(input, { id: this.deps.newId(), actor: actor.username, now, source: 'person' }, this.rules, this.today(now));
      return this.commit('opened', h, undefined, { actor: actor.username, action: 'opened' }, actor, now);
    });
  }

  update(id: string, patch: HazardPatch, actor: HazardActor, now: number): Hazard {
    return this.attempt('hazard.update', id, actor, now, () => {
      const current = this.require(id);
      const { next, changes, note } = applyUpdate(current, patch, now, this.rules, this.today(now));
      const action = Object.keys(changes).length > 0 ? 'updated' : 'noted';
      return this.commit('updated', next, current, { actor: actor.username, action, changes, note }, actor, now);
    });
  }

  close(id: string, note: string | undefined, actor: HazardActor, now: number): Hazard {
    return this.attempt('hazard.close', id, actor, now, () => {
      const current = this.require(id);
      const next = closeHazard(current, note, actor.username, now);
      const changes = { status: { from: current.status, to: 'closed' } };
      return this.commit('closed', next, current, { actor: actor.username, action: 'closed', changes, note: next.note }, actor, now);
    });
  }

  /** Raise a hazard for a condition the hub detected; while one for `sourceKey` is open, that one is returned. */
  raiseSystem(request: SystemHazard, now: number): { hazard: Hazard; created: boolean } {
    const existing = this.deps.store.openBySourceKey(request.sourceKey);
    if (existing) return { hazard: withOverdue(existing, this.today(now)), created: false };
    const today = this.today(now);
    const zone = this.deps.settings.zones.find((z) => z.id === request.zoneId);
    const input: NewHazard = {
      title: request.title,
      category: request.category,
      zoneId: request.zoneId,
      responsible: request.responsible ?? (zone?.responsible || '未指定 (unassigned)'),
      deadline: addDays(today, request.deadlineDays),
      description: request.description,
    };
    const h = openHazard(input, { id: this.deps.newId(), actor: SYSTEM_ACTOR.username, now, source: 'system', sourceKey: request.sourceKey }, this.rules, today);
    const hazard = this.commit('opened', h, undefined, { actor: SYSTEM_ACTOR.username, action: 'opened', note: request.description }, SYSTEM_ACTOR, now);
    return { hazard, created: true };
  }

  /**
   * Overdue hazards (deadline passed, not closed) are escalated once per
   * campus-local day, however often this runs: each gets an `escalated` history
   * line and a live-feed message. Returns the overdue count and those escalated now.
   */
  dailyCheck(now: number): { overdue: number; escalated: Hazard[] } {
    const today = this.today(now);
    const overdue = this.deps.store.overdue(today);
    const due = dueForEscalation(overdue, today);
    if (due.length === 0) return { overdue: overdue.length, escalated: [] };
    const changes = this.deps.db.transaction(() =>
      due.map((h) => {
        const entry: HazardHistoryEntry = {
          hazardId: h.id,
          at: now,
          actor: SYSTEM_ACTOR.username,
          action: 'escalated',
          note: `deadline ${h.deadline} passed; overdue on ${today}`,
        };
        return this.write('escalated', markEscalated(h, today), h, entry, SYSTEM_ACTOR, now);
      }),
    )();
    for (const change of changes) this.publish(change);
    return { overdue: overdue.length, escalated: changes.map((c) => c.hazard) };
  }

  /** Store a photo (JPEG, PNG or WebP, judged from its bytes) as evidence on a hazard that is not closed. */
  async addEvidence(id: string, bytes: Uint8Array, actor: HazardActor, now: number): Promise<HazardEvidence> {
    try {
      return await this.storeEvidence(id, bytes, actor, now);
    } catch (err) {
      this.refused(err, 'hazard.evidence', id, actor, now);
      throw err;
    }
  }

  private async storeEvidence(id: string, bytes: Uint8Array, actor: HazardActor, now: number): Promise<HazardEvidence> {
    const check = (): HazardRecord => {
      const h = this.require(id);
      if (h.status === 'closed') throw new GatehouseError('GH_HAZARD_CLOSED', `${id}: evidence is added before closing`);
      return h;
    };
    check();
    if (bytes.length > this.deps.settings.evidenceMaxBytes) throw new GatehouseError('GH_EVIDENCE_TOO_LARGE', `${bytes.length} bytes; the limit is ${this.deps.settings.evidenceMaxBytes}`);
    const type = sniffImage(bytes);
    if (!type) throw new GatehouseError('GH_EVIDENCE_TYPE', undefined, 'file');
    const evidenceId = this.deps.newId();
    const file = this.deps.files.relativePath(id, evidenceId, type.ext);
    const sha256 = await this.deps.files.write(file, bytes);
    const row: EvidenceRow = { id: evidenceId, hazardId: id, file, mime: type.mime, size: bytes.length, sha256, uploadedAt: now, uploadedBy: actor.username };
    let change: HazardChange;
    try {
      change = this.deps.db.transaction(() => {
        const h = check(); // it may have been closed while the file was written
        this.deps.store.insertEvidence(row);
        const entry: HazardHistoryEntry = { hazardId: id, at: now, actor: actor.username, action: 'evidence', changes: { evidence: { from: null, to: evidenceId } } };
        return this.write('evidence', { ...h, updatedAt: now }, h, entry, actor, now, { evidenceId, mime: type.mime, size: bytes.length, sha256 });
      })();
    } catch (err) {
      await this.deps.files.remove(file);
      throw err;
    }
    this.publish(change);
    const { file: _file, ...evidence } = row;
    return evidence;
  }

  /** Where an evidence file is, for serving it. */
  evidenceFile(id: string, evidenceId: string): { path: string; mime: string; size: number; sha256: string } {
    this.require(id);
    const row = this.deps.store.getEvidence(id, evidenceId);
    if (!row) throw new GatehouseError('GH_EVIDENCE_NOT_FOUND', `${id}/${evidenceId}`);
    return { path: this.deps.files.absolute(row.file), mime: row.mime, size: row.size, sha256: row.sha256 };
  }

  private require(id: string): HazardRecord {
    const h = this.deps.store.get(id);
    if (!h) throw new GatehouseError('GH_HAZARD_NOT_FOUND', id);
    return h;
  }

  /** Run a command; a refused one (closing twice, a bad field) is audited as failed before the error goes back. */
  private attempt<T>(action: string, id: string | undefined, actor: HazardActor, now: number, run: () => T): T {
    try {
      return run();
    } catch (err) {
      this.refused(err, action, id, actor, now);
      throw err;
    }
  }

  private refused(err: unknown, action: string, id: string | undefined, actor: HazardActor, now: number): void {
    // An unknown id touched nothing: no audit row for it (a 404 is not an action on an object).
    if (err instanceof GatehouseError && err.code !== 'GH_HAZARD_NOT_FOUND') {
      this.deps.audit.append(auditOf(actor, action, id, 'failed', { code: err.code, message: err.message }), now);
    }
  }

  /** Commit one change in its own transaction, then tell listeners. */
  private commit(
    type: HazardChangeType,
    next: HazardRecord,
    before: HazardRecord | undefined,
    line: Omit<HazardHistoryEntry, 'hazardId' | 'at'>,
    actor: HazardActor,
    now: number,
  ): Hazard {
    const entry: HazardHistoryEntry = { hazardId: next.id, at: now, ...line };
    const change = this.deps.db.transaction(() => this.write(type, next, before, entry, actor, now))();
    this.publish(change);
    return change.hazard;
  }

  /** The writes of one change; the caller holds the transaction. */
  private write(
    type: HazardChangeType,
    next: HazardRecord,
    before: HazardRecord | undefined,
    entry: HazardHistoryEntry,
    actor: HazardActor,
    now: number,
    extra?: Record<string, unknown>,
  ): HazardChange {
    if (before) this.deps.store.update(next);
    else this.deps.store.insert(next);
    this.deps.store.appendHistory(entry);
    const detail = { ...(entry.changes ? { changes: entry.changes } : {}), ...(entry.note ? { note: entry.note } : {}), ...extra };
    this.deps.audit.append(auditOf(actor, AUDIT_ACTIONS[type], next.id, 'ok', detail), now);
    const change: HazardChange = { type, hazard: withOverdue(next, this.today(now)), entry };
    for (const hook of this.transactionHooks) hook(change);
    return change;
  }

  private publish(change: HazardChange): void {
    for (const listener of this.listeners) {
      try {
        listener(change);
      } catch {
        // a listener's failure must not undo or hide a committed change
      }
    }
  }
}

const AUDIT_ACTIONS: Readonly<Record<HazardChangeType, string>> = {
  opened: 'hazard.open',
  updated: 'hazard.update',
  closed: 'hazard.close',
  escalated: 'hazard.escalate',
  evidence: 'hazard.evidence',
};

function auditOf(actor: HazardActor, action: string, id: string | undefined, outcome: AuditOutcome, detail: Record<string, unknown>): AuditEntry {
  return auditEntry(actor, action, { type: 'hazard', id }, outcome, Object.keys(detail).length > 0 ? detail : undefined);
}
