/**
 * Security contract: `gatehouse start` refuses a config holding the published
 * demo credentials (non-zero exit, lines naming each); `hash-password` wants 12
 * characters; the store is private to the hub's user (0700 / 0600).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, test } from 'vitest';
import { hashPassword } from '../../src/auth/password.ts';
import { loadTestConfig, startTestHub, tempDir, testConfigYaml, type TestHub } from '../helpers/hub.ts';

/** The demo's published admin password (spelled so that renaming the test passwords never touches it). */
const DEMO_ADMIN_PASSWORD = ['admin1', 'demo'].join('-');
const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const run = promisify(execFile);
const dirs: { remove(): void }[] = [];
const hubs: TestHub[] = [];
afterAll(async () => {
  for (const h of hubs) await h.stop();
  for (const d of dirs) d.remove();
});

async function gatehouse(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = execFile(process.execPath, [join(ROOT, 'src/bin.js'), ...args], { cwd: ROOT, timeout: 30_000 });
  if (input !== undefined) child.stdin!.end(input);
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  const code = await new Promise<number>((r) => child.once('exit', (c) => r(c ?? -1)));
  return { code, stdout, stderr };
}

describe('gatehouse start refuses the published demo credentials', () => {
  test('the demo config as shipped: exit 1, each demo user and demo secret named, no secret printed', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = join(dir.path, 'copied.yaml');
    writeFileSync(file, readFileSync(join(ROOT, 'config/gatehouse.yaml'), 'utf8').replace('dir: ./data', `dir: ${dir.path}/data`));
    const r = await gatehouse(['start', '--config', file]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refusing to start: .*published demo credentials/);
    expect(r.stderr).toMatch(/users\[0\]\.passwordHash: guard1 has a published demo password/);
    expect(r.stderr).toMatch(/users\[2\]\.passwordHash: admin1 has a published demo password/);
    expect(r.stderr).toMatch(/devices\[\d+\]\.secret: panic-101 uses a published demo secret/);
    expect(r.stderr).not.toMatch(/demo-secret-panic-101/);
    expect(r.stderr).toMatch(/gatehouse demo/);
  });

  test('a demo password hashed anew is caught too; a demo- secret on one device is enough', async () => {
    const dir = tempDir();
    dirs.push(dir);
    // (hash-password itself now refuses it: 11 characters)
    const rehashed = await hashPassword(DEMO_ADMIN_PASSWORD);
    const file = join(dir.path, 'gatehouse.yaml');
    const yaml = testConfigYaml(dir.path).replace(/(username: admin1, role: admin, passwordHash: )"[^"]+"/, (_m, head: string) => `${head}"${rehashed}"`);
    writeFileSync(file, yaml);
    const r = await gatehouse(['start', '--config', file]);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/users\[2\]\.passwordHash: admin1 has a published demo password/);
    expect(r.stderr).not.toMatch(/guard1/);

    writeFileSync(file, testConfigYaml(dir.path).replace('secret: test-secret-of-panic-1 }', 'secret: demo-secret-panic-1 }'));
    const s = await gatehouse(['start', '--config', file]);
    expect(s.code).toBe(1);
    expect(s.stderr).toMatch(/devices\[0\]\.secret: panic-1 uses a published demo secret/);
  });
});

describe('the demo-password check at each start', () => {
  test('a user whose hash was found not to be a demo password is not checked again (a restart after a crash is not slowed); a changed hash is', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const { demoCredentialsIn, clearedKey } = await import('../../src/config/demoCredentials.ts');
    const config = loadTestConfig(testConfigYaml(dir.path));
    const cleared = new Set<string>();
    expect(await demoCredentialsIn(config, cleared)).toEqual([]);
    expect(cleared.size).toBe(3); // guard1, officer1, admin1: checked once, remembered
    // The key covers the hash itself: a hash changed since (here to a re-hashed demo password) is checked again.
    const rehashed = await hashPassword(DEMO_ADMIN_PASSWORD);
    const changed = loadTestConfig(testConfigYaml(dir.path).replace(/(username: admin1, role: admin, passwordHash: )"[^"]+"/, (_m, head: string) => `${head}"${rehashed}"`));
    expect(cleared.has(clearedKey('admin1', rehashed))).toBe(false);
    expect(await demoCredentialsIn(changed, cleared)).toEqual([expect.stringMatching(/^users\[2\]\.passwordHash: admin1 has a published demo password/)]);
  });

  test('gatehouse start remembers the checked users in the data directory, 0600', async () => {
    const dir = tempDir();
    dirs.push(dir);
    const file = join(dir.path, 'gatehouse.yaml');
    writeFileSync(file, testConfigYaml(dir.path)); // ports: any free HTTP port, no plain MQTT listener (the env below)
    const child = execFile(process.execPath, [join(ROOT, 'src/bin.js'), 'start', '--config', file], { cwd: ROOT, env: { ...process.env, GATEHOUSE_HTTP_PORT: '0', GATEHOUSE_MQTT_PORT: '0' } });
    const checked = join(dir.path, '.checked-users');
    const deadline = Date.now() + 30_000;
    while (!existsSync(checked) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    expect(statSync(checked).mode & 0o777).toBe(0o600);
    expect(readFileSync(checked, 'utf8').trim().split('\n')).toHaveLength(3);
  });
});

describe('hash-password', () => {
  test('refuses a password under 12 characters', async () => {
    const short = await gatehouse(['hash-password'], 'elevenchars\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toMatch(/at least 12 characters/);
    const ok = await gatehouse(['hash-password'], 'twelve-chars\n');
    expect(ok.code).toBe(0);
  });
});

describe('the store is private', () => {
  test('the data directory is created 0700 and the database file 0600, whatever the umask', async () => {
    const parent = tempDir();
    dirs.push(parent);
    const dataDir = join(parent.path, 'data');
    const old = process.umask(0o022);
    try {
      const hub = await startTestHub({ dataDir });
      hubs.push(hub);
    } finally {
      process.umask(old);
    }
    expect(statSync(dataDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(dataDir, 'gatehouse.db')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'gatehouse.db-wal')).mode & 0o777).toBe(0o600);
  });
});
