/**
 * Installing on a campus edge box (issue 16.5): the systemd unit passes
 * `systemd-analyze verify` and its offline security review; the hub speaks
 * systemd's notification protocol to a real unix datagram socket (READY,
 * WATCHDOG from the supervision loop, STOPPING); `gatehouse init` writes a
 * config that checks, starts over HTTPS with the CA it made, and lets the
 * admin sign in with the password it printed once — and never overwrites.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, fetch as undiciFetch } from 'undici';
import { afterAll, describe, expect, it } from 'vitest';
import { killChildHubs, startChildHub } from '../helpers/childHub.ts';
import { tempDir, waitFor } from '../helpers/hub.ts';
import { freePort, run } from '../helpers/mqtt.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const UNIT = join(ROOT, 'deploy/gatehouse.service');
const work = tempDir('gatehouse-install-');
const spawned: ChildProcess[] = [];

afterAll(async () => {
  for (const c of spawned) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await killChildHubs();
  work.remove();
});

describe('the systemd unit', () => {
  it('passes systemd-analyze verify', async () => {
    const r = await run('systemd-analyze', ['verify', UNIT]);
    expect(`${r.stdout}${r.stderr}`).toBe('');
    expect(r.code).toBe(0);
  });

  it('is hardened: the offline security review rates it below 3 (OK), with the service manager features it relies on', async () => {
    const r = await run('systemd-analyze', ['security', '--offline=true', '--threshold=30', UNIT]);
    expect(r.code, r.stdout).toBe(0);
    const text = readFileSync(UNIT, 'utf8');
    for (const line of ['Type=notify', 'NotifyAccess=all', 'ProtectSystem=strict', 'StateDirectory=gatehouse', 'Restart=on-failure', 'ExecReload=/bin/kill -HUP $MAINPID', 'User=gatehouse']) {
      expect(text).toContain(line);
    }
    expect(text).toMatch(/^WatchdogSec=\d+s$/m);
    expect(text).toMatch(/^LimitNOFILE=\d+$/m);
  });
});

describe("systemd's notification protocol", () => {
  it('READY=1 once serving, WATCHDOG=1 from the supervision loop, STOPPING=1 on SIGTERM — to a real datagram socket', async () => {
    const dir = tempDir('gatehouse-notify-');
    const socketPath = join(dir.path, 'notify.sock');
    // The receiver systemd would be: a unix datagram socket, one line of JSON per message.
    const receiver = spawn('python3', ['-u', '-c', RECEIVER, socketPath], { stdio: ['ignore', 'pipe', 'inherit'] });
    spawned.push(receiver);
    let heard = '';
    receiver.stdout!.on('data', (b: Buffer) => (heard += b.toString('utf8')));
    await waitFor(() => (heard.includes('listening') ? true : undefined), 5000, 'the receiver');
    const messages = (): string[] => heard.split('\n').filter((l) => l.startsWith('"')).map((l) => JSON.parse(l) as string);

    const hub = await startChildHub({ dataDir: dir.path, env: { NOTIFY_SOCKET: socketPath, WATCHDOG_USEC: '1000000' } });
    const ready = await waitFor(() => messages().find((m) => m.includes('READY=1')), 5000, 'READY=1');
    expect(ready).toMatch(/STATUS=serving 5 devices/);
    expect(ready).toContain(`MAINPID=${hub.child.pid}`);
    // Half the watchdog period: at least two pings within ~2 s of supervision ticks.
    await waitFor(() => (messages().filter((m) => m.trim() === 'WATCHDOG=1').length >= 2 ? true : undefined), 6000, 'two WATCHDOG=1');
    hub.kill('SIGTERM');
    expect((await hub.exited).code).toBe(0);
    await waitFor(() => messages().find((m) => m.includes('STOPPING=1')), 5000, 'STOPPING=1');
    receiver.kill();
    dir.remove();
  }, 60_000);

  it('without NOTIFY_SOCKET nothing is sent and nothing is spawned (a terminal, a container)', async () => {
    const { SystemdNotifier } = await import('../../src/observability/systemdNotify.ts');
    const { createLogger } = await import('../../src/observability/logger.ts');
    const n = new SystemdNotifier(createLogger('silent'), {});
    expect(n.active).toBe(false);
    expect(n.watchdogEveryMs).toBe(0);
    n.ready('x');
    n.alive();
    n.close();
    // A watchdog meant for another process (WATCHDOG_PID) is not ours to feed.
    const other = new SystemdNotifier(createLogger('silent'), { NOTIFY_SOCKET: '@nowhere-gatehouse-test', WATCHDOG_USEC: '1000000', WATCHDOG_PID: '1' });
    expect(other.watchdogEveryMs).toBe(0);
    other.close();
  });
});

describe('gatehouse init', () => {
  const etc = join(work.path, 'etc');
  const file = join(etc, 'gatehouse.yaml');
  const data = join(work.path, 'data');
  const bin = join(ROOT, 'src/bin.js');

  it('writes a config (0600) that checks, starts over HTTPS, and lets the admin in with the password printed once; it never overwrites', async () => {
    const made = await run(process.execPath, [bin, 'init', '--out', file, '--campus-id', 'first-school', '--campus-name', '第一中学', '--data-dir', data, '--name', 'localhost', '--ip', '127.0.0.1']);
    expect(made.code, made.stderr).toBe(0);
    const password = /admin password:\s+(\S+)/.exec(made.stdout)?.[1];
    const metricsToken = /metrics token:\s+(\S+)/.exec(made.stdout)?.[1];
    expect(password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(metricsToken).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(etc, 'tls/ca.key')).mode & 0o777).toBe(0o600);
    const yaml = readFileSync(file, 'utf8');
    expect(yaml).not.toContain(password); // only its hash
    expect(yaml).toMatch(/^ {2}port: 0$/m); // plain MQTT off

    const again = await run(process.execPath, [bin, 'init', '--out', file, '--campus-id', 'first-school']);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(/exists; init never overwrites/);
    expect(readFileSync(file, 'utf8')).toBe(yaml);
    const bad = await run(process.execPath, [bin, 'init', '--out', join(etc, 'other.yaml'), '--campus-id', 'Bad Id!']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--campus-id "Bad Id!"/);

    const checked = await run(process.execPath, [bin, 'check-config', file]);
    expect(checked.stdout).toMatch(/ok — campus first-school, 1 zones, 0 devices, 1 users/);

    // On this test machine: loopback and free ports instead of 0.0.0.0, 8443 and 8883.
    const [httpPort, tlsPort] = [await freePort(), await freePort()];
    writeFileSync(file, yaml.replaceAll('host: 0.0.0.0', 'host: 127.0.0.1').replace('port: 8883', `port: ${tlsPort}`), { mode: 0o600 });
    const hub = spawn(process.execPath, [bin, 'start', '--config', file], { env: { ...process.env, GATEHOUSE_HTTP_PORT: String(httpPort) }, stdio: ['ignore', 'pipe', 'pipe'] });
    spawned.push(hub);
    let out = '';
    hub.stdout!.on('data', (b: Buffer) => (out += b.toString('utf8')));
    hub.stderr!.on('data', (b: Buffer) => (out += b.toString('utf8')));
    const exited = new Promise<number | null>((r) => hub.once('exit', (code) => r(code)));

    const dispatcher = new Agent({ connect: { ca: readFileSync(join(etc, 'tls/ca.crt')) } });
    const base = `https://localhost:${httpPort}`;
    await waitFor(async () => ((await undiciFetch(`${base}/healthz`, { dispatcher }).catch(() => undefined))?.status === 200 ? true : undefined), 30_000, `the hub over HTTPS:\n${out}`);
    const signIn = await undiciFetch(`${base}/api/v1/auth/login`, { dispatcher, method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password }) });
    expect(signIn.status).toBe(200);
    const { token } = (await signIn.json()) as { token: string };
    const me = await undiciFetch(`${base}/api/v1/users`, { dispatcher, headers: { authorization: `Bearer ${token}` } });
    expect(me.status).toBe(200);
    expect((await undiciFetch(`${base}/metrics`, { dispatcher })).status).toBe(401);
    expect((await undiciFetch(`${base}/metrics`, { dispatcher, headers: { authorization: `Bearer ${metricsToken}` } })).status).toBe(200);
    expect(statSync(data).mode & 0o777).toBe(0o700);
    hub.kill('SIGTERM');
    expect(await exited).toBe(0);
    await dispatcher.close();
  }, 90_000);
});

const RECEIVER = `
import json, os, socket, sys
path = sys.argv[1]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
print("listening", flush=True)
while True:
    data = s.recv(4096)
    print(json.dumps(data.decode()), flush=True)
`;
