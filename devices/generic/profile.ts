import { EVENT_KINDS, isEventKind } from '../../src/core/event.ts';
import { isUrgentKind } from '../../src/core/incidents/registry.ts';
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

/**
 * A bad `ts`, `seq` or `data` field rejects a routine message (the installer sees
 * why on the device). An urgent one — an alarm, a forced door, a tamper — is
 * stored anyway without the bad field (the hub's receive time for a bad `ts`) and
 * the fault reported as a repair: a panic button whose clock was reset or whose
 * firmware sends seconds must still raise the alarm.
 */
function decodeEvent(raw: RawMessage): Result {
  const parsed = parseJson(raw);
  if ('error' in parsed) return parsed.error;
  const msg = parsed.value;
  if (msg === null || typeof msg !== 'object' || Array.isArray(msg)) return reject('not_object', 'payload must be a JSON object');
  const { kind, ts, seq, data } = msg as Record<string, unknown>;
  if (!isEventKind(kind)) return reject('unknown_kind', `kind ${JSON.stringify(kind)} is not one of ${EVENT_KINDS.join(', ')}`);
  // Each fault with what storing the event anyway does about it.
  const faults: { readonly detail: string; readonly stored: string }[] = [];
  let goodTs: number | undefined;
  if (ts !== undefined) {
    const stored = "stored with the hub's receive time";
    if (typeof ts !== 'number' || !Number.isInteger(ts) || ts < 0) faults.push({ detail: 'ts must be epoch milliseconds (an integer)', stored });
    else if (ts < SMALLEST_MS_TS) faults.push({ detail: `ts ${ts} looks like epoch seconds; send epoch milliseconds`, stored });
    else goodTs = ts;
  }
  let goodSeq: number | undefined;
  if (seq !== undefined) {
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) faults.push({ detail: 'seq must be a non-negative integer', stored: 'stored without seq' });
    else goodSeq = seq;
  }
  let fields: Record<string, unknown> = {};
  if (data !== undefined) {
    if (data === null || typeof data !== 'object' || Array.isArray(data)) faults.push({ detail: 'data must be a JSON object', stored: 'stored without data' });
    else fields = data as Record<string, unknown>;
  }
  const badCard = fields['card'] !== undefined && typeof fields['card'] !== 'string';
  const badBattery = fields['battery'] !== undefined && typeof fields['battery'] !== 'number';
  if (badCard) faults.push({ detail: 'data.card must be a string', stored: 'stored without data.card' });
  if (badBattery) faults.push({ detail: 'data.battery must be a number', stored: 'stored without data.battery' });

  if (faults.length > 0 && !isUrgentKind(kind)) return reject('bad_field', faults[0]!.detail);
  if (badCard || badBattery) {
    fields = { ...fields };
    if (badCard) delete fields['card'];
    if (badBattery) delete fields['battery'];
  }
  // With no usable ts there is no redelivery key either (see EventStore.insert).
  const events = [{ kind, ts: goodTs, seq: goodSeq, data: fields }];
  if (faults.length === 0) return { ok: true, events };
  return { ok: true, events, repairs: faults.map((f) => ({ reason: 'bad_field' as const, detail: `${kind}: ${f.detail} (${f.stored}: an alarm is never dropped for a bad field)` })) };
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
  narrowedByRole: true,
  healthKeys: HEALTH_KEYS,
  decode(raw) {
    if (raw.channel === 'events') return decodeEvent(raw);
    if (raw.channel === 'status') return decodeStatus(raw);
    return reject('unknown_channel', `generic devices publish to events or status, not ${raw.channel}`);
  },
  samples,
};
