/**
 * Scheduled backups (`backup: { dir, every, keep }`): each run writes an archive
 * in its own process, the newest `keep` are kept, and /healthz and /metrics say
 * when one failed; a failing schedule never deletes the last good archive.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { parseConfig } from '../../src/config/load.ts';
import { profileRegistry } from '../../devices/index.ts';
import { getJson, login, METRICS_AUTH, startTestHub, tempDir, testConfigYaml, type TestHub } from '../helpers/hub.ts';
import { metricValue } from '../helpers/mqtt.ts';

const hubs: TestHub[] = [];
const dirs: { remove(): void }[] = [];
afterAll(async () => {
  for (const h of hubs) await h.stop();
  for (const d of dirs) d.remove();
});

async function health(hub: TestHub): Promise<{ status: string; warnings?: string[] }> {
  return (await (await fetch(`${hub.http}/healthz`)).json()) as { status: string; warnings?: string[] };
}

describe('scheduled backups', () => {
  test('three runs with keep 2: two archives remain, the newest; the last success is on /metrics; /healthz has no warning', { timeout: 120_000 }, async () => {
    const backups = tempDir('gatehouse-backups-');
    dirs.push(backups);
    const hub = await startTestHub({ extraYaml: `backup: { dir: ${JSON.stringify(backups.path)}, every: 1d, keep: 2 }` });
    hubs.push(hub);
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      await hub.hub.backups!.runNow();
      made.push(hub.hub.backups!.status.lastSuccess!.file);
      await new Promise((r) => setTimeout(r, 5)); // distinct time stamps in the names
    }
    expect(hub.hub.backups!.status.lastFailure).toBeNull();
    const left = readdirSync(backups.path).sort();
    expect(left).toEqual(made.slice(1).map((f) => f.split('/').pop()).sort());
    expect(left.every((n) => /^gatehouse-test-school-\d{4}-.*\.tar\.gz$/.test(n))).toBe(true);
    const metrics = await (await fetch(`${hub.http}/metrics`, METRICS_AUTH)).text();
    expect(metricValue(metrics, 'gatehouse_backup_last_success_timestamp_seconds')).toBeGreaterThan(Date.now() / 1000 - 120);
    expect((await health(hub)).warnings ?? []).toEqual([]);
    // The console's overview reads it: the archive's name and size, no path.
    const guard = await login(hub.http, 'guard1', 'guard1-test-pw');
    const view = await getJson<{ scheduled: boolean; everySeconds: number; keep: number; lastSuccess: { file: string; bytes: number } }>(hub.http, '/api/v1/backups', guard);
    expect(view.body).toMatchObject({ scheduled: true, everySeconds: 86_400, keep: 2, lastSuccess: { file: made[2]!.split('/').pop() } });
    expect(view.body.lastSuccess.bytes).toBeGreaterThan(0);
    expect(JSON.stringify(view.body)).not.toContain(backups.path);
  });

  test('a backup that cannot be written: /healthz warns (without the path), the failure is counted and logged', { timeout: 120_000 }, async () => {
    const work = tempDir('gatehouse-backups-');
    dirs.push(work);
    const notADir = join(work.path, 'a-file');
    writeFileSync(notADir, 'in the way');
    const hub = await startTestHub({ extraYaml: `backup: { dir: ${JSON.stringify(join(notADir, 'backups'))}, every: 6h, keep: 1 }` });
    hubs.push(hub);
    await hub.hub.backups!.runNow();
    expect(hub.hub.backups!.status.lastFailure?.message).toMatch(/ENOTDIR|not a directory/i);
    const h = await health(hub);
    expect(h.status).toBe('ok');
    expect(h.warnings).toEqual([expect.stringMatching(/^backup: the last scheduled backup failed at \d{4}-.*; the log says why$/)]);
    expect(JSON.stringify(h)).not.toContain(work.path);
    const metrics = await (await fetch(`${hub.http}/metrics`, METRICS_AUTH)).text();
    expect(metricValue(metrics, 'gatehouse_backup_failures_total')).toBe(1);
    expect(hub.logs.some((l) => l['level'] === 50 && String(l['msg']).startsWith('scheduled backup into'))).toBe(true);
    // An admin reads the reason on the overview; a guard is told to see the log.
    const admin = await login(hub.http, 'admin1', 'admin1-test-pw');
    const guard = await login(hub.http, 'guard1', 'guard1-test-pw');
    expect((await getJson<{ lastFailure: { message: string } }>(hub.http, '/api/v1/backups', admin)).body.lastFailure.message).toMatch(/ENOTDIR|not a directory/i);
    expect((await getJson<{ lastFailure: { message: string } }>(hub.http, '/api/v1/backups', guard)).body.lastFailure.message).toBe('see the hub log');
  });

  test('backup.every under 5 minutes, or in a form it does not know, is a config error naming the field', () => {
    const check = (every: string): readonly string[] => {
      const r = parseConfig(testConfigYaml('/tmp/x', `backup: { dir: /tmp/b, every: ${every} }`), { profiles: profileRegistry, env: {} });
      return r.ok ? [] : r.errors;
    };
    expect(check('2m')).toEqual([expect.stringMatching(/^backup\.every: at least 5m/)]);
    expect(check('1w')).toEqual([expect.stringMatching(/^backup\.every: /)]);
    expect(check('6h')).toEqual([]);
  });
});
