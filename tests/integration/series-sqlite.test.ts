import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { addDays, dayRange } from '../../src/series/buckets.ts';
import { startTestHub, login, getJson, postJson, waitFor, type TestHub } from '../helpers/hub.ts';
import { ClientPool, eventPayload } from '../helpers/mqtt.ts';
import type { MqttClient } from 'mqtt';
import type { Incident } from '../../src/core/incident.ts';
import type { DailyReport } from '../../src/series/dailyReport.ts';
import { METRICS_AUTH } from '../helpers/hub.ts';

const TZ = 'Asia/Shanghai';
const TODAY = '2026-11-26'; // a Thursday
const MIN = 60_000;
const H = 3_600_000;
const local = (date: string, hh: number, mm = 0, ss = 0): number => dayRange(date, TZ).from + hh * H + mm * MIN + ss * 1000;
type Points = { every: string; from: number; to: number; points: { t: number; count: number }[] };
const total = (p: Points): number => p.points.reduce((n, x) => n + x.count, 0);

// The default config (no `series:`): the same API answers from SQLite rollups.
describe('time series on SQLite (the default)', () => {
  const clock = new ManualClock(local(TODAY, 10)); // 10:00 on the campus
  const pool = new ClientPool();
  let t: TestHub;
  let guard: string;
  let officer: string;
  let seq = 0;
  const rush: { device: string; kind: string; ts: number }[] = [];

  beforeAll(async () => {
    t = await startTestHub({ clock, tickMs: 3_600_000 });
    [guard, officer] = await Promise.all([login(t.http, 'guard1', 'guard1-test-pw'), login(t.http, 'officer1', 'officer1-test-pw')]);
  });
  afterAll(async () => {
    pool.closeAll();
    await t?.stop();
  });

  async function send(client: MqttClient, device: string, kind: string, ts?: number): Promise<void> {
    await client.publishAsync(`devices/${device}/events`, eventPayload(kind, { seq: ++seq, ...(ts !== undefined ? { ts } : {}) }), { qos: 1 });
  }
  const series = async (query: string): Promise<Points> => {
    const res = await getJson<Points>(t.http, `/api/v1/series/events?${query}`, guard);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body;
  };

  it('a morning rush shows up as bucketed counts by zone, device and kind, zero-filled and aligned', async () => {
    const r1 = await pool.connect(t.mqtt, 'reader-1');
    const r2 = await pool.connect(t.mqtt, 'reader-2');
    for (let i = 0; i < 150; i++) rush.push({ device: 'reader-1', kind: 'access.granted', ts: local(TODAY, 7, 0, i * 12) });
    for (let i = 0; i < 90; i++) rush.push({ device: 'reader-2', kind: 'access.granted', ts: local(TODAY, 7, 20, i * 20) });
    for (let i = 0; i < 6; i++) rush.push({ device: 'reader-1', kind: 'access.denied', ts: local(TODAY, 7, 10 + i) });
    for (const e of rush) await send(e.device === 'reader-1' ? r1 : r2, e.device, e.kind, e.ts);

    const hours = await series(`every=1h&from=${local(TODAY, 6, 30)}&to=${local(TODAY, 8, 59)}`);
    expect(hours.from).toBe(local(TODAY, 6)); // widened to whole hours
    expect(hours.points.map((p) => p.t)).toEqual([local(TODAY, 6), local(TODAY, 7), local(TODAY, 8)]);
    const inHour = (h: number) => rush.filter((e) => e.ts >= local(TODAY, h) && e.ts < local(TODAY, h + 1)).length;
    expect(hours.points.map((p) => p.count)).toEqual([0, inHour(7), inHour(8)]);

    const minutes = await series(`every=1m&deviceId=reader-2&from=${local(TODAY, 7)}&to=${local(TODAY, 8, 30)}`);
    expect(minutes.points).toHaveLength(91);
    expect(total(minutes)).toBe(90);
    const perMinute = new Map<number, number>();
    for (const e of rush.filter((x) => x.device === 'reader-2')) perMinute.set(Math.floor(e.ts / MIN) * MIN, (perMinute.get(Math.floor(e.ts / MIN) * MIN) ?? 0) + 1);
    for (const p of minutes.points) expect(p.count).toBe(perMinute.get(p.t) ?? 0);

    expect(total(await series(`every=1m&zoneId=gate&kind=access.denied&from=${local(TODAY, 7)}&to=${local(TODAY, 8)}`))).toBe(6);
    const elsewhere = await series(`every=1h&zoneId=building-a&from=${local(TODAY, 0)}&to=${local(TODAY, 9)}`);
    expect(elsewhere.points).toHaveLength(10);
    expect(total(elsewhere)).toBe(0);

    const days = await series(`every=1d&kind=access.granted&from=${local(addDays(TODAY, -2), 12)}`);
    expect(days.points.map((p) => p.t)).toEqual([local(addDays(TODAY, -2), 0), local(addDays(TODAY, -1), 0), local(TODAY, 0)]);
    expect(days.points.map((p) => p.count)).toEqual([0, 0, 240]);

    // default: the last 24 h by hour, ending with the current hour
    const last = await series('');
    expect(last.every).toBe('1h');
    expect(last.points.at(-1)!.t).toBe(local(TODAY, 10));
    expect(total(last)).toBeGreaterThanOrEqual(246);

    const tooMany = await getJson<{ code: string; message: string }>(t.http, `/api/v1/series/events?every=1m&from=${local(TODAY, 0) - 8 * 24 * H}`, guard);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.message).toMatch(/larger every/);
    expect((await fetch(`${t.http}/api/v1/series/events`)).status).toBe(401);
  });

  it('device health: what the device reports in status, and online/offline transitions', async () => {
    const sensor = await pool.connect(t.mqtt, 'sensor-1');
    await sensor.publishAsync('devices/sensor-1/status', JSON.stringify({ online: true, battery: 91, rssi: -58, temperature: 21.5, uptime: 3600 }), { qos: 1, retain: true });
    clock.advance(3000); // sensor-1 has offlineAfter: 2
    t.hub.supervise();
    type Health = { deviceId: string; points: ({ t: number } & Record<string, unknown>)[] };
    const health = await waitFor(async () => {
      const res = await getJson<Health>(t.http, '/api/v1/series/health?deviceId=sensor-1', guard);
      return res.body.points.some((p) => p['online'] === false) ? res.body : undefined;
    }, 5000, 'health points');
    // In time order; the transition and the reading from the same status message share
    // a timestamp and are written by different commits, so their order is not specified.
    expect(health.points.map((p) => p.t)).toEqual([local(TODAY, 10), local(TODAY, 10), local(TODAY, 10, 0, 3)]);
    expect(health.points.slice(0, 2)).toEqual(
      expect.arrayContaining([
        { t: local(TODAY, 10), online: true },
        { t: local(TODAY, 10), battery: 91, rssi: -58, temperature: 21.5, uptime: 3600 },
      ]),
    );
    expect(health.points[2]).toEqual({ t: local(TODAY, 10, 0, 3), online: false });
    expect((await getJson(t.http, '/api/v1/series/health?deviceId=nope', guard)).status).toBe(404);
  });

  it('the daily report: per zone entries, denials, alarms, incidents, time to acknowledge; drills kept out; offline devices; an unusual hour', async () => {
    // Four weeks of ordinary mornings at the gate: one denial at 07:30 on each school day.
    const r2 = await pool.connect(t.mqtt, 'reader-2');
    for (let k = 1; k <= 28; k++) {
      const d = addDays(TODAY, -k);
      const wd = new Date(`${d}T00:00:00Z`).getUTCDay();
      if (wd >= 1 && wd <= 5) await send(r2, 'reader-2', 'access.denied', local(d, 7, 30));
    }
    for (let i = 0; i < 8; i++) await send(r2, 'reader-2', 'access.denied', local(TODAY, 7, 40, i * 5)); // 14 today with the rush's 6

    // A drill: its panic is a test, kept out of the statistics.
    const drill = await postJson<{ id: string }>(t.http, '/api/v1/drills', officer, { zoneId: 'building-a', minutes: 10 });
    expect(drill.status).toBe(201);
    const p2 = await pool.connect(t.mqtt, 'panic-2');
    await send(p2, 'panic-2', 'alarm.panic');
    const drillIncident = await waitFor(async () => (await getJson<{ items: Incident[] }>(t.http, '/api/v1/incidents?status=open', guard)).body.items.find((i) => i.drill), 3000, 'drill incident');
    clock.advance(1000);
    expect((await postJson(t.http, `/api/v1/incidents/${drillIncident.id}/resolve`, guard, { note: 'drill over' })).status).toBe(200);
    expect((await postJson(t.http, `/api/v1/drills/${drill.body.id}/stop`, officer, {})).status).toBe(200);
    clock.advance(60_000);

    // Two real alarms, acknowledged after 45 s and 15 s.
    const p1 = await pool.connect(t.mqtt, 'panic-1');
    await send(p1, 'panic-1', 'alarm.panic');
    const panic = await waitFor(async () => (await getJson<{ items: Incident[] }>(t.http, '/api/v1/incidents?status=open', guard)).body.items.find((i) => i.kind === 'panic' && !i.drill), 3000, 'panic');
    clock.advance(45_000);
    expect((await postJson(t.http, `/api/v1/incidents/${panic.id}/ack`, guard, {})).status).toBe(200);
    const r1 = await pool.connect(t.mqtt, 'reader-1');
    await send(r1, 'reader-1', 'door.forced');
    const forced = await waitFor(async () => (await getJson<{ items: Incident[] }>(t.http, '/api/v1/incidents?status=open', guard)).body.items.find((i) => i.kind === 'door_forced'), 3000, 'door forced');
    clock.advance(15_000);
    expect((await postJson(t.http, `/api/v1/incidents/${forced.id}/ack`, guard, {})).status).toBe(200);

    const res = await getJson<DailyReport>(t.http, '/api/v1/reports/daily', guard);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const report = res.body;
    expect(report).toMatchObject({ date: TODAY, timezone: TZ, complete: false, pendingPoints: 0, drills: { count: 1, incidents: 1 } });
    expect(report.campus).toMatchObject({ entries: 240, denials: 14, alarms: 2, alarmsByKind: { 'alarm.panic': 1, 'door.forced': 1 } });
    expect(report.campus.incidentsByKind).toMatchObject({ panic: 1, door_forced: 1 });
    expect(report.campus.acknowledge).toMatchObject({ count: 2, meanSeconds: 30, p90Seconds: 45 });
    const gate = report.zones.find((z) => z.zoneId === 'gate')!;
    const building = report.zones.find((z) => z.zoneId === 'building-a')!;
    expect(gate).toMatchObject({ entries: 240, denials: 14, alarms: 1, acknowledge: { count: 1, meanSeconds: 15 } });
    expect(building).toMatchObject({ entries: 0, alarms: 1, incidents: 1, incidentsByKind: { panic: 1 }, acknowledge: { count: 1, meanSeconds: 45, p90Seconds: 45 } });
    expect(gate.offline.map((o) => o.deviceId)).toContain('sensor-1');

    expect(report.insights).toHaveLength(1);
    expect(report.insights[0]).toMatchObject({ metric: 'denials', zoneId: 'gate', hour: '07:00-08:00', count: 14, usualMax: 1, usual: 1, dayType: 'school', baselineDays: 20 });
    expect(report.insights[0]!.reason).toBe('14 access denials at Gate between 07:00 and 08:00, 14× the usual 1.0 for that hour on school days over the past 4 weeks (never more than 1 before).');

    const yesterday = await getJson<DailyReport>(t.http, `/api/v1/reports/daily?date=${addDays(TODAY, -1)}`, guard);
    expect(yesterday.body).toMatchObject({ complete: true, campus: { denials: 1, entries: 0, incidents: 0 }, insights: [] });
    expect((await getJson(t.http, `/api/v1/reports/daily?date=${addDays(TODAY, 1)}`, guard)).status).toBe(400);
    expect((await getJson(t.http, '/api/v1/reports/daily?date=2026-02-30', guard)).status).toBe(400);
  });

  it('says which backend answers, and exports maintenance time and disk usage', async () => {
    const status = await getJson<{ backend: string; backlogPoints: number; state: string }>(t.http, '/api/v1/series', guard);
    expect(status.body).toMatchObject({ backend: 'sqlite', backlogPoints: 0, state: 'ok' });
    const metrics = await (await fetch(`${t.http}/metrics`, METRICS_AUTH)).text();
    expect(metrics).toMatch(/gatehouse_series_maintenance_seconds_count [1-9]/);
    expect(metrics).toMatch(/gatehouse_disk_bytes\{part="database"\} [1-9]/);
    expect(metrics).toContain('gatehouse_series_backlog_points 0');
  });
});
