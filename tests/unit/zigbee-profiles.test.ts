import { describe, expect, it } from 'vitest';
import { profileRegistry } from '../../devices/index.ts';
import type { AnyProfile, DecodeResult } from '../../src/core/device.ts';

/** Feed payloads in order, state carried from one to the next, as the hub does. */
function run(profileId: string, payloads: readonly string[], options: Record<string, unknown> = {}): DecodeResult<unknown>[] {
  const profile = profileRegistry.get(profileId) as AnyProfile;
  const parsed = profile.parseOptions!({ options }, { cards: [] });
  if ('errors' in parsed) throw new Error(parsed.errors.join('; '));
  let state: unknown;
  return payloads.map((p) => {
    const r = profile.decode({ deviceId: 'd', channel: 'state', payload: Buffer.from(p), receivedAt: 1_732_780_000_000 }, { deviceId: 'd', options: parsed.options, state });
    if (r.ok && r.state !== undefined) state = r.state;
    return r;
  });
}
const kinds = (results: DecodeResult<unknown>[]) => results.map((r) => (r.ok ? r.events.map((e) => e.kind) : r.reason));

describe('zigbee-contact', () => {
  it('raises door.opened and door.closed on changes only, not on the cached state repeated with each battery report', () => {
    const r = run('zigbee-contact', [
      '{"contact":true,"battery":90,"linkquality":100}',
      '{"contact":false,"battery":90,"linkquality":98}',
      '{"contact":false,"battery":89,"linkquality":97}',
      '{"contact":true,"battery":89,"linkquality":99}',
      '{"contact":true,"battery":89,"linkquality":99}',
    ]);
    expect(kinds(r)).toEqual([[], ['door.opened'], [], ['door.closed'], []]);
    expect(r[0]).toMatchObject({ ok: true, health: { battery: 90, linkquality: 100 } });
  });

  it('tamper once per rise, with reason tamper', () => {
    const r = run('zigbee-contact', ['{"contact":true,"tamper":true}', '{"contact":true,"tamper":true,"battery":80}', '{"contact":true,"tamper":false}', '{"contact":true,"tamper":true}']);
    expect(kinds(r)).toEqual([['device.fault'], [], [], ['device.fault']]);
    expect(r[0]).toMatchObject({ ok: true, events: [{ kind: 'device.fault', data: { reason: 'tamper' } }] });
  });

  it('reports battery_low as health, and takes last_seen as the event time', () => {
    const [r] = run('zigbee-contact', ['{"contact":false,"battery_low":true,"voltage":2700,"last_seen":1732780000500}']);
    expect(r).toMatchObject({ ok: true, health: { battery_low: true, voltage: 2700 }, events: [{ kind: 'door.opened', ts: 1732780000500 }] });
  });
});

describe('zigbee-sos', () => {
  it('every emergency action is a press; the IAS sos bit only when it rises', () => {
    const r = run('zigbee-sos', [
      '{"action":"emergency","battery":100}',
      '{"action":"emergency","battery":100}',
      '{"sos":true,"tamper":false}',
      '{"sos":true,"tamper":false,"battery":99}',
      '{"sos":false}',
      '{"sos":true}',
    ]);
    expect(kinds(r)).toEqual([['alarm.panic'], ['alarm.panic'], ['alarm.panic'], [], [], ['alarm.panic']]);
    expect(r[0]).toMatchObject({ ok: true, events: [{ kind: 'alarm.panic', data: { action: 'emergency' } }] });
  });

  it('panicActions replaces the default list', () => {
    expect(kinds(run('zigbee-sos', ['{"action":"single"}', '{"action":"emergency"}'], { panicActions: ['single'] }))).toEqual([['alarm.panic'], []]);
  });

  it('a press with a broken battery field still raises the alarm', () => {
    expect(kinds(run('zigbee-sos', ['{"action":"emergency","battery":"full","linkquality":-1e999}']))).toEqual([['alarm.panic']]);
  });
});

describe('Zigbee and serial reader options, spelled badly', () => {
  const parse = (id: string, options: unknown, device: Record<string, unknown> = {}) => profileRegistry.get(id)!.parseOptions!({ ...device, ...(options === undefined ? {} : { options }) }, { cards: [] });
  it.each([
    ['zigbee-sos', { panicActions: [] }, /^options\.panicActions: must be a list of action names/],
    ['zigbee-sos', { panicActions: 'sos' }, /^options\.panicActions: must be a list of action names/],
    ['zigbee-sos', { panicActions: [''] }, /^options\.panicActions\[0\]: /],
    ['zigbee-sos', { panicAction: ['sos'] }, /^options\.panicAction: unknown option \(zigbee-sos takes panicActions\)/],
    ['zigbee-sos', 'sos', /^options: must be a mapping/],
    ['zigbee-contact', { invert: true }, /^options\.invert: unknown option \(zigbee-contact takes none\)/],
    ['wiegand-ascii', { format: 'hex9' }, /^options\.format: must be one of /],
  ])('%s refuses %j', (id, options, message) => {
    expect(parse(id, options)).toEqual({ errors: [expect.stringMatching(message)] });
  });

  it('fills the defaults when options are left out', () => {
    const sos = parse('zigbee-sos', undefined) as { options: { panicActions: ReadonlySet<string> } };
    expect([...sos.options.panicActions]).toEqual(['emergency', 'sos']);
    expect(parse('wiegand-ascii', undefined)).toMatchObject({ options: { format: 'decimal10', link: { protocol: 'ascii-lines' } } });
    expect(parse('wiegand-ascii', {}, { modbus: { unit: 1 } })).toEqual({ errors: ['modbus: a wiegand-ascii reader is not a Modbus device; remove modbus'] });
  });
});
