import { describe, expect, it } from 'vitest';
import { profileRegistry } from '../../devices/index.ts';
import { onvifAccess, type AccessState } from '../../devices/onvif-access/profile.ts';
import { label, nameEventData, readNames } from '../../devices/onvif-access/names.ts';
import type { RawMessage } from '../../src/core/device.ts';

const options = onvifAccess.parseOptions!({ onvif: { host: 'ctl.test' } }, { cards: [] });
if (!('options' in options)) throw new Error('options');
const raw = (channel: string, payload: Record<string, unknown>): RawMessage => ({ deviceId: 'ctl', channel, payload, receivedAt: Date.now() });
const decode = (m: RawMessage, state: AccessState | undefined) => onvifAccess.decode(m, { deviceId: 'ctl', options: options.options, state });

describe('onvif-access profile', () => {
  it('is registered, and asks the transport for the door and access point lists', () => {
    expect(profileRegistry.get('onvif-access')).toBe(onvifAccess);
    expect(options.options).toMatchObject({ host: 'ctl.test', port: 80, accessInventory: true });
    expect(onvifAccess.parseOptions!({ onvif: { host: 'a b' } }, { cards: [] })).toEqual({ errors: ['onvif.host: must be a host name or IP address (no scheme, no path)'] });
  });

  it('keeps the inventory as state and names doors and access points in later events', () => {
    const inv = decode(raw('inventory', { doors: [{ token: 'Door_1', name: '北门' }], accessPoints: [{ token: 'AP_1', name: '北门入口', entity: 'Door_1' }] }), undefined);
    expect(inv).toMatchObject({ ok: true, events: [] });
    const state = (inv as { state: AccessState }).state;
    const forced = decode(raw('notification', { topic: 'tns1:Door/State/DoorAlarm', operation: 'Changed', source: { DoorToken: 'Door_1' }, data: { State: 'DoorForcedOpen' } }), state);
    expect(forced.ok && forced.events[0]).toMatchObject({ kind: 'door.forced', data: { door: '北门 (Door_1)', doorToken: 'Door_1' } });
    // The door alarm's state was kept beside the names: the same state again is not a new alarm.
    const again = decode(raw('notification', { topic: 'tns1:Door/State/DoorAlarm', operation: 'Changed', source: { DoorToken: 'Door_1' }, data: { State: 'DoorForcedOpen' } }), forced.ok ? forced.state : undefined);
    expect(again.ok && again.events).toEqual([]);
    expect(again.ok && again.state?.names).toEqual(state.names);
    const granted = decode(raw('notification', { topic: 'tns1:AccessControl/AccessGranted/Credential', source: { AccessPointToken: 'AP_1' }, data: { CredentialToken: 'C1' } }), state);
    expect(granted.ok && granted.events[0]!.data).toMatchObject({ accessPoint: '北门入口 (AP_1)', accessPointToken: 'AP_1', door: '北门 (Door_1)' });
  });

  it('before the inventory (or without one) events name tokens', () => {
    const denied = decode(raw('notification', { topic: 'tns1:AccessControl/Denied/CredentialNotFound/Card', source: { AccessPointToken: 'AP_9' }, data: { Card: '1' } }), undefined);
    expect(denied.ok && denied.events[0]!.data).toMatchObject({ accessPoint: 'AP_9', accessPointToken: 'AP_9' });
  });

  it('reads names defensively', () => {
    expect(label('北门', 'Door_1')).toBe('北门 (Door_1)');
    expect(label('Door_1', 'Door_1')).toBe('Door_1');
    expect(readNames([])).toMatch(/object/);
    expect(readNames({ doors: [{ token: ' ' }] })).toBe('every door needs a token');
    expect(readNames({ accessPoints: [{}] })).toBe('every access point needs a token');
    expect(readNames({ doors: Array.from({ length: 2001 }, (_, i) => ({ token: `D${i}` })) })).toMatch(/limited/);
    expect(readNames({ doors: [{ token: 'D1', name: 'x'.repeat(500) }] })).toEqual({ doors: { D1: 'x'.repeat(64) }, accessPoints: {} });
    expect(nameEventData({ door: 'D1' }, undefined)).toEqual({ door: 'D1', doorToken: 'D1' });
    // The worst spellings a controller can send: tokens that are Object's own names, control characters in a name.
    const hostile = readNames({ doors: [{ token: '__proto__', name: 'x' }, { token: 'D2', name: '北门\n@all\u0007' }], accessPoints: [{ token: '__proto__', name: 'y', entity: 'D2' }] });
    if (typeof hostile === 'string') throw new Error(hostile);
    expect(Object.getPrototypeOf(hostile.accessPoints)).toBe(Object.prototype);
    expect(hostile.doors['D2']).toBe('北门 @all');
    expect(nameEventData({ door: 'constructor' }, hostile)).toEqual({ door: 'constructor', doorToken: 'constructor' });
    expect(nameEventData({ accessPoint: 'toString' }, hostile)).toEqual({ accessPoint: 'toString', accessPointToken: 'toString' });
  });
});
