/**
 * Operations contract: `gatehouse backup` while the hub runs under QoS 1 load,
 * `gatehouse restore` into a new directory, a second hub on it. The restored
 * events are, per device, a gap-free prefix of what was published and hold every
 * event acknowledged before the backup began; the audit chain verifies; the
 * evidence photo comes back byte for byte. A tampered or hostile archive and a
 * non-empty target are refused, leaving nothing behind.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import type { MqttClient } from 'mqtt';
import * as tar from 'tar';
import { afterAll, describe, expect, test } from 'vitest';
import { getJson, login, postJson, startHubFromYaml, startTestHub, tempDir, testConfigYaml, type TestHub } from '../helpers/hub.ts';
import { ClientPool, eventPayload } from '../helpers/mqtt.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
/** A real 1×1 PNG. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');
const DEVICES = ['reader-1', 'reader-2'] as const;
const T0 = 1_760_000_000_000;

const pool = new ClientPool();
const hubs: TestHub[] = [];
const dirs: { remove(): void }[] = [];
afterAll(async () => {
  pool.closeAll();
  for (const h of hubs) await h.stop().catch(() => undefined);
  for (const d of dirs) d.remove();
});

function gatehouse(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    execFile(process.execPath, [join(ROOT, 'src/bin.js'), ...args], { cwd: ROOT, timeout: 120_000 }, (err, stdout, stderr) => {
      resolvePromise({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** Publish numbered events (seq n, ts T0+n) with a window in flight until `stop()`; records what was acknowledged. */
function keepPublishing(client: MqttClient, deviceId: string): { acked: Set<number>; published: () => number; stop: () => Promise<void> } {
  const acked = new Set<number>();
  let next = 0;
  let inFlight = 0;
  let stopped = false;
  let drained: () => void = () => undefined;
  const pump = (): void => {
    while (!stopped && inFlight < 16) {
      const n = next++;
      inFlight++;
      client.publishAsync(`devices/${deviceId}/events`, eventPayload('access.granted', { seq: n, ts: T0 + n, data: { card: '0012345678', n } }), { qos: 1 }).then(
        () => {
          acked.add(n);
          inFlight--;
          if (stopped && inFlight === 0) drained();
          else pump();
        },
        () => inFlight--,
      );
    }
  };
  pump();
  return {
    acked,
    published: () => next,
    stop: () =>
      new Promise<void>((r) => {
        stopped = true;
        drained = r;
        if (inFlight === 0) r();
      }),
  };
}

describe('backup and restore', () => {
  test('a backup taken under QoS 1 load restores into a new directory a second hub runs on: a gap-free prefix, the audit verified, the photo byte-identical', { timeout: 180_000 }, async () => {
    const work = tempDir('gatehouse-backup-');
    dirs.push(work);
    const dataDir = join(work.path, 'data');
    const hub = await startTestHub({ dataDir });
    hubs.push(hub);
    const officer = await login(hub.http, 'officer1', 'officer1-test-pw');
    const hazard = await postJson<{ id: string }>(hub.http, '/api/v1/hazards', officer, { title: '北门护栏松动', category: 'campus-safety', zoneId: 'gate', responsible: '王强', deadline: '2026-12-31' });
    const form = new FormData();
    form.append('file', new Blob([PNG], { type: 'image/png' }), 'photo.png');
    const photo = (await (await fetch(`${hub.http}/api/v1/hazards/${hazard.body.id}/evidence`, { method: 'POST', headers: { authorization: `Bearer ${officer}` }, body: form })).json()) as { id: string };

    const publishers = await Promise.all(DEVICES.map(async (id) => keepPublishing(await pool.connect(hub.mqtt, id), id)));
    while (publishers.some((p) => p.acked.size < 200)) await new Promise((r) => setTimeout(r, 20));
    const ackedBefore = publishers.map((p) => new Set(p.acked));
    const archive = join(work.path, 'backups', 'campus.tar.gz');
    const made = await gatehouse(['backup', '--data-dir', dataDir, '--out', archive]);
    const publishedDuring = publishers.map((p) => p.published());
    await Promise.all(publishers.map((p) => p.stop()));
    expect(made.stderr + made.stdout).toMatch(/backup written: .*campus\.tar\.gz/);
    expect(made.code).toBe(0);
    expect(statSync(archive).mode & 0o777).toBe(0o600);

    const restored = join(work.path, 'restored');
    const back = await gatehouse(['restore', '--from', archive, '--data-dir', restored]);
    expect(back.stderr).toMatch(/audit chain of \d+ rows verified/);
    expect(back.code).toBe(0);
    expect(statSync(restored).mode & 0o777).toBe(0o700);
    expect(statSync(join(restored, 'gatehouse.db')).mode & 0o777).toBe(0o600);

    // Per device: the restored events are seq 0..k with no gap, k < what was published, and every event acknowledged before the backup is there.
    const db = new Database(join(restored, 'gatehouse.db'), { readonly: true });
    try {
      DEVICES.forEach((id, i) => {
        const seqs = (db.prepare("SELECT seq FROM events WHERE device_id = ? AND kind = 'access.granted' ORDER BY seq").all(id) as { seq: number }[]).map((r) => r.seq);
        expect(seqs, `${id}: a gap-free prefix`).toEqual(seqs.map((_, n) => n));
        expect(seqs.length).toBeLessThanOrEqual(publishedDuring[i]!);
        const missing = [...ackedBefore[i]!].filter((n) => n >= seqs.length);
        expect(missing, `${id}: acknowledged before the backup but not in it`).toEqual([]);
      });
    } finally {
      db.close();
    }
    expect(readFileSync(join(restored, 'evidence', hazard.body.id, `${photo.id}.png`)).equals(PNG)).toBe(true);
    const verify = await gatehouse(['verify-audit', '--data-dir', restored]);
    expect(verify.stdout).toMatch(/^audit log ok: \d+ rows/);

    // A second hub on the restored directory serves the same ledger and photo.
    const second = await startHubFromYaml(testConfigYaml(restored), restored, undefined);
    hubs.push(second);
    const token = await login(second.http, 'guard1', 'guard1-test-pw');
    const detail = await getJson<{ title: string }>(second.http, `/api/v1/hazards/${hazard.body.id}`, token);
    expect(detail.body.title).toBe('北门护栏松动');
    const served = await fetch(`${second.http}/api/v1/hazards/${hazard.body.id}/evidence/${photo.id}`, { headers: { authorization: `Bearer ${token}` } });
    expect(Buffer.from(await served.arrayBuffer()).equals(PNG)).toBe(true);
  });

  test('refused: a non-empty target, a tampered archive, an archive reaching outside; nothing is left behind', { timeout: 120_000 }, async () => {
    const work = tempDir('gatehouse-restore-');
    dirs.push(work);
    const dataDir = join(work.path, 'data');
    const hub = await startTestHub({ dataDir });
    hubs.push(hub);
    await login(hub.http, 'guard1', 'guard1-test-pw'); // an audit row
    const archive = join(work.path, 'good.tar.gz');
    expect((await gatehouse(['backup', '--data-dir', dataDir, '--out', archive])).code).toBe(0);

    // A target that holds anything is never overwritten.
    const busy = join(work.path, 'busy');
    mkdirSync(busy);
    writeFileSync(join(busy, 'keep.txt'), 'mine');
    const intoBusy = await gatehouse(['restore', '--from', archive, '--data-dir', busy]);
    expect(intoBusy.code).toBe(1);
    expect(intoBusy.stderr).toMatch(/busy: not empty/);
    expect(readdirSync(busy)).toEqual(['keep.txt']);

    // One byte of the database changed: the checksum says so.
    const unpacked = join(work.path, 'unpacked');
    mkdirSync(unpacked);
    await tar.x({ file: archive, cwd: unpacked });
    const dbFile = join(unpacked, 'gatehouse.db');
    const bytes = readFileSync(dbFile);
    bytes[bytes.length - 10] = bytes[bytes.length - 10]! ^ 0xff;
    writeFileSync(dbFile, bytes);
    const tampered = join(work.path, 'tampered.tar.gz');
    await tar.c({ gzip: true, cwd: unpacked, file: tampered }, readdirSync(unpacked));
    const target = join(work.path, 'from-tampered');
    const r = await gatehouse(['restore', '--from', tampered, '--data-dir', target]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/gatehouse\.db: \d+ bytes, sha256 .* the manifest says/);
    expect(existsSync(target)).toBe(false);

    // An entry that climbs out of the target is not written there, and the archive is refused.
    const evil = join(work.path, 'evil');
    mkdirSync(join(evil, 'inner'), { recursive: true });
    writeFileSync(join(evil, 'escape.txt'), 'outside');
    const hostile = join(work.path, 'hostile.tar.gz');
    await tar.c({ gzip: true, cwd: join(evil, 'inner'), file: hostile, preservePaths: true }, ['../escape.txt']);
    const h = await gatehouse(['restore', '--from', hostile, '--data-dir', join(work.path, 'from-hostile')]);
    expect(h.code).toBe(1);
    expect(existsSync(join(work.path, 'escape.txt'))).toBe(false);
    expect(readdirSync(work.path).filter((n) => n.startsWith('.gatehouse-restore-'))).toEqual([]);
  });
});
