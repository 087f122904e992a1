/**
 * retention.maxDatabaseMiB: over the budget, the oldest routine events go first;
 * alarms, the ledger and the audit stay; the used pages come back under it.
 */
import { afterAll, describe, expect, test } from 'vitest';
import { getJson, login, postJson, startTestHub, type TestHub } from '../helpers/hub.ts';

let hub: TestHub | undefined;
afterAll(async () => {
  await hub?.stop();
});

function usedBytes(h: TestHub): number {
  const p = (name: string): number => h.hub.db.pragma(name, { simple: true }) as number;
  return (p('page_count') - p('freelist_count')) * p('page_size');
}

describe('a disk budget for the database', () => {
  test('the oldest routine events are removed until the data fits; panics, hazards and the audit stay', { timeout: 120_000 }, async () => {
    hub = await startTestHub({ extraYaml: 'retention: { maxDatabaseMiB: 2 }', tickMs: 3_600_000 });
    const token = await login(hub.http, 'officer1', 'officer1-test-pw');
    const hazard = await postJson<{ id: string }>(hub.http, '/api/v1/hazards', token, { title: 'Loose railing', category: 'campus-safety', zoneId: 'gate', responsible: 'Wang', deadline: '2099-12-31' });
    expect(hazard.status).toBe(201);
    // ~6 MiB of card swipes with a few panics among them, written as the recorder would (real rows, real indexes).
    const now = Date.now();
    const insert = hub.hub.db.prepare(
      "INSERT INTO events (id, device_id, zone_id, kind, ts, received_at, data, dedup) VALUES (?, ?, 'gate', ?, ?, ?, ?, NULL)",
    );
    hub.hub.db.transaction(() => {
      for (let i = 0; i < 40_000; i++) {
        const kind = i % 5000 === 0 ? 'alarm.panic' : 'access.granted';
        insert.run(`e-${i}`, 'reader-1', kind, now - (40_000 - i) * 1000, now, JSON.stringify({ card: '0012345678', pad: 'x'.repeat(80) }));
      }
    })();
    expect(usedBytes(hub)).toBeGreaterThan(4 * 1_048_576);
    const auditBefore = (hub.hub.db.prepare('SELECT count(*) AS n FROM audit').get() as { n: number }).n;

    await hub.hub.seriesJobs.runRetention();

    expect(usedBytes(hub)).toBeLessThanOrEqual(2 * 1_048_576);
    const count = (sql: string): number => (hub!.hub.db.prepare(sql).get() as { n: number }).n;
    expect(count("SELECT count(*) AS n FROM events WHERE kind = 'alarm.panic'")).toBe(8);
    const left = count("SELECT count(*) AS n FROM events WHERE kind = 'access.granted'");
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(40_000 - 8);
    // the oldest went first: what is left is the newest
    const m = (hub.hub.db.prepare("SELECT min(CAST(substr(id, 3) AS INTEGER)) AS n FROM events WHERE kind = 'access.granted'").get() as { n: number }).n;
    const panicsFromM = [0, 5000, 10_000, 15_000, 20_000, 25_000, 30_000, 35_000].filter((p) => p >= m).length;
    expect(left, 'the routine events left are exactly the newest ones').toBe(40_000 - m - panicsFromM);
    expect(count('SELECT count(*) AS n FROM audit')).toBe(auditBefore);
    const h = await getJson<{ title: string }>(hub.http, `/api/v1/hazards/${hazard.body.id}`, token);
    expect(h.body.title).toBe('Loose railing');
    const log = hub.logs.find((l) => String(l['msg']).startsWith('retention: removed the oldest routine events'));
    expect(log).toBeDefined();
  });
});
