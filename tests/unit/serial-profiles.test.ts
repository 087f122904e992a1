import { describe, expect, it } from 'vitest';
import { profileRegistry } from '../../devices/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import type { DecodeResult, RawMessage } from '../../src/core/device.ts';
import { canonicalCard, readCard } from '../../devices/wiegand-ascii/cardNumber.ts';
import { parseRelayCommand } from '../../src/transports/serial/serialTransport.ts';
import type { ModbusRtuLink } from '../../src/core/fieldbus.ts';

const wiegand = profileRegistry.get('wiegand-ascii')!;
const modbusDi = profileRegistry.get('modbus-di')!;
const cards = [{ card: '0012345678', name: '张三' }];

function options(profile: typeof wiegand, device: Record<string, unknown>): unknown {
  const parsed = profile.parseOptions!(device, { cards });
  if ('errors' in parsed) throw new Error(parsed.errors.join('; '));
  return parsed.options;
}

/** Feed messages through a profile the way the ingest pipeline does, carrying state. */
function run(profile: typeof wiegand, opts: unknown, messages: [number, RawMessage['payload'], string?][]): DecodeResult<unknown>[] {
  let state: unknown;
  return messages.map(([at, payload, channel]) => {
    const r = profile.decode({ deviceId: 'd', channel: channel ?? (Buffer.isBuffer(payload) ? 'line' : 'inputs'), payload, receivedAt: at }, { deviceId: 'd', options: opts, state });
    if (r.ok && r.state !== undefined) state = r.state;
    return r;
  });
}
const kinds = (results: DecodeResult<unknown>[]): string[][] => results.map((r) => (r.ok ? r.events.map((e) => e.kind) : [`reject:${r.reason}`]));

describe('card numbers', () => {
  it('reads the three formats into one canonical number (as printed on EM4100 cards)', () => {
    expect(readCard('0012345678', 'decimal10')).toEqual({ card: '0012345678' });
    expect(readCard('00bc614e', 'hex8')).toEqual({ card: '0012345678' });
    expect(readCard('188,24910', 'facility-card')).toEqual({ card: '0012345678' });
    expect(readCard('9999999999', 'decimal10')).toHaveProperty('error');
    expect(canonicalCard('12345678')).toBe('0012345678');
    expect(canonicalCard(' 188,24910 ')).toBe('0012345678');
    expect(canonicalCard('VIP-1')).toBe('VIP-1');
  });
});

describe('wiegand-ascii', () => {
  const opts = options(wiegand, {});

  it('grants a listed card with the holder name, denies others', () => {
    const [granted, denied] = run(wiegand, opts, [[0, Buffer.from('0012345678')], [5000, Buffer.from('0000000001')]]);
    expect(granted).toMatchObject({ ok: true, events: [{ kind: 'access.granted', data: { card: '0012345678', name: '张三' } }] });
    expect(denied).toMatchObject({ ok: true, events: [{ kind: 'access.denied', data: { card: '0000000001' } }] });
  });

  it('takes repeats of one card within 1 s as one read, while it is held; another card is a new read', () => {
    const results = run(wiegand, opts, [
      [0, Buffer.from('0012345678')],
      [400, Buffer.from('0012345678')],
      [1200, Buffer.from('0012345678')], // 800 ms after the last repeat: still held
      [2300, Buffer.from('0012345678')], // 1.1 s of quiet: a new read
      [2400, Buffer.from('0000000001')],
      [2500, Buffer.from('0012345678')],
    ]);
    expect(kinds(results)).toEqual([['access.granted'], [], [], ['access.granted'], ['access.denied'], ['access.granted']]);
  });

  it('rejects garbage without losing the repeat state', () => {
    const results = run(wiegand, opts, [[0, Buffer.from('0012345678')], [100, Buffer.from([0x00, 0xff, 0x13])], [200, Buffer.from('0012345678')]]);
    expect(kinds(results)).toEqual([['access.granted'], ['reject:garbage'], []]);
  });

  it('validates its options, naming the field', () => {
    expect(wiegand.parseOptions!({ options: { format: 'octal' } }, { cards })).toEqual({ errors: [expect.stringMatching(/^options\.format: must be one of decimal10, hex8, facility-card/)] });
    expect(wiegand.parseOptions!({ options: { fromat: 'hex8' } }, { cards })).toEqual({ errors: [expect.stringMatching(/^options\.fromat: unknown option/)] });
  });
});

describe('modbus-di', () => {
  const opts = options(modbusDi, { modbus: { unit: 3, debounce: 150, inputs: [{ index: 0, kind: 'alarm.panic' }, { index: 2, kind: 'door.forced', normallyClosed: true }] } });
  const inputs = (...bits: number[]): { inputs: number[] } => ({ inputs: bits });

  it('emits a panic once the input has held past the debounce, and the clearing kind on release', () => {
    const results = run(modbusDi, opts, [
      [0, inputs(0, 0, 1)],
      [100, inputs(1, 0, 1)], // first seen closed
      [200, inputs(1, 0, 1)], // 100 ms: not yet
      [300, inputs(1, 0, 1)], // 200 ms ≥ 150: panic, stamped when first seen
      [400, inputs(0, 0, 1)],
      [600, inputs(0, 0, 1)],
    ]);
    expect(kinds(results)).toEqual([[], [], [], ['alarm.panic'], [], ['alarm.cleared']]);
    expect(results[3]).toMatchObject({ ok: true, events: [{ kind: 'alarm.panic', ts: 100, data: { input: 0 } }] });
  });

  it('ignores a one-poll glitch (noise on the input cable)', () => {
    const results = run(modbusDi, opts, [[0, inputs(0, 0, 1)], [100, inputs(1, 0, 1)], [200, inputs(0, 0, 1)], [300, inputs(0, 0, 1)], [400, inputs(0, 0, 1)]]);
    expect(kinds(results).flat()).toEqual([]);
  });

  it('alarms on a normally-closed loop that opens (a cut wire too)', () => {
    const results = run(modbusDi, opts, [[0, inputs(0, 0, 0)], [200, inputs(0, 0, 0)], [300, inputs(0, 0, 1)], [500, inputs(0, 0, 1)]]);
    expect(kinds(results)).toEqual([[], ['door.forced'], [], ['door.closed']]);
  });

  it("defaults to DESIGN's one-liner: input 0 is a panic button, polled every 100 ms", () => {
    const parsed = modbusDi.parseOptions!({ modbus: { unit: 1 } }, { cards });
    expect(parsed).toMatchObject({ options: { inputs: [{ index: 0, kind: 'alarm.panic' }], link: { protocol: 'modbus-rtu', unit: 1, inputCount: 1, pollMs: 100, timeoutMs: 200 } } });
  });

  it('validates its options, naming each field', () => {
    const parsed = modbusDi.parseOptions!(
      { modbus: { unit: 0, pollMs: 5, inputs: [{ index: 0, kind: 'alarm.fire' }, { index: 0, kind: 'alarm.panic' }], relays: [{ index: 0, name: 'Siren!' }], colour: 'red' } },
      { cards },
    );
    expect('errors' in parsed && parsed.errors).toEqual([
      expect.stringMatching(/^modbus\.colour: unknown field/),
      expect.stringMatching(/^modbus\.unit: /),
      expect.stringMatching(/^modbus\.pollMs: /),
      expect.stringMatching(/^modbus\.inputs\[0\]\.kind: /),
      expect.stringMatching(/^modbus\.inputs\[1\]\.index: input 0 is mapped twice/),
      expect.stringMatching(/^modbus\.relays\[0\]\.name: /),
    ]);
  });
});

describe('the modbus block, spelled badly', () => {
  const errorsOf = (modbus: unknown) => {
    const parsed = modbusDi.parseOptions!({ modbus }, { cards });
    return 'errors' in parsed ? parsed.errors : [];
  };
  it.each([
    ['a list instead of a mapping', [1], /^modbus: must be a mapping/],
    ['the unit as a string', { unit: '1' }, /^modbus\.unit: must be the unit/],
    ['a fractional unit', { unit: 1.5 }, /^modbus\.unit: must be the unit/],
    ['an empty input list', { unit: 1, inputs: [] }, /^modbus\.inputs: must list at least one/],
    ['inputs as a word', { unit: 1, inputs: 'all' }, /^modbus\.inputs: must list at least one/],
    ['a null input', { unit: 1, inputs: [null] }, /^modbus\.inputs\[0\]: must be \{ index, kind \}/],
    ['normallyClosed as a word', { unit: 1, inputs: [{ index: 0, kind: 'alarm.panic', normallyClosed: 'yes' }] }, /^modbus\.inputs\[0\]\.normallyClosed: must be true or false/],
    ['a relay called relay', { unit: 1, relays: [{ index: 0, name: 'relay' }] }, /^modbus\.relays\[0\]\.name: must be a short lowercase name other than "relay"/],
    ['one coil twice', { unit: 1, relays: [{ index: 0, name: 'siren' }, { index: 0, name: 'gate' }] }, /^modbus\.relays\[1\]\.index: coil 0 is used twice/],
    ['a huge poll period', { unit: 1, pollMs: 1e12 }, /^modbus\.pollMs: must be an integer 20–60000/],
    ['a field spelled __proto__', JSON.parse('{ "unit": 1, "__proto__": { "unit": 0 } }'), /^modbus\.__proto__: unknown field/],
  ])('%s', (_name, modbus, message) => {
    expect(errorsOf(modbus)).toEqual([expect.stringMatching(message)]);
  });

  it('checks 60,000 relays, all different, in one pass', () => {
    // Each name and coil is looked up in a set, not searched for in the list (a block's size is bounded by the YAML it came in).
    const relays = Array.from({ length: 60_000 }, (_, i) => ({ index: i, name: `r${i}` }));
    const parsed = modbusDi.parseOptions!({ modbus: { unit: 1, relays } }, { cards });
    expect('options' in parsed && parsed.options.link.relays).toHaveLength(60_000);
    expect(errorsOf({ unit: 1, relays: [...relays, { index: 59_999, name: 'last' }] })).toEqual(['modbus.relays[60000].index: coil 59999 is used twice']);
  });

  it('fills every default from the schema, and leaves the campus config untouched', () => {
    const modbus = { unit: 7 };
    const parsed = modbusDi.parseOptions!({ modbus }, { cards });
    expect(parsed).toEqual({
      options: {
        inputs: [{ index: 0, kind: 'alarm.panic', normallyClosed: false }],
        debounce: 50,
        link: { protocol: 'modbus-rtu', unit: 7, inputCount: 1, pollMs: 100, timeoutMs: 200, offlineAfterMisses: 3, relays: [] },
      },
    });
    expect(modbus).toEqual({ unit: 7 });
  });
});

describe('relay commands', () => {
  const link: ModbusRtuLink = { protocol: 'modbus-rtu', unit: 1, inputCount: 1, pollMs: 100, timeoutMs: 200, offlineAfterMisses: 3, relays: [{ index: 2, name: 'siren' }] };
  it('takes a named relay or relay + output, with an optional pulse', () => {
    expect(parseRelayCommand({ name: 'siren', args: { seconds: 5 } }, link)).toEqual({ coil: 2, on: true, seconds: 5 });
    expect(parseRelayCommand({ name: 'relay', args: { output: 0, on: false } }, link)).toEqual({ coil: 0, on: false });
    expect(parseRelayCommand({ name: 'relay', args: { output: 'siren' } }, link)).toEqual({ coil: 2, on: true });
  });
  it('refuses what it does not understand, naming the field', () => {
    expect(() => parseRelayCommand({ name: 'open-sesame' }, link)).toThrow(/takes: relay, siren/);
    expect(() => parseRelayCommand({ name: 'relay', args: {} }, link)).toThrow(expect.objectContaining({ code: 'GH_BAD_REQUEST', field: 'body.args.output' }));
    expect(() => parseRelayCommand({ name: 'siren', args: { on: 'yes' } }, link)).toThrow(expect.objectContaining({ field: 'body.args.on' }));
    expect(() => parseRelayCommand({ name: 'siren', args: { seconds: -1 } }, link)).toThrow(expect.objectContaining({ field: 'body.args.seconds' }));
  });
});

describe('serial devices in the config', () => {
  const yaml = (devices: string): string => `
campus: { id: c, name: C }
zones: [ { id: z, name: Z } ]
devices:
${devices}
cards: [ { card: "0012345678", name: 张三 } ]
`;
  const check = (devices: string): readonly string[] => {
    const r = parseConfig(yaml(devices), { profiles: profileRegistry, env: {} });
    return r.ok ? [] : r.errors;
  };

  it("accepts DESIGN's lines, and several modules sharing one RS-485 bus", () => {
    expect(
      check(`  - { id: reader-s1, profile: wiegand-ascii, zone: z, serial: { path: /dev/ttyUSB0, baudRate: 9600 } }
  - { id: alarm-io-1, profile: modbus-di, zone: z, serial: { path: /dev/ttyUSB1, baudRate: 9600 }, modbus: { unit: 1 } }
  - { id: alarm-io-2, profile: modbus-di, zone: z, serial: { path: /dev/ttyUSB1, baudRate: 9600 }, modbus: { unit: 2 } }`),
    ).toEqual([]);
  });

  it('refuses a bus that cannot work, saying why', () => {
    expect(
      check(`  - { id: reader-s1, profile: wiegand-ascii, zone: z, serial: { path: /dev/ttyUSB0 } }
  - { id: io-1, profile: modbus-di, zone: z, serial: { path: /dev/ttyUSB0 }, modbus: { unit: 1 } }
  - { id: io-2, profile: modbus-di, zone: z, serial: { path: /dev/ttyUSB1 }, modbus: { unit: 1 } }
  - { id: io-3, profile: modbus-di, zone: z, serial: { path: /dev/ttyUSB1 }, modbus: { unit: 1 } }
  - { id: io-4, profile: modbus-di, zone: z, serial: { path: /dev/ttyUSB1, baudRate: 19200 }, modbus: { unit: 4 } }
  - { id: io-5, profile: modbus-di, zone: z, modbus: { unit: 5 } }`),
    ).toEqual([
      expect.stringMatching(/^devices\[5\]\.serial: is required/),
      expect.stringMatching(/^devices\[1\]\.serial\.path: \/dev\/ttyUSB0 is already used by reader-s1; a card reader needs a port of its own/),
      expect.stringMatching(/^devices\[3\]\.modbus\.unit: unit 1 on \/dev\/ttyUSB1 is already io-2/),
      expect.stringMatching(/^devices\[4\]\.serial: \/dev\/ttyUSB1 is shared with io-2 \(9600 8N1\) but set to 19200 8N1/),
    ]);
  });
});
