import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { openDatabase, type Db } from '../../src/store/database.ts';
import { AuditLog } from '../../src/store/audit.ts';
import { HazardStore } from '../../src/store/hazards.ts';
import { EvidenceFiles } from '../../src/store/evidenceFiles.ts';
import { HazardService, type HazardServiceDeps } from '../../src/services/hazards.ts';
import type { HazardChange } from '../../src/core/hazard.ts';
import { GatehouseError } from '../../src/core/errors.ts';
import { tempDir } from '../helpers/hub.ts';

const T0 = Date.parse('2026-03-10T02:00:00Z'); // 10:00 in Shanghai
const DAY = 24 * 3600_000;
const officer = { username: 'officer1', role: 'officer', source: '127.0.0.1' };
const guard = { username: 'guard1', role: 'guard', source: '127.0.0.1' };
const report = { title: 'Loose railing', category: 'campus-safety', zoneId: 'gate', responsible: 'Wang', deadline: '2026-03-12' };

let dir: ReturnType<typeof tempDir>;
let db: Db;
let n = 0;

function service(extra: Partial<HazardServiceDeps> = {}): HazardService {
  return new HazardService({
    db,
    store: new HazardStore(db),
    audit: new AuditLog(db),
    files: new EvidenceFiles(dir.path),
    settings: { categories: ['campus-safety'], zones: [{ id: 'gate', responsible: 'Wang' }], timezone: 'Asia/Shanghai', evidenceMaxBytes: 1024 },
    newId: () => `id-${++n}`,
    ...extra,
  });
}

const count = (table: string): number => (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;

beforeEach(() => {
  dir = tempDir();
  db = openDatabase({ dir: dir.path, synchronous: 'normal' });
});
afterEach(() => {
  db.close();
  dir.remove();
});

describe('HazardService', () => {
  it('commits the hazard, its history line, the audit row and the uplink hook together', () => {
    const seen: HazardChange[] = [];
    const hazards = service({ withinTransaction: (c) => seen.push(c) });
    const h = hazards.create(report, guard, T0);
    expect(seen.map((c) => c.type)).toEqual(['opened']);
    expect(count('hazards')).toBe(1);
    expect(count('hazard_history')).toBe(1);
    expect(new AuditLog(db).list({ limit: 10 })[0]).toMatchObject({ actor: 'guard1', action: 'hazard.open', objectId: h.id, outcome: 'ok' });
  });

  it('rolls everything back when the in-transaction hook fails', () => {
    const hazards = service({
      withinTransaction: () => {
        throw new Error('outbox full');
      },
    });
    const heard: HazardChange[] = [];
    hazards.onChange((c) => heard.push(c));
    expect(() => hazards.create(report, guard, T0)).toThrow('outbox full');
    expect([count('hazards'), count('hazard_history'), count('audit'), heard.length]).toEqual([0, 0, 0, 0]);
  });

  it('audits a refused close as failed', () => {
    const hazards = service();
    const h = hazards.create(report, guard, T0);
    hazards.close(h.id, 'fixed', officer, T0 + 1000);
    expect(() => hazards.close(h.id, 'again', officer, T0 + 2000)).toThrow(GatehouseError);
    const rows = new AuditLog(db).list({ limit: 10, objectId: h.id });
    expect(rows.map((r) => `${r.action}:${r.outcome}`)).toEqual(['hazard.close:failed', 'hazard.close:ok', 'hazard.open:ok']);
    expect(hazards.detail(h.id, T0).history.map((e) => e.action)).toEqual(['opened', 'closed']);
  });

  it('raises a system hazard once while it is open, and anew after it is closed', () => {
    const hazards = service();
    const raise = (now: number) =>
      hazards.raiseSystem({ sourceKey: 'device-offline:cam-1', title: 'Camera offline', category: 'campus-safety', zoneId: 'gate', deadlineDays: 1 }, now);
    const first = raise(T0);
    expect(first.created).toBe(true);
    expect(first.hazard).toMatchObject({ source: 'system', createdBy: 'system', responsible: 'Wang', deadline: '2026-03-11', sourceKey: 'device-offline:cam-1' });
    expect(raise(T0 + 60_000)).toMatchObject({ created: false, hazard: { id: first.hazard.id } });
    hazards.close(first.hazard.id, 'camera replaced', officer, T0 + 120_000);
    const again = raise(T0 + 180_000);
    expect(again.created).toBe(true);
    expect(again.hazard.id).not.toBe(first.hazard.id);
  });

  it('escalates an overdue hazard once per campus-local day', () => {
    const hazards = service();
    const heard: string[] = [];
    hazards.onChange((c) => heard.push(c.type));
    const h = hazards.create(report, guard, T0); // deadline 2026-03-12
    expect(hazards.dailyCheck(T0 + 2 * DAY).escalated).toEqual([]); // the 12th: due today, not overdue
    const onThe13th = Date.parse('2026-03-12T16:00:00Z'); // 00:00 on the 13th in Shanghai
    const first = hazards.dailyCheck(onThe13th);
    expect(first).toMatchObject({ overdue: 1, escalated: [{ id: h.id, overdue: true, lastEscalatedOn: '2026-03-13' }] });
    expect(hazards.dailyCheck(onThe13th + 10 * 60_000).escalated).toEqual([]);
    expect(hazards.dailyCheck(onThe13th + 23 * 3600_000).escalated).toEqual([]);
    expect(hazards.dailyCheck(onThe13th + DAY).escalated).toHaveLength(1);
    expect(heard).toEqual(['opened', 'escalated', 'escalated']);
    expect(hazards.detail(h.id, onThe13th).history.filter((e) => e.action === 'escalated')).toHaveLength(2);
  });

  it('stores a PNG under evidence/<hazardId>/ with its sha256 and refuses other bytes', async () => {
    const hazards = service();
    const h = hazards.create(report, guard, T0);
    const png = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
    const e = await hazards.addEvidence(h.id, png, guard, T0);
    expect(e).toMatchObject({ mime: 'image/png', size: png.length, uploadedBy: 'guard1' });
    const file = hazards.evidenceFile(h.id, e.id);
    expect(file.path).toBe(`${dir.path}/evidence/${h.id}/${e.id}.png`);
    expect(readFileSync(file.path)).toEqual(png);
    await expect(hazards.addEvidence(h.id, Buffer.from('hello'), guard, T0)).rejects.toMatchObject({ code: 'GH_EVIDENCE_TYPE' });
    await expect(hazards.addEvidence(h.id, Buffer.concat([png, Buffer.alloc(2048)]), guard, T0)).rejects.toMatchObject({ code: 'GH_EVIDENCE_TOO_LARGE' });
    expect(count('hazard_evidence')).toBe(1);
    expect(existsSync(`${dir.path}/evidence/${h.id}`)).toBe(true);
  });
});
