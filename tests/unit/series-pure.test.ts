import { describe, expect, it } from 'vitest';
import { addDays, bucketIndex, dayRange, fillBuckets, MAX_POINTS, nextDate, planBuckets } from '../../src/series/buckets.ts';
import { eventLine, nanos, pointLine, Uniquifier } from '../../src/series/lineProtocol.ts';
import { mean, offlineMs, percentile, round } from '../../src/series/stats.ts';
import type { GatehouseEvent } from '../../src/core/event.ts';

const H = 3_600_000;
const SHANGHAI = 'Asia/Shanghai';

describe('buckets', () => {
  it('widens a range to whole minute and hour buckets, both ends included', () => {
    const plan = planBuckets(10 * H + 90_000, 10 * H + 250_000, '1m', 'UTC');
    expect(plan.starts).toEqual([10 * H + 60_000, 10 * H + 120_000, 10 * H + 180_000, 10 * H + 240_000]);
    expect(plan).toMatchObject({ step: '1m', fetchFrom: 10 * H + 60_000, fetchTo: 10 * H + 300_000 });
    const hours = planBuckets(10 * H + 1, 12 * H, '1h', 'UTC');
    expect(hours.starts).toEqual([10 * H, 11 * H, 12 * H]);
  });

  it('starts days at the campus’s local midnight, not UTC midnight', () => {
    const plan = planBuckets(Date.parse('2026-03-02T01:00:00Z'), Date.parse('2026-03-03T17:00:00Z'), '1d', SHANGHAI);
    // 2026-03-02 09:00 Shanghai … 2026-03-04 01:00 Shanghai: three local days
    expect(plan.starts.map((t) => new Date(t).toISOString())).toEqual(['2026-03-01T16:00:00.000Z', '2026-03-02T16:00:00.000Z', '2026-03-03T16:00:00.000Z']);
    expect(plan).toMatchObject({ step: '1h', fetchTo: Date.parse('2026-03-04T16:00:00Z') });
  });

  it('has 23- and 25-hour days where the clocks change', () => {
    const spring = dayRange('2026-03-29', 'Europe/Berlin');
    expect((spring.to - spring.from) / H).toBe(23);
    const autumn = dayRange('2026-10-25', 'Europe/Berlin');
    expect((autumn.to - autumn.from) / H).toBe(25);
  });

  it('refuses answers longer than MAX_POINTS', () => {
    expect(() => planBuckets(0, (MAX_POINTS + 1) * 60_000, '1m', 'UTC')).toThrow(RangeError);
    expect(() => planBuckets(0, MAX_POINTS * 60_000 - 1, '1m', 'UTC')).not.toThrow();
    expect(() => planBuckets(2, 1, '1h', 'UTC')).toThrow(/from/);
  });

  it('zero-fills and folds hours into days', () => {
    const plan = planBuckets(Date.parse('2026-03-02T00:00:00Z'), Date.parse('2026-03-03T00:00:00Z'), '1d', SHANGHAI);
    const rows = [
      { t: Date.parse('2026-03-01T16:00:00Z'), count: 2 }, // 00:00 local on the 2nd
      { t: Date.parse('2026-03-02T15:00:00Z'), count: 3 }, // 23:00 local on the 2nd
      { t: Date.parse('2026-03-02T16:00:00Z'), count: 4 }, // 00:00 local on the 3rd
      { t: Date.parse('2026-03-10T00:00:00Z'), count: 99 }, // outside
    ];
    expect(fillBuckets(plan, rows).map((p) => p.count)).toEqual([5, 4]);
    expect(fillBuckets(plan, []).map((p) => p.count)).toEqual([0, 0]);
  });

  it('finds the bucket of a time by binary search', () => {
    const starts = [0, 10, 20, 30];
    expect([-1, 0, 9, 10, 29, 30, 1000].map((t) => bucketIndex(starts, t))).toEqual([-1, 0, 0, 1, 2, 3, 3]);
  });

  it('does calendar arithmetic across month and year ends', () => {
    expect(nextDate('2026-02-28')).toBe('2026-03-01');
    expect(nextDate('2028-02-28')).toBe('2028-02-29');
    expect(addDays('2026-01-03', -28)).toBe('2025-12-06');
  });
});

describe('line protocol (InfluxDB contract)', () => {
  const event = (over: Partial<GatehouseEvent> = {}): GatehouseEvent => ({
    id: 'e1', deviceId: 'reader-1', zoneId: 'gate-north', kind: 'access.granted', ts: 1732780000123, receivedAt: 1732780000200, data: {}, ...over,
  });

  it('writes events with tags device, zone, kind and value=1i at ts in ms', () => {
    expect(eventLine(event(), new Uniquifier())).toBe('events,device=reader-1,kind=access.granted,zone=gate-north value=1i 1732780000123000000');
  });

  it('gives a second point of the same series and millisecond the next nanosecond, so none is overwritten', () => {
    const uniq = new Uniquifier();
    const lines = [eventLine(event(), uniq), eventLine(event({ id: 'e2' }), uniq), eventLine(event({ id: 'e3', deviceId: 'reader-2' }), uniq)];
    expect(lines.map((l) => l.split(' ')[2])).toEqual(['1732780000123000000', '1732780000123000001', '1732780000123000000']);
  });

  it('counts per series and millisecond, and forgets old milliseconds in bounded memory', () => {
    const uniq = new Uniquifier(4);
    expect([uniq.offset('a', 1), uniq.offset('a', 1), uniq.offset('b', 1), uniq.offset('a', 1), uniq.offset('b', 1), uniq.offset('a', 2)]).toEqual([0, 1, 0, 2, 1, 0]);
    for (let ms = 10; ms < 19; ms++) uniq.offset('x', ms);
    expect(uniq.offset('a', 1)).toBe(0);
  });

  it('escapes tag values and quotes strings; numbers are floats, booleans bare', () => {
    expect(pointLine('device_health', { device: 'cam 1,a=b' }, { battery: 87, online: true, fw: 'v"2\\x', rssi: -61.5 }, 5, 0)).toBe(
      'device_health,device=cam\\ 1\\,a\\=b battery=87,fw="v\\"2\\\\x",online=true,rssi=-61.5 5000000',
    );
    expect(pointLine('m', { empty: '' }, { n: { int: 3 } }, 1)).toBe('m n=3i 1000000');
    expect(pointLine('m', {}, { bad: Number.NaN }, 1)).toBeUndefined();
  });

  it('builds nanosecond timestamps without floating point', () => {
    expect(nanos(1795903915421, 7)).toBe('1795903915421000007');
    expect(nanos(0, 0)).toBe('0');
  });
});

describe('stats', () => {
  it('mean and nearest-rank percentile', () => {
    expect(mean([])).toBeNull();
    expect(mean([1, 2, 3, 4])).toBe(2.5);
    expect(percentile([], 90)).toBeNull();
    expect(percentile([5], 90)).toBe(5);
    expect(percentile([10, 1, 9, 2, 8, 3, 7, 4, 6, 5], 90)).toBe(9);
    expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100], 90)).toBe(10);
    expect(round(1.26)).toBe(1.3);
  });

  it('adds up offline time inside the day from the start state and transitions', () => {
    const T = 1_000_000;
    expect(offlineMs(true, [], T, T + 100)).toBe(0);
    expect(offlineMs(false, [], T, T + 100)).toBe(100);
    expect(offlineMs(undefined, [{ at: T + 10, online: false }, { at: T + 30, online: true }, { at: T + 90, online: false }], T, T + 100)).toBe(30);
    expect(offlineMs(false, [{ at: T + 40, online: true }], T, T + 100)).toBe(40);
    expect(offlineMs(true, [{ at: T - 5, online: false }, { at: T + 200, online: true }], T, T + 100)).toBe(0); // outside the range: ignored
  });
});
