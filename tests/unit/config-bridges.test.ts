import { describe, expect, it } from 'vitest';
import { profileRegistry } from '../../devices/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import { diffConfig } from '../../src/config/diff.ts';
import { hashDeviceSecret } from '../../src/auth/deviceSecrets.ts';
import type { GatehouseConfig } from '../../src/config/types.ts';

const SECRET = 'bridge-secret-0123456789';

const yaml = (bridges: string, devices: string) => `
campus: { id: s, name: S }
zones: [ { id: z1, name: Z1 } ]
bridges:
${bridges}
devices:
${devices}
`;
const BRIDGE = `  - { id: z2m-1, kind: zigbee2mqtt, secret: "${SECRET}", baseTopic: zigbee2mqtt }`;
const SOS = '  - { id: sos-201, profile: zigbee-sos, zone: z1, bridge: z2m-1, friendlyName: sos_201 }';
const DOOR = '  - { id: door-b1, profile: zigbee-contact, zone: z1, bridge: z2m-1, friendlyName: door_b1 }';

function load(text: string): GatehouseConfig {
  const r = parseConfig(text, { profiles: profileRegistry, env: {} });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return r.config;
}

function errorsOf(text: string): readonly string[] {
  const r = parseConfig(text, { profiles: profileRegistry, env: {} });
  return r.ok ? [] : r.errors;
}

describe('config: Zigbee2MQTT bridges', () => {
  it('loads the contract example: base topic defaulted, sleeping sensors given a day of silence', () => {
    const c = load(yaml(`  - { id: z2m-1, kind: zigbee2mqtt, secret: "${SECRET}" }`, `${SOS}\n${DOOR}\n  - { id: sos-202, profile: zigbee-sos, zone: z1, bridge: z2m-1, friendlyName: "floor2/sos", offlineAfter: 600 }`));
    expect(c.bridges).toEqual([{ id: 'z2m-1', kind: 'zigbee2mqtt', secret: SECRET, baseTopic: 'zigbee2mqtt' }]);
    expect(c.devices.map((d) => d.offlineAfter)).toEqual([90_000, 90_000, 600]);
  });

  it('takes a secretHash instead of a secret, and checks it', () => {
    expect(errorsOf(yaml(`  - { id: z2m-1, kind: zigbee2mqtt, secretHash: "${hashDeviceSecret(SECRET)}" }`, SOS))).toEqual([]);
    expect(errorsOf(yaml('  - { id: z2m-1, kind: zigbee2mqtt, secretHash: "md5$abc" }', SOS))).toEqual(['bridges[0].secretHash: not a device secret hash; make one with `gatehouse device-secret`']);
    expect(errorsOf(yaml(`  - { id: z2m-1, kind: zigbee2mqtt, secret: "${SECRET}", secretHash: "${hashDeviceSecret(SECRET)}" }`, SOS))).toEqual(['bridges[0]: give secret or secretHash, not both']);
    expect(errorsOf(yaml('  - { id: z2m-1, kind: zigbee2mqtt }', SOS))).toEqual([
      'bridges[0].secret: is required for bridge "z2m-1" (the password it sends at CONNECT), or secretHash; generate one with `gatehouse device-secret`',
    ]);
    expect(errorsOf(yaml('  - { id: z2m-1, kind: zigbee2mqtt, secret: short }', SOS))).toEqual(['bridges[0].secret: must be at least 16 characters; generate one with `gatehouse device-secret`']);
  });

  it('names an unknown bridge, a missing friendlyName or bridge, a duplicate friendlyName', () => {
    expect(errorsOf(yaml(BRIDGE, '  - { id: sos-201, profile: zigbee-sos, zone: z1, bridge: z2m-9, friendlyName: sos_201 }'))).toEqual(['devices[0].bridge: unknown bridge "z2m-9" (bridges: z2m-1)']);
    expect(errorsOf(yaml(BRIDGE, '  - { id: sos-201, profile: zigbee-sos, zone: z1, bridge: z2m-1 }'))).toEqual([
      'devices[0].friendlyName: is required for Zigbee2MQTT profile "zigbee-sos" (its name in Zigbee2MQTT, e.g. sos_201)',
    ]);
    expect(errorsOf(yaml(BRIDGE, '  - { id: sos-201, profile: zigbee-sos, zone: z1, friendlyName: sos_201 }'))).toEqual([
      'devices[0].bridge: is required for Zigbee2MQTT profile "zigbee-sos" (the id of a bridges[] entry)',
    ]);
    expect(errorsOf(yaml(BRIDGE, `${SOS}\n  - { id: door-b1, profile: zigbee-contact, zone: z1, bridge: z2m-1, friendlyName: sos_201 }`))).toEqual([
      'devices[1].friendlyName: "sos_201" is already device sos-201\'s on bridge z2m-1',
    ]);
  });

  it('lets two bridges each have a device of the same friendly name', () => {
    const two = `${BRIDGE}\n  - { id: z2m-2, kind: zigbee2mqtt, secret: "${SECRET}", baseTopic: z2m-east }`;
    expect(errorsOf(yaml(two, `${SOS}\n  - { id: sos-301, profile: zigbee-sos, zone: z1, bridge: z2m-2, friendlyName: sos_201 }`))).toEqual([]);
  });

  it('refuses a bridge id that is a device id, a duplicate bridge, overlapping or bad base topics', () => {
    expect(errorsOf(yaml(`  - { id: sos-201, kind: zigbee2mqtt, secret: "${SECRET}" }`, '  - { id: sos-201, profile: zigbee-sos, zone: z1, bridge: sos-201, friendlyName: s }'))).toEqual([
      'bridges[0].id: "sos-201" is also a device id; a bridge signs in to MQTT under its id, so it must differ from every device\'s',
    ]);
    expect(errorsOf(yaml(`${BRIDGE}\n  - { id: z2m-1, kind: zigbee2mqtt, secret: "${SECRET}", baseTopic: other }`, SOS))).toEqual(['bridges[1].id: duplicate bridge id "z2m-1"']);
    expect(errorsOf(yaml(`${BRIDGE}\n  - { id: z2m-2, kind: zigbee2mqtt, secret: "${SECRET}", baseTopic: zigbee2mqtt/east }`, SOS))).toEqual([
      'bridges[1].baseTopic: "zigbee2mqtt/east" overlaps bridges[0]\'s "zigbee2mqtt"; give each bridge its own base topic',
    ]);
    expect(errorsOf(yaml(`  - { id: z2m-1, kind: zigbee2mqtt, secret: "${SECRET}", baseTopic: "zigbee/#" }`, SOS))).toEqual(['bridges[0].baseTopic: must not contain MQTT wildcards (+, #)']);
    expect(errorsOf(yaml(`  - { id: z2m-1, kind: zigbee2mqtt, secret: "${SECRET}", baseTopic: devices }`, SOS))).toEqual([
      'bridges[0].baseTopic: devices/… is where Gatehouse devices publish; use e.g. zigbee2mqtt',
    ]);
    expect(errorsOf(yaml(`  - { id: z2m-1, kind: zigbee2mqtt, secret: "${SECRET}", baseTopic: "/z2m" }`, SOS))).toEqual(['bridges[0].baseTopic: must not start or end with / or have an empty level']);
    expect(errorsOf(yaml(`  - { id: z2m-1, kind: deconz, secret: "${SECRET}" }`, SOS))).toEqual(['bridges[0].kind: must be one of "zigbee2mqtt"']);
    expect(errorsOf(yaml(`  - { id: z2m-1, kind: zigbee2mqtt, secret: "${SECRET}", base_topic: z }`, SOS))).toEqual([
      'bridges[0].base_topic: unknown field (check its spelling and the config reference in README.md)',
    ]);
  });

  it('refuses friendly names that collide with Zigbee2MQTT topics, and bridge fields on other devices', () => {
    const named = (n: string) => errorsOf(yaml(BRIDGE, `  - { id: sos-201, profile: zigbee-sos, zone: z1, bridge: z2m-1, friendlyName: "${n}" }`));
    expect(named('bridge/state')).toEqual(["devices[0].friendlyName: bridge/… is Zigbee2MQTT's own topic"]);
    expect(named('hall/set')).toEqual(['devices[0].friendlyName: must not end in /set (a Zigbee2MQTT command topic)']);
    expect(named('sos+1')).toEqual(['devices[0].friendlyName: must not contain MQTT wildcards (+, #)']);
    expect(errorsOf(yaml(BRIDGE, '  - { id: p1, profile: generic, zone: z1, role: panic-button, secret: "0123456789abcdef", bridge: z2m-1, friendlyName: p1 }'))).toEqual([
      'devices[0].bridge: only Zigbee2MQTT profiles (zigbee-sos, zigbee-contact) report through a bridge; profile generic does not',
      'devices[0].friendlyName: only Zigbee2MQTT profiles (zigbee-sos, zigbee-contact) have a friendly name',
    ]);
    expect(errorsOf(yaml(BRIDGE, `  - { id: sos-201, profile: zigbee-sos, zone: z1, bridge: z2m-1, friendlyName: s, secret: "${SECRET}" }`))).toEqual([
      'devices[0].secret: a Zigbee device signs in through its bridge; put the secret on its bridges[] entry',
    ]);
    expect(errorsOf(yaml(BRIDGE, '  - { id: sos-201, profile: zigbee-sos, zone: z1, bridge: z2m-1, friendlyName: s, options: { panicActions: [] } }'))).toEqual([
      'devices[0].options.panicActions: must be a list of action names, e.g. [emergency, sos]',
    ]);
    expect(errorsOf(yaml(BRIDGE, '  - { id: door-b1, profile: zigbee-contact, zone: z1, bridge: z2m-1, friendlyName: d, options: { invert: true } }'))).toEqual([
      'devices[0].options.invert: unknown option (zigbee-contact takes none)',
    ]);
  });

  it('a reload closes a bridge removed or given a new secret or base topic, and no other', () => {
    const before = load(yaml(`${BRIDGE}\n  - { id: z2m-2, kind: zigbee2mqtt, secret: "${SECRET}", baseTopic: b2 }\n  - { id: z2m-3, kind: zigbee2mqtt, secret: "${SECRET}", baseTopic: b3 }`, SOS));
    const after = load(yaml(`${BRIDGE}\n  - { id: z2m-2, kind: zigbee2mqtt, secret: "${SECRET}x", baseTopic: b2 }`, SOS));
    const diff = diffConfig(before, after, () => undefined);
    expect(diff.bridgesClosed).toEqual(['z2m-2', 'z2m-3']);
    expect(diff.applied).toContain('bridges');
    expect(diff.restartNeeded).toEqual([]);
  });
});
