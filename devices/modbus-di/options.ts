import { EVENT_KINDS, type EventKind } from '../../src/core/event.ts';
import type { ModbusRtuLink, RelayOutput } from '../../src/core/fieldbus.ts';

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

const DEFAULTS = { pollMs: 100, timeoutMs: 200, debounce: 50 } as const;
/** Missed polls in a row before the device is offline (≈ 0.6 s at the defaults). */
const OFFLINE_AFTER_MISSES = 3;
const KEYS = new Set(['unit', 'inputs', 'pollMs', 'timeoutMs', 'debounce', 'relays']);
const RELAY_NAME = /^[a-z][a-z0-9_-]{0,31}$/;

function isInt(v: unknown, min: number, max: number): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

function isMapping(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

export function parseModbusDiOptions(device: Readonly<Record<string, unknown>>): { options: ModbusDiOptions } | { errors: string[] } {
  const m = device['modbus'];
  if (!isMapping(m)) return { errors: ['modbus: is required, e.g. { unit: 1, inputs: [ { index: 0, kind: alarm.panic } ] }'] };
  const errors: string[] = [];
  for (const key of Object.keys(m)) if (!KEYS.has(key)) errors.push(`modbus.${key}: unknown field (known: ${[...KEYS].join(', ')})`);
  // Modbus over serial line §2.2: 0 is broadcast (no answer), 248–255 are reserved.
  if (!isInt(m['unit'], 1, 247)) errors.push('modbus.unit: must be the unit (slave) address, an integer 1–247');
  const pollMs = m['pollMs'] ?? DEFAULTS.pollMs;
  if (!isInt(pollMs, 20, 60_000)) errors.push('modbus.pollMs: must be an integer 20–60000 (milliseconds between polls)');
  const timeoutMs = m['timeoutMs'] ?? DEFAULTS.timeoutMs;
  if (!isInt(timeoutMs, 10, 10_000)) errors.push('modbus.timeoutMs: must be an integer 10–10000 (milliseconds to wait for an answer)');
  const debounce = m['debounce'] ?? DEFAULTS.debounce;
  if (!isInt(debounce, 0, 10_000)) errors.push('modbus.debounce: must be an integer 0–10000 (milliseconds an input must hold)');

  const inputs: InputMapping[] = [];
  const rawInputs = m['inputs'] ?? [{ index: 0, kind: 'alarm.panic' }];
  if (!Array.isArray(rawInputs) || rawInputs.length === 0) errors.push('modbus.inputs: must list at least one { index, kind }');
  else {
    const seen = new Set<number>();
    for (const [i, input] of rawInputs.entries()) {
      const at = `modbus.inputs[${i}]`;
      if (!isMapping(input)) {
        errors.push(`${at}: must be { index, kind }`);
        continue;
      }
      for (const key of Object.keys(input)) if (!['index', 'kind', 'normallyClosed'].includes(key)) errors.push(`${at}.${key}: unknown field (index, kind, normallyClosed)`);
      const { index, kind, normallyClosed = false } = input;
      if (!isInt(index, 0, 1999)) errors.push(`${at}.index: must be an input number 0–1999`);
      else if (seen.has(index)) errors.push(`${at}.index: input ${index} is mapped twice`);
      else seen.add(index);
      if (!(INPUT_KINDS as readonly unknown[]).includes(kind)) errors.push(`${at}.kind: must be one of ${INPUT_KINDS.join(', ')}`);
      if (typeof normallyClosed !== 'boolean') errors.push(`${at}.normallyClosed: must be true or false`);
      inputs.push({ index: index as number, kind: kind as EventKind, normallyClosed: normallyClosed as boolean });
    }
  }

  const relays: RelayOutput[] = [];
  const rawRelays = m['relays'] ?? [];
  if (!Array.isArray(rawRelays)) errors.push('modbus.relays: must be a list of { index, name }');
  else {
    for (const [i, relay] of rawRelays.entries()) {
      const at = `modbus.relays[${i}]`;
      if (!isMapping(relay)) {
        errors.push(`${at}: must be { index, name }`);
        continue;
      }
      const { index, name } = relay;
      if (!isInt(index, 0, 65535)) errors.push(`${at}.index: must be a coil number 0–65535`);
      if (typeof name !== 'string' || !RELAY_NAME.test(name) || name === 'relay') {
        errors.push(`${at}.name: must be a short lowercase name other than "relay" (e.g. siren, gate)`);
      } else if (relays.some((r) => r.name === name)) errors.push(`${at}.name: "${name}" is used twice`);
      else if (relays.some((r) => r.index === index)) errors.push(`${at}.index: coil ${String(index)} is used twice`);
      relays.push({ index: index as number, name: name as string });
    }
  }
  if (errors.length > 0) return { errors };
  const inputCount = Math.max(...inputs.map((i) => i.index)) + 1;
  return {
    options: {
      inputs,
      debounce: debounce as number,
      link: {
        protocol: 'modbus-rtu',
        unit: m['unit'] as number,
        inputCount,
        pollMs: pollMs as number,
        timeoutMs: timeoutMs as number,
        offlineAfterMisses: OFFLINE_AFTER_MISSES,
        relays,
      },
    },
  };
}
