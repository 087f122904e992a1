import type { GatehouseEvent } from '../core/event.ts';

/**
 * InfluxDB 1.x line protocol for the points of DESIGN.md's "Time series in
 * InfluxDB" contract. Pure.
 *
 *   events,device=reader-1,kind=access.granted,zone=gate value=1i 1732780000000000000
 *   device_health,device=panic-1 battery=87,rssi=-61 1732780000000000000
 *
 * Timestamps are written in nanoseconds: the millisecond part is the event's
 * `ts`, and the sub-millisecond part is 0 — except when another point of the
 * same series already has that millisecond (two swipes on one reader in the
 * same ms), which gets 1 ns, 2 ns, … InfluxDB would otherwise overwrite the
 * first point with the second (same measurement, tags and time) and a count
 * would lose an event. The offset is fixed when the line is queued, so a retry
 * rewrites the very same points: no duplicates.
 */

export type FieldValue = number | string | boolean | { readonly int: number };

// Line protocol escaping (InfluxDB 1.x "Line protocol reference", special characters).
const escTag = (s: string): string => s.replace(/[,= \\]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
const escMeasurement = (s: string): string => s.replace(/[, \\]/g, (c) => `\\${c}`).replace(/\n/g, ' ');
const quoted = (s: string): string => `"${s.replace(/["\\]/g, (c) => `\\${c}`).replace(/\n/g, ' ')}"`;

/** `ms` and a sub-millisecond offset (0–999999 ns) as an integer nanosecond timestamp, without floating point. */
export function nanos(ms: number, offsetNs = 0): string {
  const whole = Math.max(0, Math.trunc(ms));
  const sub = String(offsetNs).padStart(6, '0');
  return whole === 0 ? String(offsetNs) : `${whole}${sub}`;
}

function formatField(value: FieldValue): string | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : undefined; // floats: no `i`, so battery 87 and 87.5 share one type
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return quoted(value);
  return Number.isSafeInteger(value.int) ? `${value.int}i` : undefined;
}

/** One line; undefined when no field is writable (a point needs at least one). */
export function pointLine(
  measurement: string,
  tags: Readonly<Record<string, string>>,
  fields: Readonly<Record<string, FieldValue>>,
  ms: number,
  offsetNs = 0,
): string | undefined {
  let line = escMeasurement(measurement);
  for (const key of Object.keys(tags).sort()) {
    const value = tags[key]!;
    if (value !== '') line += `,${escTag(key)}=${escTag(value)}`; // an empty tag value is not allowed: leave the tag out
  }
  let first = true;
  for (const key of Object.keys(fields).sort()) {
    const formatted = formatField(fields[key]!);
    if (formatted === undefined) continue;
    line += `${first ? ' ' : ','}${escTag(key)}=${formatted}`;
    first = false;
  }
  if (first) return undefined;
  return `${line} ${nanos(ms, offsetNs)}`;
}

/** Series key of a point (measurement and tags): points of one series must not share a time. */
export function seriesKey(measurement: string, tags: Readonly<Record<string, string>>): string {
  let key = measurement;
  for (const k of Object.keys(tags).sort()) key += `,${k}=${tags[k]}`;
  return key;
}

/**
 * Gives each point with the same series and millisecond the next nanosecond.
 * Keyed by the millisecond (a number: cheap to hash, this runs for every event
 * inside the group commit), then by series. Two generations bound the memory:
 * a millisecond is forgotten after about 2 × `size` newer ones, long after it
 * has passed in practice.
 */
export class Uniquifier {
  // ms → the one series seen at that ms (the common case), or series → last offset
  private current = new Map<number, string | Map<string, number>>();
  private previous = new Map<number, string | Map<string, number>>();

  constructor(private readonly size = 20_000) {}

  offset(series: string, ms: number): number {
    let seen = this.current.get(ms);
    if (seen === undefined) {
      seen = this.previous.get(ms);
      if (seen !== undefined) this.current.set(ms, seen);
    }
    if (seen === undefined) {
      this.current.set(ms, series);
      if (this.current.size >= this.size) {
        this.previous = this.current;
        this.current = new Map();
      }
      return 0;
    }
    let bySeries: Map<string, number>;
    if (typeof seen === 'string') {
      bySeries = new Map([[seen, 0]]);
      this.current.set(ms, bySeries);
    } else bySeries = seen;
    const last = bySeries.get(series);
    const next = last === undefined ? 0 : Math.min(last + 1, 999_999);
    bySeries.set(series, next);
    return next;
  }
}

/**
 * The series part of `events` lines (`events,device=…,kind=…,zone=…`), cached:
 * a campus has a few hundred devices and kinds, and this runs inside the
 * group commit for every event, so escaping and sorting once per series
 * keeps it to one string concatenation per event.
 */
const eventPrefixes = new Map<string, string>();
function eventPrefix(deviceId: string, kind: string, zoneId: string): string {
  const key = `${deviceId}\u0000${kind}\u0000${zoneId}`;
  let prefix = eventPrefixes.get(key);
  if (prefix === undefined) {
    prefix = `events,device=${escTag(deviceId)},kind=${escTag(kind)},zone=${escTag(zoneId)}`;
    if (eventPrefixes.size >= 50_000) eventPrefixes.clear(); // bounded, whatever ids appear
    eventPrefixes.set(key, prefix);
  }
  return prefix;
}

/** The contract's `events` point for one stored event. */
export function eventLine(event: GatehouseEvent, uniq: Uniquifier): string {
  const prefix = eventPrefix(event.deviceId, event.kind, event.zoneId);
  return `${prefix} value=1i ${nanos(event.ts, uniq.offset(prefix, event.ts))}`;
}

/** A `device_health` point: fields as the device reported them. */
export function healthLine(deviceId: string, ms: number, fields: Readonly<Record<string, FieldValue>>, uniq: Uniquifier): string | undefined {
  const tags = { device: deviceId };
  return pointLine('device_health', tags, fields, ms, uniq.offset(seriesKey('device_health', tags), ms));
}
