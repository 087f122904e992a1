import type { DecodedEvent, DecodeResult, DeviceProfile } from '../../src/core/device.ts';
import type { EventKind } from '../../src/core/event.ts';
import { CLEARING_KIND, INPUT_KINDS, parseModbusDiOptions, type ModbusDiOptions } from './options.ts';
import { samples } from './samples.ts';

/**
 * `modbus-di`: an alarm I/O module polled over Modbus RTU (function 02,
 * discrete inputs). The transport submits every answer as channel `inputs`,
 * payload `{ inputs: [0|1, …] }`; this profile turns level changes into
 * events: closing a mapped input emits its kind (`alarm.panic`), releasing it
 * the clearing kind (`alarm.cleared`).
 *
 * Debouncing: a new level counts once it has held for `debounce` ms across
 * polls, so a contact bounce or a glitch on a long input cable is not a panic.
 * The first level seen is compared with "released": an input already closed
 * when the hub starts (a latched panic button) is reported, not silently
 * taken as normal.
 */

interface InputLevel {
  /** Whether the input is active (closed; open for a normally-closed loop), as last accepted. */
  readonly active: boolean;
  /** A different level seen but not yet held long enough, and since when. */
  readonly candidate?: { readonly active: boolean; readonly since: number } | undefined;
}

/** One entry per mapped input, in the order of `options.inputs`. */
export interface ModbusDiState {
  readonly inputs: readonly InputLevel[];
}

type Result = DecodeResult<ModbusDiState>;

function readInputs(payload: unknown): readonly number[] | undefined {
  if (payload === null || typeof payload !== 'object' || Buffer.isBuffer(payload)) return undefined;
  const inputs = (payload as { inputs?: unknown }).inputs;
  if (!Array.isArray(inputs) || !inputs.every((b) => b === 0 || b === 1)) return undefined;
  return inputs as number[];
}

function decode(bits: readonly number[], at: number, options: ModbusDiOptions, state: ModbusDiState | undefined): Result {
  const events: DecodedEvent[] = [];
  const next: InputLevel[] = [];
  for (const [i, mapping] of options.inputs.entries()) {
    const bit = bits[mapping.index];
    if (bit === undefined) return { ok: false, reason: 'bad_field', detail: `answer has ${bits.length} inputs, input ${mapping.index} is mapped` };
    const active = (bit === 1) !== mapping.normallyClosed;
    const prev: InputLevel = state?.inputs[i] ?? { active: false };
    if (active === prev.active) {
      next.push({ active });
      continue;
    }
    const since = prev.candidate?.active === active ? prev.candidate.since : at;
    if (at - since < options.debounce) {
      next.push({ active: prev.active, candidate: { active, since } });
      continue;
    }
    next.push({ active });
    const kind: EventKind | undefined = active ? mapping.kind : CLEARING_KIND[mapping.kind];
    // ts: when the new level was first seen, the closest the hub knows to when it happened.
    if (kind) events.push({ kind, ts: since, data: { input: mapping.index, ...(mapping.normallyClosed ? { normallyClosed: true } : {}) } });
  }
  return { ok: true, events, state: { inputs: next } };
}

export const modbusDi: DeviceProfile<ModbusDiOptions, ModbusDiState> = {
  id: 'modbus-di',
  vendor: 'generic',
  model: 'Modbus RTU discrete-input module',
  description: 'An alarm I/O module on RS-485, polled with function 02; mapped inputs raise events, relays (function 05) take commands.',
  transport: 'serial',
  emits: [...new Set<EventKind>([...INPUT_KINDS, 'alarm.cleared', 'door.closed'])],
  parseOptions: parseModbusDiOptions,
  connectionOf: (options) => ({ kind: 'serial', link: options.link }),
  decode(raw, ctx) {
    if (raw.channel !== 'inputs') return { ok: false, reason: 'unknown_channel', detail: `modbus-di reads inputs, not ${raw.channel}` };
    const bits = readInputs(raw.payload);
    if (!bits) return { ok: false, reason: 'bad_field', detail: 'payload must be { inputs: [0|1, …] }' };
    return decode(bits, raw.receivedAt, ctx.options, ctx.state);
  },
  samples,
};
