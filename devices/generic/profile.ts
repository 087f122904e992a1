import { EVENT_KINDS, isEventKind } from '../../src/core/event.ts';
import type { DecodeResult, DeviceHealth, DeviceProfile, RawMessage } from '../../src/core/device.ts';
import { samples } from './samples.ts';

/**
 * `generic`: devices that speak Gatehouse's own JSON (DESIGN.md "generic MQTT
 * device payload" contract):
 *   events: { "kind": "alarm.panic", "ts": 1732780000000, "seq": 17, "data": { } }
 *   status: "online" | "offline" | { "online": true, "battery": 87, "rssi": -61, … }
 */

const SMALLEST_MS_TS = 1e11; // 1973-03-03 in ms; smaller values are epoch seconds sent by mistake
const HEALTH_KEYS = ['battery', 'rssi', 'temperature', 'uptime', 'voltage'] as const;

type Result = DecodeResult<undefined>;

function reject(reason: Extract<Result, { ok: false }>['reason'], detail: string): Result {
  return { ok: false, reason, detail };
}

function parseJson(raw: RawMessage): { value: unknown } | { error: Result } {
  if (!Buffer.isBuffer(raw.payload)) return { value: raw.payload };
  try {
    return { value: JSON.parse(raw.payload.toString('utf8')) };
  } catch {
    const head = raw.payload.subarray(0, 40).toString('utf8');
    return { error: reject('not_json', `payload is not JSON (starts with ${JSON.stringify(head)})`) };
  }
}

function decodeEvent(raw: RawMessage): Result {
  const parsed = parseJson(raw);
  if ('error' in parsed) return parsed.error;
  const msg = parsed.value;
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return reject('not_object', 'payload must be a JSON object');
  const { kind, ts, seq, data } = msg as Record<string, unknown>;
  if (!isEventKind(kind)) return reject('unknown_kind', `kind ${JSON.stringify(kind)} is not one of ${EVENT_KINDS.join(', ')}`);
  if (ts !== undefined) {
    if (typeof ts !== 'number' || !Number.isInteger(ts) || ts < 0) return reject('bad_field', 'ts must be epoch milliseconds (an integer)');
    if (ts < SMALLEST_MS_TS) return reject('bad_field', `ts ${ts} looks like epoch seconds; send epoch milliseconds`);
  }
  if (seq !== undefined && (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0)) {
    return reject('bad_field', 'seq must be a non-negative integer');
  }
  if (data !== undefined && (data === null || typeof data !== 'object' || Array.isArray(data))) {
    return reject('bad_field', 'data must be a JSON object');
  }
  const fields = (data ?? {}) as Record<string, unknown>;
  if (fields['card'] !== undefined && typeof fields['card'] !== 'string') return reject('bad_field', 'data.card must be a string');
  if (fields['battery'] !== undefined && typeof fields['battery'] !== 'number') return reject('bad_field', 'data.battery must be a number');
  return { ok: true, events: [{ kind, ts: ts as number | undefined, seq: seq as number | undefined, data: fields }] };
}

function decodeStatus(raw: RawMessage): Result {
  if (Buffer.isBuffer(raw.payload)) {
    const text = raw.payload.toString('utf8').trim();
    if (text === 'online' || text === 'offline') return { ok: true, events: [], online: text === 'online' };
  }
  const parsed = parseJson(raw);
  if ('error' in parsed) return reject('not_json', 'status must be "online", "offline" or a JSON object');
  const msg = parsed.value;
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return reject('not_object', 'status must be a JSON object');
  const fields = msg as Record<string, unknown>;
  const health: Record<string, number | boolean> = {};
  for (const key of HEALTH_KEYS) {
    const v = fields[key];
    if (v === undefined) continue;
    if (typeof v !== 'number' || !Number.isFinite(v)) return reject('bad_field', `${key} must be a number`);
    health[key] = v;
  }
  const online = fields['online'];
  if (online !== undefined && typeof online !== 'boolean') return reject('bad_field', 'online must be true or false');
  return { ok: true, events: [], online: online as boolean | undefined, health: health as DeviceHealth };
}

export const generic: DeviceProfile<undefined, undefined> = {
  id: 'generic',
  vendor: 'Gatehouse',
  model: 'generic JSON over MQTT',
  description: 'Any device, simulator or integration that publishes Gatehouse JSON events over MQTT.',
  transport: 'mqtt',
  emits: EVENT_KINDS,
  healthKeys: HEALTH_KEYS,
  decode(raw) {
    if (raw.channel === 'events') return decodeEvent(raw);
    if (raw.channel === 'status') return decodeStatus(raw);
    return reject('unknown_channel', `generic devices publish to events or status, not ${raw.channel}`);
  },
  samples,
};
