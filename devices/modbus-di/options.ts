import Type, { type Static } from 'typebox';
import { EVENT_KINDS, type EventKind } from '../../src/core/event.ts';
import type { ModbusRtuLink } from '../../src/core/fieldbus.ts';
import { inBlockOrder, readBlock } from '../../src/core/optionsBlock.ts';

/**
 * `modbus: { unit, inputs: [{ index, kind, normallyClosed? }], pollMs?, timeoutMs?, debounce?, relays?: [{ index, name }] }`
 * (DESIGN.md config contract). Without `inputs`, input 0 is a panic button,
 * so DESIGN's one-line example (`modbus: { unit: 1 }`) works as written.
 */

export interface InputMapping {
  readonly index: number;
  readonly kind: EventKind;
  /** A normally-closed loop (a cut wire alarms too): opening the contact is what activates it. */
  readonly normallyClosed: boolean;
}

export interface ModbusDiOptions {
  readonly inputs: readonly InputMapping[];
  /** An input must hold a new level this long (ms) before it counts; 0 takes the first sample. */
  readonly debounce: number;
  readonly link: ModbusRtuLink;
}

/** Releasing an input emits its clearing kind, where the kind has one. */
export const CLEARING_KIND: Readonly<Partial<Record<EventKind, EventKind>>> = {
  'alarm.panic': 'alarm.cleared',
  'door.forced': 'door.closed',
  'door.held_open': 'door.closed',
  'door.opened': 'door.closed',
};

/** Kinds an input may raise: anything a contact can mean, not presence (the transport owns that) nor a clearing kind. */
export const INPUT_KINDS: readonly EventKind[] = EVENT_KINDS.filter((k) => !k.startsWith('device.') && k !== 'alarm.cleared' && k !== 'door.closed');

/** Missed polls in a row before the device is offline (≈ 0.6 s at the defaults). */
const OFFLINE_AFTER_MISSES = 3;

/** The `modbus:` block: validation, defaults and the type, in one place. */
export const ModbusBlock = Type.Object(
  {
    // Modbus over serial line §2.2: 0 is broadcast (no answer), 248–255 are reserved.
    unit: Type.Integer({ minimum: 1, maximum: 247, description: 'must be the unit (slave) address, an integer 1–247' }),
    pollMs: Type.Optional(Type.Integer({ minimum: 20, maximum: 60_000, default: 100, description: 'must be an integer 20–60000 (milliseconds between polls)' })),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 10_000, default: 200, description: 'must be an integer 10–10000 (milliseconds to wait for an answer)' })),
    debounce: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000, default: 50, description: 'must be an integer 0–10000 (milliseconds an input must hold)' })),
    inputs: Type.Optional(
      Type.Array(
        Type.Object(
          {
            index: Type.Integer({ minimum: 0, maximum: 1999, description: 'must be an input number 0–1999' }),
            kind: Type.Enum([...INPUT_KINDS], { description: `must be one of ${INPUT_KINDS.join(', ')}` }),
            normallyClosed: Type.Optional(Type.Boolean({ default: false, description: 'must be true or false' })),
          },
          { additionalProperties: false, description: 'must be { index, kind }' },
        ),
        { minItems: 1, default: [{ index: 0, kind: 'alarm.panic' }], description: 'must list at least one { index, kind }' },
      ),
    ),
    relays: Type.Optional(
      Type.Array(
        Type.Object(
          {
            index: Type.Integer({ minimum: 0, maximum: 65535, description: 'must be a coil number 0–65535' }),
            name: Type.String({ pattern: '^[a-z][a-z0-9_-]{0,31}$', description: 'must be a short lowercase name other than "relay" (e.g. siren, gate)' }),
          },
          { additionalProperties: false, description: 'must be { index, name }' },
        ),
        { default: [], description: 'must be a list of { index, name }' },
      ),
    ),
  },
  { additionalProperties: false },
);
export type ModbusBlock = Static<typeof ModbusBlock>;

export function parseModbusDiOptions(device: Readonly<Record<string, unknown>>): { options: ModbusDiOptions } | { errors: string[] } {
  if (device['modbus'] === undefined) return { errors: ['modbus: is required, e.g. { unit: 1, inputs: [ { index: 0, kind: alarm.panic } ] }'] };
  const read = readBlock('modbus', device['modbus'], ModbusBlock);
  if (read.value === undefined) return { errors: read.errors };
  const m = read.value;
  // What a schema cannot say: each input and each coil once, no relay called "relay" (the generic command).
  const errors = [...read.errors];
  const inputs = Array.isArray(m.inputs) ? m.inputs : [];
  // Sets, not a search of the list for each entry: a block of 100,000 inputs is checked in one pass.
  const inputsSeen = new Set<unknown>();
  for (const [i, input] of inputs.entries()) {
    if (Number.isInteger(input?.index) && inputsSeen.has(input.index)) errors.push(`modbus.inputs[${i}].index: input ${input.index} is mapped twice`);
    inputsSeen.add(input?.index);
  }
  const relays = Array.isArray(m.relays) ? m.relays : [];
  const namesSeen = new Set<unknown>();
  const coilsSeen = new Set<unknown>();
  for (const [i, relay] of relays.entries()) {
    if (relay?.name === 'relay') errors.push(`modbus.relays[${i}].name: must be a short lowercase name other than "relay" (e.g. siren, gate)`);
    else if (namesSeen.has(relay?.name)) errors.push(`modbus.relays[${i}].name: "${relay.name}" is used twice`);
    else if (coilsSeen.has(relay?.index)) errors.push(`modbus.relays[${i}].index: coil ${String(relay.index)} is used twice`);
    namesSeen.add(relay?.name);
    coilsSeen.add(relay?.index);
  }
  if (errors.length > 0) return { errors: inBlockOrder('modbus', ModbusBlock, errors) };
  const mapped: InputMapping[] = inputs.map((x) => ({ index: x.index, kind: x.kind as EventKind, normallyClosed: x.normallyClosed ?? false }));
  return {
    options: {
      inputs: mapped,
      debounce: m.debounce ?? 50,
      link: {
        protocol: 'modbus-rtu',
        unit: m.unit,
        inputCount: Math.max(...mapped.map((i) => i.index)) + 1,
        pollMs: m.pollMs ?? 100,
        timeoutMs: m.timeoutMs ?? 200,
        offlineAfterMisses: OFFLINE_AFTER_MISSES,
        relays: relays.map((r) => ({ index: r.index, name: r.name })),
      },
    },
  };
}
