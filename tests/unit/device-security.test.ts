/**
 * Device-side security, pure parts: secret hashes and their verifier, the role
 * table and each device's allowed kinds, the config errors that name the field,
 * and QoS 2 resend tracking (with the PUBREL ids the frame scanner reads).
 */
import { describe, expect, it } from 'vitest';
import { profileRegistry } from '../../devices/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import { unrestrictedDevices } from '../../src/config/deviceKinds.ts';
import { DeviceSecrets, generateDeviceSecret, hashDeviceSecret, isDeviceSecretHash } from '../../src/auth/deviceSecrets.ts';
import { DEVICE_ROLES, ROLE_KINDS, kindPolicy } from '../../src/core/deviceRoles.ts';
import { EVENT_KINDS } from '../../src/core/event.ts';
import { FrameScanner } from '../../src/transports/mqtt/frameScanner.ts';
import { Qos2Inflight } from '../../src/transports/mqtt/qos2Inflight.ts';

const generic = profileRegistry.get('generic')!;
const wiegand = profileRegistry.get('wiegand-ascii')!;

describe('device secret hashes', () => {
  it('generates 24 base64url characters that do not start like an option, different every time', () => {
    const secrets = Array.from({ length: 200 }, () => generateDeviceSecret());
    for (const s of secrets) expect(s).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{23}$/);
    expect(new Set(secrets).size).toBe(secrets.length);
  });

  it('hashes with a fresh salt each time, in the documented format', () => {
    const a = hashDeviceSecret('the-same-secret-twice');
    const b = hashDeviceSecret('the-same-secret-twice');
    expect(a).not.toBe(b);
    for (const h of [a, b]) expect(h).toMatch(/^hmac-sha256\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(isDeviceSecretHash(a)).toBe(true);
    for (const bad of ['', 'hmac-sha256$x$y', a.replace('hmac-sha256', 'sha256'), `${a}x`, a.slice(0, -1), 'scrypt$131072$8$1$a$b']) {
      expect(isDeviceSecretHash(bad), bad).toBe(false);
    }
  });

  it('verifies the secret against its hash or plain value, byte for byte', () => {
    const secret = generateDeviceSecret();
    const secrets = new DeviceSecrets([
      { id: 'hashed', secretHash: hashDeviceSecret(secret) },
      { id: 'plain', secret: 'plain-secret-0123456789' },
      { id: 'serial' }, // no secret: not an MQTT device
    ]);
    expect(secrets.verify('hashed', Buffer.from(secret))).toBe('ok');
    expect(secrets.verify('plain', Buffer.from('plain-secret-0123456789'))).toBe('ok');
    expect(secrets.verify('hashed', Buffer.from(`${secret} `))).toBe('wrong password');
    expect(secrets.verify('hashed', Buffer.from(secret.slice(0, -1)))).toBe('wrong password');
    expect(secrets.verify('plain', Buffer.from('plain-secret-012345678'))).toBe('wrong password');
    expect(secrets.verify('hashed', undefined)).toBe('wrong password');
    expect(secrets.verify('hashed', Buffer.alloc(0))).toBe('wrong password');
    // the hash itself is not a password
    expect(secrets.verify('hashed', Buffer.from(hashDeviceSecret(secret)))).toBe('wrong password');
    // another device's secret, an unknown id, a device without one
    expect(secrets.verify('plain', Buffer.from(secret))).toBe('wrong password');
    expect(secrets.verify('ghost', Buffer.from(secret))).toBe('unknown device');
    expect(secrets.verify('serial', Buffer.from(''))).toBe('unknown device');
    // bytes that are not UTF-8 never match a text secret (no U+FFFD look-alikes)
    expect(secrets.verify('plain', Buffer.from([0xff, 0xfe]))).toBe('wrong password');
  });

  it('checks a CONNECT far under a millisecond (a 5,000-device reconnect storm)', () => {
    const secret = generateDeviceSecret();
    const secrets = new DeviceSecrets([{ id: 'd', secretHash: hashDeviceSecret(secret) }]);
    const given = Buffer.from(secret);
    const n = 5000;
    const start = process.hrtime.bigint();
    for (let i = 0; i < n; i++) secrets.verify('d', given);
    const perCheckMs = Number(process.hrtime.bigint() - start) / 1e6 / n;
    expect(perCheckMs).toBeLessThan(0.5); // a generous bound; about 0.002 ms here
  });
});

describe('device roles and allowed kinds', () => {
  it('every role with a list names real kinds, and no role may raise a panic but a panic button', () => {
    for (const role of DEVICE_ROLES) {
      const kinds = ROLE_KINDS[role];
      if (!kinds) continue;
      for (const k of kinds) expect(EVENT_KINDS).toContain(k);
      if (role !== 'panic-button') expect(kinds).not.toContain('alarm.panic');
    }
    expect(ROLE_KINDS['panic-button']).toEqual(['alarm.panic', 'alarm.cleared']);
  });

  it('a generic device: its kinds, else its role, plus device.*; neither: any kind', () => {
    const reader = kindPolicy(generic, { role: 'card-reader' });
    expect(reader.source).toBe('role card-reader');
    expect(reader.allowed?.has('access.denied')).toBe(true);
    expect(reader.allowed?.has('device.fault')).toBe(true);
    expect(reader.allowed?.has('alarm.panic')).toBe(false);
    const listed = kindPolicy(generic, { role: 'card-reader', kinds: ['patrol.checkpoint'] });
    expect([...listed.allowed!].sort()).toEqual(['device.fault', 'device.offline', 'device.online', 'patrol.checkpoint']);
    expect(kindPolicy(generic, {}).allowed).toBeUndefined();
    expect(kindPolicy(generic, { role: 'io-module' }).allowed).toBeUndefined();
  });

  it('a profile with its own list is bounded by it, whatever its role says', () => {
    const p = kindPolicy(wiegand, { role: 'panic-button' });
    expect(p.source).toBe('profile wiegand-ascii');
    expect(p.allowed?.has('alarm.panic')).toBe(false);
    expect(p.allowed?.has('access.granted')).toBe(true);
  });
});

const base = (devices: string) => `
campus: { id: s, name: S }
zones: [ { id: z1, name: Z1 } ]
devices:
${devices}
`;

function errorsOf(yaml: string, env: NodeJS.ProcessEnv = {}): readonly string[] {
  const r = parseConfig(yaml, { profiles: profileRegistry, env });
  return r.ok ? [] : r.errors;
}

describe('device config', () => {
  const hash = hashDeviceSecret('a-secret-of-enough-length');

  it('names the field of a short, missing, doubled or malformed secret, without printing it', () => {
    const errors = errorsOf(
      base(`  - { id: d0, profile: generic, zone: z1, secret: "0123456789abcdef" }
  - { id: d1, profile: generic, zone: z1, secret: "0123456789abcde" }
  - { id: d2, profile: generic, zone: z1 }
  - { id: d3, profile: generic, zone: z1, secret: "0123456789abcdef", secretHash: "${hash}" }
  - { id: d4, profile: generic, zone: z1, secretHash: "0123456789abcdef" }
  - { id: d5, profile: generic, zone: z1, secret: "\${env:D5_SECRET}" }`),
      { D5_SECRET: 'short-env-value' },
    );
    expect(errors).toEqual([
      'devices[1].secret: must be at least 16 characters; generate one with `gatehouse device-secret`',
      expect.stringMatching(/^devices\[2\]\.secret: is required for MQTT device profile "generic" .*secretHash/),
      'devices[3]: give secret or secretHash, not both',
      'devices[4].secretHash: not a device secret hash; make one with `gatehouse device-secret`',
      'devices[5].secret: must be at least 16 characters; generate one with `gatehouse device-secret`',
    ]);
    expect(errors.join('\n')).not.toContain('0123456789abcde');
    expect(errors.join('\n')).not.toContain('short-env-value');
  });

  it('takes a secretHash, also from the environment', () => {
    expect(errorsOf(base(`  - { id: d0, profile: generic, zone: z1, secretHash: "${hash}" }`))).toEqual([]);
    expect(errorsOf(base('  - { id: d0, profile: generic, zone: z1, secretHash: "${env:D0_HASH}" }'), { D0_HASH: hash })).toEqual([]);
  });

  it('names an unknown role, a role and type that disagree, and kinds the profile never emits', () => {
    const errors = errorsOf(
      base(`  - { id: d0, profile: generic, zone: z1, secret: "0123456789abcdef", role: alarm-button }
  - { id: d1, profile: generic, zone: z1, secret: "0123456789abcdef", role: card-reader, type: panic-button }
  - { id: d2, profile: generic, zone: z1, secret: "0123456789abcdef", kinds: [alarm.fire] }
  - { id: d3, profile: wiegand-ascii, zone: z1, serial: { path: /dev/null }, kinds: [access.granted, alarm.panic] }`),
    );
    expect(errors).toEqual(
      expect.arrayContaining([
        `devices[0].role: must be one of ${DEVICE_ROLES.map((r) => JSON.stringify(r)).join(', ')}`,
        'devices[1].type: is the older name of role; remove it (role is card-reader, type panic-button)',
        expect.stringMatching(/^devices\[2\]\.kinds\[0\]: must be one of "access\.granted"/),
        'devices[3].kinds[1]: profile wiegand-ascii never emits alarm.panic',
      ]),
    );
    expect(errors).toHaveLength(4);
  });

  it('reads type as role, and warns of devices that may raise any kind', () => {
    const r = parseConfig(
      base(`  - { id: p1, profile: generic, zone: z1, secret: "0123456789abcdef", type: panic-button }
  - { id: any1, profile: generic, zone: z1, secret: "0123456789abcdef" }
  - { id: io1, profile: generic, zone: z1, secret: "0123456789abcdef", role: io-module }
  - { id: io2, profile: generic, zone: z1, secret: "0123456789abcdef", role: io-module, kinds: [door.forced] }`),
      { profiles: profileRegistry, env: {} },
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.config.devices[0]).toMatchObject({ role: 'panic-button', type: 'panic-button' });
    const warning = unrestrictedDevices(r.config.devices, profileRegistry);
    expect(warning?.ids).toEqual(['any1', 'io1']);
    expect(warning?.message).toMatch(/^devices any1, io1 may raise any event kind, alarm\.panic included/);
  });
});

describe('QoS 2 resends', () => {
  /** A commit the test settles by hand. */
  function harness() {
    const tracker = new Qos2Inflight(3);
    const commits: ((err: Error | null) => void)[] = [];
    const answers: (Error | null)[] = [];
    const publish = (id: number, dup: boolean, payload = 'p') =>
      tracker.publish('dev', id, dup, Buffer.from(payload), (done) => commits.push(done), (err) => answers.push(err));
    return { tracker, commits, answers, publish };
  }

  it('a resend while the first copy commits waits for it and is not committed again', () => {
    const h = harness();
    expect(h.publish(7, false)).toBe(false);
    expect(h.publish(7, true)).toBe(true);
    expect(h.commits).toHaveLength(1);
    expect(h.answers).toEqual([]); // no PUBREC before the commit
    h.commits[0]!(null);
    expect(h.answers).toEqual([null, null]);
    expect(h.publish(7, true)).toBe(true); // after the commit, before PUBREL
    expect(h.commits).toHaveLength(1);
    expect(h.answers).toEqual([null, null, null]);
  });

  it('PUBREL frees the id; a PUBLISH without DUP, or with other bytes, is a new message', () => {
    const h = harness();
    h.publish(7, false, 'a');
    h.commits[0]!(null);
    h.tracker.release('dev', 7);
    expect(h.publish(7, true, 'a')).toBe(false); // the id was released: a new message
    h.commits[1]!(null);
    expect(h.publish(7, false, 'a')).toBe(false); // DUP clear: new, even with the same bytes
    h.commits[2]!(null);
    expect(h.publish(7, true, 'b')).toBe(false); // DUP set, other bytes: new
    expect(h.commits).toHaveLength(4);
  });

  it('a failed commit forgets the id (the resend after reconnecting is stored); a PUBREL during the commit frees it after', () => {
    const h = harness();
    h.publish(1, false);
    h.publish(1, true);
    h.commits[0]!(new Error('disk full'));
    expect(h.answers.map((e) => e?.message)).toEqual(['disk full', 'disk full']);
    expect(h.publish(1, true)).toBe(false);
    h.tracker.release('dev', 1);
    expect(h.tracker.size('dev')).toBe(1);
    h.commits[1]!(null);
    expect(h.tracker.size('dev')).toBe(0);
  });

  it('holds at most its bound per device, oldest first out, and devices apart', () => {
    const h = harness();
    for (const id of [1, 2, 3, 4]) h.publish(id, false);
    for (const c of h.commits) c(null);
    expect(h.tracker.size('dev')).toBe(3);
    expect(h.publish(1, true)).toBe(false); // evicted: stored again
    expect(h.publish(4, true)).toBe(true);
    expect(h.tracker.publish('other', 4, true, Buffer.from('p'), () => undefined, () => undefined)).toBe(false);
  });

  it('the frame scanner reads PUBREL packet ids, split anywhere across chunks', () => {
    const seen: number[] = [];
    const scanner = new FrameScanner(65536, (id) => seen.push(id));
    // a QoS 2 PUBLISH to "t", packet id 5, whose payload bytes look like PUBREL headers
    const publish = Buffer.from([0x34, 0x08, 0x00, 0x01, 0x74, 0x00, 0x05, 0x62, 0x02, 0x62]);
    const pubrel = (id: number) => Buffer.from([0x62, 0x02, id >> 8, id & 0xff]);
    const stream = Buffer.concat([publish, pubrel(0x1234), Buffer.from([0xc0, 0x00]), pubrel(7), pubrel(65535)]);
    for (let cut = 0; cut < stream.length; cut++) {
      seen.length = 0;
      const s = new FrameScanner(65536, (id) => seen.push(id));
      expect(s.feed(stream.subarray(0, cut)).ok).toBe(true);
      expect(s.feed(stream.subarray(cut)).ok).toBe(true);
      expect(seen, `cut at ${cut}`).toEqual([0x1234, 7, 65535]);
    }
    seen.length = 0;
    for (const byte of stream) scanner.feed(Buffer.from([byte]));
    expect(seen).toEqual([0x1234, 7, 65535]);
  });
});
