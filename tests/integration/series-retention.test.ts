import { afterEach, describe, expect, it } from 'vitest';
import { mkdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { profileRegistry } from '../../devices/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import { openDatabase, type Db } from '../../src/store/database.ts';
import { RetentionJob } from '../../src/store/retention.ts';
import { SqliteSeries } from '../../src/store/seriesSqlite.ts';
import { SeriesQueue } from '../../src/store/seriesQueue.ts';
import { Metrics } from '../../src/observability/metrics.ts';
import { createLogger } from '../../src/observability/logger.ts';
import { tempDir } from '../helpers/hub.ts';
import type { GatehouseEvent } from '../../src/core/event.ts';

const DAY = 86_400_000;
const base = (extra: string) => `
campus: { id: s, name: S }
zones: [ { id: z1, name: Z1 } ]
devices: [ { id: d1, profile: generic, zone: z1, secret: "0123456789abcdef" } ]
${extra}`;
const errorsOf = (yaml: string): readonly string[] => {
  const r = parseConfig(yaml, { profiles: profileRegistry, env: {} });
  return r.ok ? [] : r.errors;
};

describe('series and retention config', () => {
  it('defaults: SQLite, events 180 days, minutes 30, hours 2 years', () => {
    const r = parseConfig(base(''), { profiles: profileRegistry, env: {} });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.series).toEqual({ backend: 'sqlite', database: 'gatehouse' });
    expect(r.config.retention).toEqual({ events: 180, minuteBuckets: 30, hourBuckets: 730, incidents: 730, snapshots: 90 });
  });

  it('names each bad setting with path: reason', () => {
    expect(errorsOf(base('retention: { events: 10, snapshots: 7, hourBuckets: 7, bogus: 1 }'))).toEqual(
      expect.arrayContaining([
        'retention.events: must be at least 30 days (GB/T 29315 requires security records to be kept 30 days or more); got 10',
        'retention.snapshots: must be at least 30 days (GB/T 29315 requires video and images to be kept 30 days or more); got 7',
        expect.stringMatching(/^retention\.hourBuckets: must be at least 29 days \(the daily report compares/),
        expect.stringMatching(/^retention\.bogus: unknown field/),
      ]),
    );
    expect(errorsOf(base('retention: { minuteBuckets: 0 }'))).toEqual([expect.stringMatching(/^retention\.minuteBuckets: /)]);
    expect(errorsOf(base('series: { backend: influx }'))).toEqual([expect.stringMatching(/^series\.url: is required when series\.backend is influx/)]);
    expect(errorsOf(base('series: { backend: influx, url: "localhost:8086" }'))).toEqual(['series.url: must be an http:// or https:// URL']);
    expect(errorsOf(base('series: { backend: influx, url: "http://x:8086", database: "a b" }'))).toEqual([expect.stringMatching(/^series\.database: /)]);
    expect(errorsOf(base('series: { backend: influx, url: "http://x:8086", database: gh, username: w, password: "${env:NOPE}" }'))).toEqual([
      'series.password: environment variable NOPE is not set',
    ]);
  });
});

describe('retention job', () => {
  let dir: ReturnType<typeof tempDir> | undefined;
  let db: Db | undefined;
  afterEach(() => {
    db?.close();
    dir?.remove();
  });

  const event = (id: string, ts: number, kind: GatehouseEvent['kind'] = 'access.granted'): GatehouseEvent => ({ id, deviceId: 'd1', zoneId: 'z1', kind, ts, receivedAt: ts, data: {} });

  it('deletes what is older than each retention in chunks, keeps the rest and the InfluxDB queue', async () => {
    dir = tempDir();
    db = openDatabase({ dir: dir.path, synchronous: 'normal' });
    const now = Date.parse('2026-11-28T00:00:00Z');
    const insert = db.prepare("INSERT INTO events (id, device_id, zone_id, kind, ts, received_at, data) VALUES (?, 'd1', 'z1', 'access.granted', ?, ?, '{}')");
    const series = new SqliteSeries(db);
    db.transaction(() => {
      // 2,500 events 200 days old (three chunks), 10 recent ones
      for (let i = 0; i < 2500; i++) insert.run(`old-${i}`, now - 200 * DAY + i, now - 200 * DAY);
      for (let i = 0; i < 10; i++) insert.run(`new-${i}`, now - DAY + i, now - DAY);
      series.events([event('a', now - 40 * DAY), event('b', now - 800 * DAY), event('c', now - DAY)]);
      series.health([{ deviceId: 'd1', at: now - 40 * DAY, fields: { battery: 50 } }, { deviceId: 'd1', at: now - DAY, fields: { battery: 40 } }]);
      new SeriesQueue(db!).append(['events,device=d1,kind=access.granted,zone=z1 value=1i 1'], now - 400 * DAY, now - 400 * DAY);
      db!.prepare(
        `INSERT INTO incidents (id, kind, severity, zone_id, title, status, opened_at, resolved_at, event_ids, count, last_event_at)
         VALUES (?, 'panic', 'critical', 'z1', 't', ?, ?, ?, '[]', 1, 0)`,
      ).run('i-old', 'resolved', now - 800 * DAY, now - 800 * DAY);
      db!.prepare(
        `INSERT INTO incidents (id, kind, severity, zone_id, title, status, opened_at, resolved_at, event_ids, count, last_event_at)
         VALUES (?, 'panic', 'critical', 'z1', 't', ?, ?, ?, '[]', 1, 0)`,
      ).run('i-open', 'open', now - 800 * DAY, null);
      db!.prepare("INSERT INTO incident_timeline (incident_id, at, type) VALUES ('i-old', 0, 'opened')").run();
    })();
    const metrics = new Metrics();
    const logs: string[] = [];
    const log = createLogger('info', new Writable({ write: (c: Buffer, _e, cb) => (logs.push(c.toString()), cb()) }));
    const retention = { events: 180, minuteBuckets: 30, hourBuckets: 730, incidents: 730, snapshots: 90 };
    await new RetentionJob(db, retention, dir.path, metrics, log, () => now).run();

    const count = (sql: string): number => (db!.prepare(sql).get() as { n: number }).n;
    expect(count('SELECT count(*) AS n FROM events')).toBe(10);
    expect(count('SELECT count(*) AS n FROM series_minute')).toBe(1); // only c (a is 40 days old)
    expect(count('SELECT count(*) AS n FROM series_hour')).toBe(2); // a and c; b is older than 2 years
    expect(count('SELECT count(*) AS n FROM series_health')).toBe(1);
    expect(count('SELECT count(*) AS n FROM series_queue')).toBe(1); // undelivered, never trimmed
    expect(db.prepare('SELECT id FROM incidents').all()).toEqual([{ id: 'i-open' }]);
    expect(count('SELECT count(*) AS n FROM incident_timeline')).toBe(0);
    const text = await metrics.registry.getSingleMetricAsString('gatehouse_retention_deleted_total');
    expect(text).toContain('gatehouse_retention_deleted_total{what="events"} 2500');
    expect(logs.join('')).toContain('retention: removed old records');
  });

  it('removes evidence photos of hazards closed longer ago than retention.evidence (row first, then file), and no other', async () => {
    dir = tempDir();
    db = openDatabase({ dir: dir.path, synchronous: 'normal' });
    const now = Date.parse('2026-11-28T00:00:00Z');
    const hazard = db.prepare(
      `INSERT INTO hazards (id, title, category, zone_id, responsible, deadline, status, created_at, created_by, updated_at, closed_at)
       VALUES (?, 't', 'campus-safety', 'z1', 'Li', '2025-01-01', ?, 0, 'u', 0, ?)`,
    );
    const evidence = db.prepare("INSERT INTO hazard_evidence (id, hazard_id, file, mime, size, sha256, uploaded_at, uploaded_by) VALUES (?, ?, ?, 'image/png', 1, 'x', 0, 'u')");
    const files: Record<string, string> = {};
    for (const [id, status, closedAt] of [['h-old', 'closed', now - 400 * DAY], ['h-recent', 'closed', now - 10 * DAY], ['h-open', 'open', null]] as const) {
      hazard.run(id, status, closedAt);
      const rel = join('evidence', id, `${id}-e.png`);
      mkdirSync(join(dir.path, 'evidence', id), { recursive: true });
      writeFileSync(join(dir.path, rel), 'x');
      evidence.run(`${id}-e`, id, rel);
      files[id] = join(dir.path, rel);
    }
    const log = createLogger('silent');
    const retention = { events: 180, minuteBuckets: 30, hourBuckets: 730, incidents: 730, snapshots: 90 };
    await new RetentionJob(db, retention, dir.path, new Metrics(), log, () => now).run(); // evidence unset: kept
    expect(Object.values(files).every((f) => existsSync(f))).toBe(true);
    await new RetentionJob(db, { ...retention, evidence: 365 }, dir.path, new Metrics(), log, () => now).run();
    expect(db.prepare('SELECT hazard_id AS h FROM hazard_evidence ORDER BY hazard_id').all()).toEqual([{ h: 'h-open' }, { h: 'h-recent' }]);
    expect([existsSync(files['h-old']!), existsSync(files['h-recent']!), existsSync(files['h-open']!)]).toEqual([false, true, true]);
    expect(db.prepare("SELECT count(*) AS n FROM hazards WHERE id = 'h-old'").get()).toEqual({ n: 1 }); // the ledger row stays
  });
});
