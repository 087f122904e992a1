import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CountyPlatform } from '../../simulators/county-platform/platform.ts';
import { AuditLog } from '../../src/store/audit.ts';
import { login, postJson, startTestHub, tempDir, testConfigYaml, waitFor, type TestHub } from '../helpers/hub.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const SECRET = 'county-shared-secret-0123456789';
const run = promisify(execFile);

/** Run a command; resolve with its exit code and output whatever the code. */
async function exec(command: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(command, args, { cwd: ROOT, timeout: 60_000 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout, stderr: e.stderr };
  }
}
const gatehouse = (...args: string[]) => exec(process.execPath, [join(ROOT, 'src/bin.js'), ...args]);
const sqlite3 = (file: string, sql: string) => exec('sqlite3', [file, sql]);

/** What an attacker who read src/store/audit.ts would compute to re-hash a chain. */
interface AuditRow {
  seq: number; at: number; actor: string; role: string | null; action: string; object_type: string | null; object_id: string | null;
  source: string | null; outcome: string; detail: string | null; prev_hash: string; hash: string;
}
const rowHash = (r: AuditRow) =>
  createHash('sha256')
    .update(JSON.stringify([r.seq, r.at, r.actor, r.role, r.action, r.object_type, r.object_id, r.source, r.outcome, r.detail, r.prev_hash]))
    .digest('hex');

describe('the audit chain anchored at the county', () => {
  const dir = tempDir();
  const copyDir = join(dir.path, 'copy');
  const configFile = join(dir.path, 'gatehouse-test.yaml');
  const headsFile = join(dir.path, 'heads.json');
  let platform: CountyPlatform;
  let t: TestHub | undefined;
  let headsUrl: string;
  let rows: number;

  beforeAll(async () => {
    platform = new CountyPlatform({ secret: SECRET, port: 0, log: () => undefined });
    await platform.start();
    headsUrl = `${platform.baseUrl}/_sim/heads`;
    const extra = `uplink: { url: "${platform.url}", secret: "${SECRET}", heartbeatEvery: 3600, timeout: 3, anchorEvery: 1 }`;
    writeFileSync(configFile, testConfigYaml(dir.path, extra));
    t = await startTestHub({ dataDir: dir.path, extraYaml: extra });
  });
  afterAll(async () => {
    await t?.stop();
    await platform?.stop();
    dir.remove();
  });

  const heads = () => platform.heads('test-school');

  it('audited actions send the chain head, coalesced; verify-audit against the county passes on the untouched log', async () => {
    const officer = await login(t!.http, 'officer1', 'officer1-test-pw');
    await login(t!.http, 'admin1', 'admin1-test-pw');
    for (let i = 0; i < 3; i++) {
      const hazard = await postJson<{ id: string }>(t!.http, '/api/v1/hazards', officer, { title: `hazard ${i}`, category: 'health', zoneId: 'gate', responsible: 'Wang', deadline: '2099-01-01' });
      expect(hazard.status).toBe(201);
    }
    // Two wrong passwords: audited as failed.
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${t!.http}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'guard1', password: 'wrong-password' }) });
      expect(res.status).toBe(401);
    }
    const latest = () => (t!.hub.db.prepare('SELECT max(seq) AS m FROM audit').get() as { m: number }).m;
    await waitFor(() => (heads().some((h) => h.auditSeq === latest()) ? true : undefined), 10_000, 'the newest head at the county');
    expect(latest()).toBeGreaterThanOrEqual(7);

    // A burst of 200 rows written between two ticks (as a flood of refused sign-ins would) goes up as one anchor.
    const before = latest();
    const audit = new AuditLog(t!.hub.db);
    for (let i = 0; i < 200; i++) audit.append({ actor: 'flood', action: 'login', outcome: 'denied', detail: { reason: 'throttled' } }, Date.now());
    rows = latest();
    await waitFor(() => (heads().some((h) => h.auditSeq === rows) ? true : undefined), 10_000, 'the head after the burst at the county');
    expect(heads().filter((h) => h.auditSeq > before).map((h) => h.auditSeq)).toEqual([rows]);
    // Signed and accepted like any message.
    expect(platform.received().rejected).toEqual({ bad_signature: 0, stale_timestamp: 0, malformed: 0 });

    await t!.stop(); // the data dir is ours: it stays
    t = undefined;

    const ok = await gatehouse('verify-audit', '--config', configFile, '--county', headsUrl);
    expect(ok.stderr).not.toMatch(/verify-audit:/);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(new RegExp(`^local chain intact: ${rows} rows`));
    expect(ok.stdout).toMatch(new RegExp(`\naudit log ok: matches the \\d+ chain heads the county \\(test-school\\) received \\(latest at row ${rows}\\)\n$`));

    // The county's heads exported to a file work the same way.
    writeFileSync(headsFile, await (await fetch(`${headsUrl}?campusId=test-school`)).text());
    expect((await gatehouse('verify-audit', '--config', configFile, '--anchors', headsFile)).code).toBe(0);

    // A copy for the rewrite below, taken with sqlite3's own online backup.
    mkdirSync(copyDir);
    expect((await sqlite3(join(dir.path, 'gatehouse.db'), `.backup '${join(copyDir, 'gatehouse.db')}'`)).code).toBe(0);
  });

  it('rows cut off the end with sqlite3: the chain alone still looks fine, the county check names the removal', async () => {
    const file = join(dir.path, 'gatehouse.db');
    const cut = await sqlite3(file, 'DELETE FROM audit WHERE seq > 4;');
    expect(cut.code).toBe(0);

    const alone = await gatehouse('verify-audit', '--config', configFile);
    expect(alone.code).toBe(0); // what this feature exists for: a shorter chain is still a valid chain
    expect(alone.stdout).toMatch(/^audit log ok: 4 rows/);

    const county = await gatehouse('verify-audit', '--config', configFile, '--county', headsUrl);
    expect(county.code).toBe(1);
    expect(county.stdout).toMatch(/^local chain intact: 4 rows/);
    expect(county.stdout).not.toContain('audit log ok');
    const firstBeyond = heads().map((h) => h.auditSeq).filter((s) => s > 4).sort((a, b) => a - b)[0];
    expect(county.stdout).toContain(`local chain ends at 4, county received a head at ${firstBeyond}`);
    expect(county.stdout).toContain('rows were removed');

    const fromFile = await gatehouse('verify-audit', '--config', configFile, '--anchors', headsFile);
    expect(fromFile.code).toBe(1);
    expect(fromFile.stdout).toContain(`local chain ends at 4, county received a head at ${firstBeyond}`);
  });

  it('a row rewritten and the whole chain hashed again: the first county head after it disagrees', async () => {
    const file = join(copyDir, 'gatehouse.db');
    // Who created hazard 0? Someone with the file says admin1, and re-hashes every row from there so the chain holds.
    const db = new Database(file);
    const target = (db.prepare("SELECT seq FROM audit WHERE action LIKE 'hazard.%' ORDER BY seq LIMIT 1").get() as { seq: number }).seq;
    const all = db.prepare('SELECT * FROM audit ORDER BY seq').all() as AuditRow[];
    let prev = all.find((r) => r.seq === target - 1)!.hash;
    const update = db.prepare('UPDATE audit SET actor = ?, prev_hash = ?, hash = ? WHERE seq = ?');
    db.transaction(() => {
      for (const r of all.filter((x) => x.seq >= target)) {
        const row = { ...r, actor: r.seq === target ? 'admin1' : r.actor, prev_hash: prev };
        row.hash = rowHash(row);
        update.run(row.actor, row.prev_hash, row.hash, row.seq);
        prev = row.hash;
      }
    })();
    db.close();

    const alone = await gatehouse('verify-audit', '--data-dir', copyDir);
    expect(alone.code).toBe(0);
    expect(alone.stdout).toMatch(new RegExp(`^audit log ok: ${rows} rows`));

    const county = await gatehouse('verify-audit', '--data-dir', copyDir, '--campus', 'test-school', '--county', headsUrl);
    expect(county.code).toBe(1);
    const first = heads().filter((h) => h.auditSeq >= target).sort((a, b) => a.auditSeq - b.auditSeq)[0]!;
    const local = (new Database(file, { readonly: true }).prepare('SELECT hash FROM audit WHERE seq = ?').get(first.auditSeq) as { hash: string }).hash;
    expect(county.stdout).toContain(`audit row ${first.auditSeq}: county holds hash ${first.hash}`);
    expect(county.stdout).toContain(`local chain has ${local}`);
  });

  it('a county that cannot be asked, or answers nonsense, is a failure, not a pass', async () => {
    const unreachable = await gatehouse('verify-audit', '--config', configFile, '--county', 'http://127.0.0.1:9/_sim/heads');
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(/cannot ask the county at http:\/\/127\.0\.0\.1:9/);
    writeFileSync(headsFile, JSON.stringify({ heads: [{ auditSeq: 3, hash: 'not-a-hash' }] }));
    const bad = await gatehouse('verify-audit', '--config', configFile, '--anchors', headsFile);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('heads[0].hash: must be 64 lowercase hex digits');
    const none = await gatehouse('verify-audit', '--config', configFile, '--county', headsUrl, '--campus', 'another-school');
    expect(none.code).toBe(1);
    expect(none.stdout).toContain('holds no chain heads for 4 local rows');
  });
});
