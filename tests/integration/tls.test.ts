/**
 * Security contract (DESIGN.md): TLS 1.2+ on both doors from files the
 * installer provides; devices may sign in with a certificate from the campus
 * CA whose CN is their id; `mqtt.port: 0` turns the plain listener off.
 * Real parts only: `gatehouse cert` (Debian's openssl) makes the certificates,
 * curl, openssl s_client and mosquitto_pub are the outside clients.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { makeCampusCa, makeDeviceCertificate, makeServerCertificate } from '../../src/auth/certificates.ts';
import { METRICS_TOKEN, startHubFromYaml, tempDir, testConfigYaml, waitFor, type TestHub } from '../helpers/hub.ts';
import { startChildHub, killChildHubs } from '../helpers/childHub.ts';
import { eventPayload, killChildren, metricValue, run, secretOf, type ExecResult } from '../helpers/mqtt.ts';
import { freePort, listeningPorts } from '../helpers/ports.ts';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));
const GATEHOUSE = join(ROOT, 'src/bin.js');

const dir = tempDir('gatehouse-tls-');
const ca = join(dir.path, 'ca');
const certs = join(dir.path, 'certs');
const rogue = join(dir.path, 'rogue');
const file = (name: string): string => join(certs, name);
let hub: TestHub;
let base: string;
let token: string;

/** `gatehouse cert …`, the installer's way (runs the CLI from source). */
function gatehouse(...args: string[]): Promise<ExecResult> {
  return run(process.execPath, [GATEHOUSE, ...args], 60_000);
}

function curl(...args: string[]): Promise<ExecResult> {
  return run('curl', ['--silent', '--show-error', '--max-time', '10', ...args]);
}

/** An API call over HTTPS through curl, trusting only the campus CA. */
async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string } = {}): Promise<{ status: number; body: T }> {
  const args = ['--cacert', join(ca, 'ca.crt'), '--write-out', '\n%{http_code}', '-X', init.method ?? 'GET'];
  if (init.token) args.push('-H', `authorization: Bearer ${init.token}`);
  if (init.body !== undefined) args.push('-H', 'content-type: application/json', '--data', JSON.stringify(init.body));
  const r = await curl(...args, `${base}${path}`);
  expect(r.code, r.stderr).toBe(0);
  const cut = r.stdout.lastIndexOf('\n');
  return { status: Number(r.stdout.slice(cut + 1)), body: JSON.parse(r.stdout.slice(0, cut)) as T };
}

/** mosquitto_pub over TLS, QoS 1, as `deviceId` (client id = username = deviceId unless overridden). */
function publishTls(deviceId: string, o: { cert?: string; key?: string; password?: string; marker?: string; port?: number } = {}): Promise<ExecResult> {
  const args = ['-h', '127.0.0.1', '-p', String(o.port ?? hub.mqttTlsPort), '-V', 'mqttv311', '--cafile', join(ca, 'ca.crt'), '-i', deviceId, '-u', deviceId];
  if (o.cert) args.push('--cert', o.cert, '--key', o.key!);
  if (o.password !== undefined) args.push('-P', o.password);
  const payload = eventPayload('alarm.panic', { ts: Date.now(), data: { marker: o.marker ?? randomUUID() } });
  return run('mosquitto_pub', [...args, '-q', '1', '-t', `devices/${deviceId}/events`, '-m', payload]);
}

async function storedWithMarker(marker: string): Promise<{ deviceId: string; kind: string }[]> {
  const res = await api<{ items: { deviceId: string; kind: string; data: Record<string, unknown> }[] }>('/api/v1/events?limit=1000', { token });
  expect(res.status).toBe(200);
  return res.body.items.filter((e) => e.data['marker'] === marker);
}

async function refusals(reason: string): Promise<number> {
  const r = await curl('--cacert', join(ca, 'ca.crt'), '-H', `Authorization: Bearer ${METRICS_TOKEN}`, `${base}/metrics`);
  return metricValue(r.stdout, 'gatehouse_mqtt_refusals_total', { operation: 'connect', reason });
}

const NOT_AUTHORISED = /not authori[sz]ed|bad user name or password/i;

beforeAll(async () => {
  // The installer's steps from the README, through the real CLI.
  for (const args of [
    ['cert', 'ca', '--out', ca, '--name', 'Test School CA'],
    ['cert', 'server', '--ca-dir', ca, '--out', certs, '--name', 'localhost', '--ip', '127.0.0.1'],
    ['cert', 'device', '--ca-dir', ca, '--out', certs, '--id', 'panic-1', '--id', 'panic-2', '--id', 'gate-cert'],
  ]) {
    const r = await gatehouse(...args);
    expect(r.code, `gatehouse ${args.join(' ')}: ${r.stderr}`).toBe(0);
  }
  // Another CA (the attacker's, or another school's) that signs a certificate for panic-1.
  await makeCampusCa(rogue, { name: 'Rogue CA' });
  await makeDeviceCertificate(rogue, rogue, { id: 'panic-1' });

  const yaml = testConfigYaml(dir.path, '', {
    port: 0,
    tls: { port: 8883, cert: file('hub.crt'), key: file('hub.key'), ca: join(ca, 'ca.crt') },
  })
    .replace('http: { port: 0, host: 127.0.0.1,', `http: { port: 0, host: 127.0.0.1, tls: { cert: ${file('hub.crt')}, key: ${file('hub.key')} },`)
    // A device with no secret at all: it can only sign in by certificate.
    .replace('devices:\n', 'devices:\n  - { id: gate-cert, profile: generic, zone: gate }\n');
  hub = await startHubFromYaml(yaml, dir.path, undefined);
  base = `https://127.0.0.1:${hub.hub.httpPort}`;
  const login = await api<{ token: string }>('/api/v1/auth/login', { method: 'POST', body: { username: 'guard1', password: 'guard1-test-pw' } });
  expect(login.status).toBe(200);
  token = login.body.token;
});

afterEach(() => killChildren());

afterAll(async () => {
  await hub?.stop();
  await killChildHubs();
  dir.remove();
});

describe('gatehouse cert', () => {
  test('makes a CA, a server and device certificates that openssl verify accepts for their purpose; keys are 0600', async () => {
    const verify = (purpose: string, cert: string): Promise<ExecResult> => run('openssl', ['verify', '-CAfile', join(ca, 'ca.crt'), '-purpose', purpose, cert]);
    expect((await verify('sslserver', file('hub.crt'))).stdout).toContain(': OK');
    expect((await verify('sslclient', file('panic-1.crt'))).stdout).toContain(': OK');
    // A device certificate cannot serve as the hub's, nor the rogue CA's pass for ours.
    expect((await verify('sslserver', file('panic-1.crt'))).code).not.toBe(0);
    expect((await verify('sslclient', join(rogue, 'panic-1.crt'))).code).not.toBe(0);
    const subject = await run('openssl', ['x509', '-in', file('panic-1.crt'), '-noout', '-subject']);
    expect(subject.stdout.trim()).toBe('subject=CN = panic-1');
    const san = await run('openssl', ['x509', '-in', file('hub.crt'), '-noout', '-ext', 'subjectAltName']);
    expect(san.stdout).toMatch(/DNS:localhost, IP Address:127\.0\.0\.1/);
    for (const key of [join(ca, 'ca.key'), file('hub.key'), file('panic-1.key')]) expect(statSync(key).mode & 0o777).toBe(0o600);
  });

  test('says what is wrong: no CA in the directory, an existing CA, a bad device id, an existing key', async () => {
    const noCa = await gatehouse('cert', 'device', '--ca-dir', join(dir.path, 'nowhere'), '--id', 'panic-1');
    expect(noCa.code).toBe(1);
    expect(noCa.stderr).toMatch(/^gatehouse: no campus CA in .*nowhere .*gatehouse cert ca --out/m);
    await expect(makeCampusCa(ca)).rejects.toThrow(/ca\.crt exists; a new CA would orphan/);
    await expect(makeDeviceCertificate(ca, certs, { id: 'panic/1' })).rejects.toThrow(/--id: "panic\/1" is not a device id/);
    await expect(makeDeviceCertificate(ca, certs, { id: 'panic-1' })).rejects.toThrow(/panic-1\.crt exists; --force replaces it/);
    await expect(makeServerCertificate(ca, certs, { names: ['hub.school.local\nIP:10.0.0.1'], ips: [] })).rejects.toThrow(/is not a DNS name/);
  });
});

describe('HTTPS on http.port', () => {
  test('curl --cacert reaches /healthz and signs in; without the campus CA it does not trust the hub', async () => {
    const health = await curl('--cacert', join(ca, 'ca.crt'), '--write-out', '\n%{http_code} %{ssl_verify_result}', `${base}/healthz`);
    expect(health.code, health.stderr).toBe(0);
    expect(health.stdout.trim().split('\n').at(-1)).toBe('200 0');
    expect(token).toMatch(/./); // signed in over HTTPS in beforeAll
    const untrusted = await curl(`${base}/healthz`);
    expect(untrusted.code).toBe(60); // CURLE_PEER_FAILED_VERIFICATION
  });

  test('plain HTTP to the HTTPS port gets no answer', async () => {
    const plain = await curl('--write-out', '%{http_code}', `http://127.0.0.1:${hub.hub.httpPort}/healthz`);
    expect(plain.code).not.toBe(0);
    expect(plain.stdout).not.toMatch(/ok|200/);
  });
});

describe('TLS versions', () => {
  // Debian's OpenSSL offers TLS 1.1 only at security level 0 (STACK.md); the hub must then refuse it.
  // s_client holds the connection open until its stdin ends: end it at once.
  const handshake = (port: number, version: string): Promise<ExecResult> =>
    new Promise((done) => {
      const args = ['s_client', '-connect', `127.0.0.1:${port}`, version, '-cipher', 'DEFAULT@SECLEVEL=0', '-CAfile', join(ca, 'ca.crt')];
      const child = execFile('openssl', args, { timeout: 15_000, killSignal: 'SIGKILL', encoding: 'utf8' }, (_err, stdout, stderr) =>
        done({ code: child.exitCode, signal: child.signalCode, stdout, stderr }),
      );
      child.stdin!.end();
    });

  test.each([
    ['HTTPS', () => hub.hub.httpPort],
    ['MQTT over TLS', () => hub.mqttTlsPort],
  ])('%s refuses TLS 1.1 and speaks TLS 1.2', async (_name, port) => {
    const old = await handshake(port(), '-tls1_1');
    expect(old.code).not.toBe(0);
    // The hub's alert 70 (protocol_version), not the client declining to offer TLS 1.1.
    expect(`${old.stdout}${old.stderr}`).toMatch(/tlsv1 alert protocol version/);
    const tls12 = await handshake(port(), '-tls1_2');
    expect(tls12.stdout).toMatch(/Protocol\s*: TLSv1\.2/);
    expect(tls12.stdout).toMatch(/Verify return code: 0 \(ok\)/);
  });
});

describe('MQTT over TLS', () => {
  test('the plain listener is off (mqtt.port: 0); the TLS one is up', () => {
    expect(hub.hub.mqttPort).toBe(0);
    expect(hub.mqttTlsPort).toBeGreaterThan(0);
  });

  test('a device certificate signs panic-1 in without a password; its panic is stored', async () => {
    const marker = randomUUID();
    const r = await publishTls('panic-1', { cert: file('panic-1.crt'), key: file('panic-1.key'), marker });
    expect(r.code, r.stderr).toBe(0);
    // PUBACK comes after the commit.
    expect(await storedWithMarker(marker)).toEqual([expect.objectContaining({ deviceId: 'panic-1', kind: 'alarm.panic' })]);
  });

  test('a device with no secret in the config signs in by certificate only', async () => {
    const marker = randomUUID();
    const r = await publishTls('gate-cert', { cert: file('gate-cert.crt'), key: file('gate-cert.key'), marker });
    expect(r.code, r.stderr).toBe(0);
    expect(await storedWithMarker(marker)).toHaveLength(1);
    const withoutCert = await publishTls('gate-cert', { password: 'anything-at-all' });
    expect(withoutCert.stderr).toMatch(NOT_AUTHORISED);
  });

  test('a password device without a certificate still signs in over TLS (--cafile only)', async () => {
    const marker = randomUUID();
    const r = await publishTls('panic-2', { password: secretOf('panic-2'), marker });
    expect(r.code, r.stderr).toBe(0);
    expect(await storedWithMarker(marker)).toHaveLength(1);
  });

  test('a wrong secret over TLS is refused', async () => {
    const before = await refusals('wrong password');
    const marker = randomUUID();
    const r = await publishTls('panic-2', { password: 'not-the-secret', marker });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(NOT_AUTHORISED);
    expect(await refusals('wrong password')).toBe(before + 1);
    expect(await storedWithMarker(marker)).toEqual([]);
  });

  test("another device's certificate is refused, even with the right password, and logged once", async () => {
    const before = await refusals('certificate for another device');
    const marker = randomUUID();
    const r = await publishTls('panic-1', { cert: file('panic-2.crt'), key: file('panic-2.key'), password: secretOf('panic-1'), marker });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(NOT_AUTHORISED);
    expect(await refusals('certificate for another device')).toBe(before + 1);
    expect(await storedWithMarker(marker)).toEqual([]);
    const lines = hub.logs.filter((l) => String(l['msg']).includes('client certificate is for "panic-2"'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ deviceId: 'panic-1' });
    expect(JSON.stringify(hub.logs)).not.toContain(secretOf('panic-1')); // no secret in a log line
  });

  test('a certificate from another CA is refused, even with the right password', async () => {
    const before = await refusals('untrusted certificate');
    const marker = randomUUID();
    const r = await publishTls('panic-1', { cert: join(rogue, 'panic-1.crt'), key: join(rogue, 'panic-1.key'), password: secretOf('panic-1'), marker });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(NOT_AUTHORISED);
    expect(await refusals('untrusted certificate')).toBe(before + 1);
    expect(await storedWithMarker(marker)).toEqual([]);
    expect(hub.logs.some((l) => /client certificate not trusted \(.*\)/.test(String(l['msg'])))).toBe(true);
  });

  test('a client that does not trust the hub (no --cafile for the campus CA) cannot connect', async () => {
    const r = await run('mosquitto_pub', ['-h', '127.0.0.1', '-p', String(hub.mqttTlsPort), '--cafile', join(rogue, 'ca.crt'), '-i', 'panic-2', '-u', 'panic-2', '-P', secretOf('panic-2'), '-t', 'devices/panic-2/events', '-m', '{}']);
    expect(r.code).not.toBe(0);
    await waitFor(async () => ((await refusals('tls handshake')) > 0 ? true : undefined), 5000, 'the failed handshake to be counted');
  });
});

describe('config errors and the listeners of a real process', () => {
  test('check-config names the field of a certificate file it cannot read', async () => {
    const bad = join(dir.path, 'bad.yaml');
    writeFileSync(bad, testConfigYaml(dir.path, '', { tls: { cert: file('hub.crt'), key: join(dir.path, 'missing.key') } }));
    const r = await gatehouse('check-config', bad);
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toBe(`mqtt.tls.key: cannot read ${join(dir.path, 'missing.key')}: ENOENT`);
  });

  test('gatehouse start with mqtt.port 0 (via GATEHOUSE_MQTT_PORT=0) listens on the HTTP and MQTT-over-TLS ports only', async () => {
    const data = tempDir('gatehouse-tls-child-');
    try {
      const tlsPort = await freePort();
      const child = await startChildHub({ dataDir: data.path, mqttPort: 0, mqtt: { tls: { port: tlsPort, cert: file('hub.crt'), key: file('hub.key') } } });
      expect(listeningPorts(child.child.pid!)).toEqual([child.httpPort, tlsPort].sort((a, b) => a - b));
      const marker = randomUUID();
      const r = await publishTls('panic-2', { password: secretOf('panic-2'), marker, port: tlsPort });
      expect(r.code, r.stderr).toBe(0);
      child.kill('SIGTERM');
      expect((await child.exited).code).toBe(0);
    } finally {
      await killChildHubs();
      data.remove();
    }
  });
});
