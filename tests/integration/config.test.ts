import { describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { profileRegistry } from '../../devices/index.ts';
import { parseConfig, loadConfigFile } from '../../src/config/load.ts';
import { TEST_USERS, tempDir } from '../helpers/hub.ts';

const run = promisify(execFile);
const root = new URL('../../', import.meta.url).pathname;

const base = (devices: string, extra = '') => `
campus: { id: s, name: S }
zones: [ { id: z1, name: Z1 } ]
devices:
${devices}
${extra}`;

function errorsOf(yaml: string, env: NodeJS.ProcessEnv = {}): readonly string[] {
  const r = parseConfig(yaml, { profiles: profileRegistry, env });
  return r.ok ? [] : r.errors;
}

describe('config', () => {
  it('loads the shipped example campus, with 20+ devices, and freezes it', () => {
    const r = loadConfigFile(join(root, 'config/gatehouse.yaml'), { profiles: profileRegistry, env: {} });
    expect(r.ok, r.ok ? '' : r.errors.join('\n')).toBe(true);
    if (!r.ok) return;
    expect(r.config.devices.length).toBeGreaterThanOrEqual(20);
    expect(Object.isFrozen(r.config)).toBe(true);
    expect(Object.isFrozen(r.config.devices[0])).toBe(true);
    expect(() => {
      (r.config.http as { port: number }).port = 1;
    }).toThrow();
  });

  it('fills defaults: ports, offlineAfter per device, escalation', () => {
    const r = parseConfig(base('  - { id: d1, profile: generic, zone: z1, secret: "0123456789abcdef", offlineAfter: 60 }\n  - { id: d2, profile: generic, zone: z1, secret: "0123456789abcdef" }'), {
      profiles: profileRegistry,
      env: {},
    });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.http.port).toBe(8080);
    expect(r.config.mqtt).toMatchObject({ mode: 'embedded', port: 1883, maxPacketBytes: 65536 });
    expect(r.config.devices.map((d) => d.offlineAfter)).toEqual([60, 180]);
    expect(r.config.incidents.escalateAfter).toEqual({ critical: 30, high: 120 });
    expect(r.config.storage.synchronous).toBe('normal');
  });

  it('names every bad field with path: reason', () => {
    const errors = errorsOf(
      base(
        `  - { id: a, profile: generic, zone: z1, secret: short }
  - { id: a, profile: generic, zone: nowhere, secret: "0123456789abcdef" }
  - { id: c, profile: foo, zone: z1 }
  - { id: d, profile: generic, zone: z1, secret: "0123456789abcdef", serial: { path: /dev/x, baudRate: 1234 } }
  - { id: "bad/id", profile: generic, zone: z1, secret: "0123456789abcdef" }`,
        `http: { port: 99999 }\nmqtt: { bogus: 1 }\nusers: [ { username: u, role: boss, passwordHash: x } ]`,
      ),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        'http.port: must be <= 65535',
        expect.stringMatching(/^mqtt\.bogus: unknown field/),
        expect.stringMatching(/^devices\[0\]\.secret: /),
        'devices[1].id: duplicate device id "a"',
        'devices[1].zone: unknown zone "nowhere" (zones: z1)',
        `devices[2].profile: unknown profile "foo" (known: ${[...profileRegistry.keys()].join(', ')})`,
        'devices[3].serial.baudRate: must be one of 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200',
        expect.stringMatching(/^devices\[4\]\.id: use letters, digits/),
        'users[0].role: must be one of "guard", "officer", "admin"',
        expect.stringMatching(/^users\[0\]\.passwordHash: not a Gatehouse password hash/),
      ]),
    );
  });

  it('reports missing required sections', () => {
    expect(errorsOf('campus: { id: s, name: S }\n')).toEqual(expect.arrayContaining(['zones: is required', 'devices: is required']));
    expect(errorsOf('- just\n- a list\n')[0]).toMatch(/must be a YAML mapping/);
    expect(errorsOf('campus: [unclosed\n')[0]).toMatch(/^yaml: /);
  });

  it('reads ${env:NAME} secrets and says which variable is missing', () => {
    const yaml = base('  - { id: d1, profile: generic, zone: z1, secret: "${env:PANIC_SECRET}" }');
    expect(errorsOf(yaml)).toEqual(['devices[0].secret: environment variable PANIC_SECRET is not set']);
    const r = parseConfig(yaml, { profiles: profileRegistry, env: { PANIC_SECRET: 'from-the-environment' } });
    expect(r.ok && r.config.devices[0]!.secret).toBe('from-the-environment');
  });

  it('applies GATEHOUSE_* environment overrides and validates them', () => {
    const yaml = base('  - { id: d1, profile: generic, zone: z1, secret: "0123456789abcdef" }');
    const r = parseConfig(yaml, { profiles: profileRegistry, env: { GATEHOUSE_HTTP_PORT: '9090', GATEHOUSE_MQTT_PORT: '1999', GATEHOUSE_DATA_DIR: '/var/lib/gh' } });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.http.port).toBe(9090);
    expect(r.config.mqtt.mode === 'embedded' && r.config.mqtt.port).toBe(1999);
    expect(r.config.storage.dir).toBe('/var/lib/gh');
    expect(errorsOf(yaml, { GATEHOUSE_HTTP_PORT: 'eighty' })).toEqual(['GATEHOUSE_HTTP_PORT: must be a port number 0–65535, got "eighty"']);
  });

  it('accepts a real password hash', () => {
    const yaml = base('  - { id: d1, profile: generic, zone: z1, secret: "0123456789abcdef" }', `users: [ { username: g, role: guard, passwordHash: "${TEST_USERS.guard1}" } ]`);
    expect(errorsOf(yaml)).toEqual([]);
  });
});

describe('gatehouse check-config (CLI)', () => {
  it('exits 0 on the example campus and 1 with path: reason lines on a bad file', async () => {
    const ok = await run(process.execPath, [join(root, 'src/bin.js'), 'check-config', join(root, 'config/gatehouse.yaml')]);
    expect(ok.stdout).toMatch(/ok — campus demo-school/);
    const dir = tempDir();
    try {
      const bad = join(dir.path, 'bad.yaml');
      writeFileSync(bad, base('  - { id: d1, profile: nope, zone: z1 }'));
      const failed = await run(process.execPath, [join(root, 'src/bin.js'), 'check-config', bad]).then(
        () => undefined,
        (err: { code: number; stdout: string }) => err,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stdout.trim()).toBe(`devices[0].profile: unknown profile "nope" (known: ${[...profileRegistry.keys()].join(', ')})`);
    } finally {
      dir.remove();
    }
  });

  it('warns, and still passes, a campus whose camera tamper rule is off while video loss is left on', async () => {
    const dir = tempDir();
    try {
      const file = join(dir.path, 'tamper-off.yaml');
      writeFileSync(file, base('  - { id: d1, profile: generic, zone: z1, role: panic-button, secret: "0123456789abcdef" }', 'rules: { cameraTamper: { enabled: false } }'));
      const checked = await run(process.execPath, [join(root, 'src/bin.js'), 'check-config', file]);
      expect(checked.stdout).toMatch(/^warning: rules\.cameraTamper is off, but camera video loss still opens incidents/m);
      expect(checked.stdout).toMatch(/: ok — campus s,/);
    } finally {
      dir.remove();
    }
  });

  it('hash-password reads stdin and prints a hash the config accepts', async () => {
    const child = execFile(process.execPath, [join(root, 'src/bin.js'), 'hash-password']);
    child.stdin!.end('correct horse battery\n');
    const out = await new Promise<string>((resolve, reject) => {
      let s = '';
      child.stdout!.on('data', (c: Buffer) => (s += c.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(s.trim()) : reject(new Error(`exit ${code}`))));
    });
    expect(out).toMatch(/^scrypt\$131072\$8\$1\$/);
    const { verifyPassword } = await import('../../src/auth/password.ts');
    expect(await verifyPassword('correct horse battery', out)).toBe(true);
    expect(await verifyPassword('wrong', out)).toBe(false);
  });
});

describe('config: MQTT flood control', () => {
  it('fills the defaults and takes a per-device allowance', () => {
    const r = parseConfig(base('  - { id: bridge, profile: generic, zone: z1, secret: "0123456789abcdef", rateLimit: { rate: 200, burst: 2000 } }'), { profiles: profileRegistry, env: {} });
    expect(r.ok, r.ok ? '' : r.errors.join('\n')).toBe(true);
    if (!r.ok || r.config.mqtt.mode !== 'embedded') return;
    expect(r.config.mqtt.rateLimit).toEqual({ rate: 20, burst: 200, floodSeconds: 10, maxHeld: 1000, backoffSeconds: 10 });
    expect(r.config.mqtt.connectRate).toEqual({ rate: 20, burst: 200 });
    expect(r.config.mqtt.authBackoff).toEqual({ device: 5, address: 20, initialSeconds: 1, maxSeconds: 300 });
    expect(r.config.mqtt.maxConnections).toBeUndefined(); // derived from the file limit at start
    expect(r.config.devices[0]!.rateLimit).toEqual({ rate: 200, burst: 2000 });
  });

  it('names bad values: zero or negative rates, a fractional burst, unknown fields', () => {
    const errors = errorsOf(
      base(
        '  - { id: d1, profile: generic, zone: z1, secret: "0123456789abcdef", rateLimit: { rate: 0, burst: 1.5 } }',
        'mqtt: { rateLimit: { rate: -1, floodSeconds: 0, typo: 1 }, maxConnections: 0, connectRate: { burst: 0 }, authBackoff: { device: -1 } }',
      ),
    ).join('\n');
    for (const path of ['devices[0].rateLimit.rate', 'devices[0].rateLimit.burst', 'mqtt.rateLimit.rate', 'mqtt.rateLimit.floodSeconds', 'mqtt.rateLimit.typo', 'mqtt.maxConnections', 'mqtt.connectRate.burst', 'mqtt.authBackoff.device']) {
      expect(errors).toContain(path);
    }
  });
});
