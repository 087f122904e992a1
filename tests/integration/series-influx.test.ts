import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MqttClient } from 'mqtt';
import { startTestHub, login, getJson, waitFor, tempDir, type TestHub } from '../helpers/hub.ts';
import { ClientPool, eventPayload } from '../helpers/mqtt.ts';
import { scalar, startInfluxd, type Influxd } from '../helpers/influxd.ts';
import type { SeriesStatus } from '../../src/series/types.ts';
import { METRICS_AUTH } from '../helpers/hub.ts';

const H = 3_600_000;
const seriesYaml = (url: string, database: string) => `series: { backend: influx, url: "${url}", database: ${database} }`;
type Points = { points: { t: number; count: number }[] };

async function status(t: TestHub, token: string): Promise<SeriesStatus> {
  return (await getJson<SeriesStatus>(t.http, '/api/v1/series', token)).body;
}

/** Publish `n` QoS 1 events, each awaited (its PUBACK means it is committed); calls `at(i)` after each. */
async function publish(client: MqttClient, device: string, n: number, first: number, ts: (i: number) => number, at?: (i: number) => Promise<void>): Promise<void> {
  for (let i = 0; i < n; i++) {
    await client.publishAsync(`devices/${device}/events`, eventPayload(i % 10 === 9 ? 'access.denied' : 'access.granted', { seq: first + i, ts: ts(i) }), { qos: 1 });
    await at?.(i);
  }
}

// A real influxd (Debian's influxdb 1.6) on a temporary directory and free ports.
describe('time series in InfluxDB', () => {
  let influx: Influxd;
  const pool = new ClientPool();
  const hubs: TestHub[] = [];
  const dirs: ReturnType<typeof tempDir>[] = [];

  beforeAll(async () => {
    influx = await startInfluxd();
  });
  afterEach(async () => {
    pool.closeAll();
    for (const h of hubs.splice(0)) await h.stop();
    for (const d of dirs.splice(0)) d.remove();
    if (!influx.running()) await influx.start();
  });
  afterAll(async () => {
    await influx?.destroy();
  });

  it('a morning rush becomes points in `events` tagged device, zone and kind, as the contract says; the API answers from InfluxDB', async () => {
    const t = await startTestHub({ extraYaml: seriesYaml(influx.url, 'rush') });
    hubs.push(t);
    const guard = await login(t.http, 'guard1', 'guard1-test-pw');
    const start = Math.floor(Date.now() / H) * H - 2 * H;
    const r1 = await pool.connect(t.mqtt, 'reader-1');
    const r2 = await pool.connect(t.mqtt, 'reader-2');
    await Promise.all([publish(r1, 'reader-1', 300, 0, (i) => start + i * 6000), publish(r2, 'reader-2', 200, 0, (i) => start + i * 9000)]);
    // two swipes at one reader in the same millisecond are two points, not one
    await r1.publishAsync('devices/reader-1/events', eventPayload('access.granted', { seq: 1000, ts: start + 7 }), { qos: 1 });
    await r1.publishAsync('devices/reader-1/events', eventPayload('access.granted', { seq: 1001, ts: start + 7 }), { qos: 1 });
    const sensor = await pool.connect(t.mqtt, 'sensor-1');
    await sensor.publishAsync('devices/sensor-1/status', JSON.stringify({ online: true, battery: 87, rssi: -61, temperature: 24.5 }), { qos: 1, retain: true });

    await waitFor(async () => (scalar(await influx.query("SELECT count(value) FROM events WHERE kind = 'access.granted' OR kind = 'access.denied'", 'rush')) === 502 ? true : undefined), 30_000, 'all rush points');
    const tagKeys = await influx.query('SHOW TAG KEYS FROM events', 'rush');
    expect(tagKeys.results[0]!.series![0]!.values.flat()).toEqual(['device', 'kind', 'zone']);
    const fieldKeys = await influx.query('SHOW FIELD KEYS FROM events', 'rush');
    expect(fieldKeys.results[0]!.series![0]!.values).toEqual([['value', 'integer']]);
    const byDevice = await influx.query("SELECT count(value) FROM events WHERE kind = 'access.granted' GROUP BY device, zone", 'rush');
    expect(byDevice.results[0]!.series!.map((s) => [s.tags, s.values[0]![1]])).toEqual([
      [{ device: 'reader-1', zone: 'gate' }, 272],
      [{ device: 'reader-2', zone: 'gate' }, 180],
    ]);
    const first = await influx.query(`SELECT * FROM events WHERE device = 'reader-2' AND time >= ${start}ms ORDER BY time LIMIT 1`, 'rush');
    expect(first.results[0]!.series![0]).toMatchObject({ columns: ['time', 'device', 'kind', 'value', 'zone'], values: [[start, 'reader-2', 'access.granted', 1, 'gate']] });

    await waitFor(async () => (scalar(await influx.query('SELECT count(battery) FROM device_health', 'rush')) === 1 ? true : undefined), 10_000, 'health point');
    const health = await influx.query("SELECT battery, rssi, temperature FROM device_health WHERE device = 'sensor-1' AND battery > 0", 'rush');
    expect(health.results[0]!.series![0]!.values[0]!.slice(1)).toEqual([87, -61, 24.5]);
    expect((await influx.query('SHOW FIELD KEYS FROM device_health', 'rush')).results[0]!.series![0]!.values).toEqual(
      expect.arrayContaining([['battery', 'float'], ['online', 'boolean']]),
    );
    const policies = (await influx.query('SHOW RETENTION POLICIES', 'rush')).results[0]!.series![0]!.values;
    expect(policies).toEqual(expect.arrayContaining([['raw', '4320h0m0s', expect.any(String), 1, true], ['hourly', '17520h0m0s', expect.any(String), 1, false]]));

    // The same API as with SQLite, now from InfluxDB.
    const hours = await getJson<Points>(t.http, `/api/v1/series/events?every=1h&zoneId=gate&kind=access.granted&from=${start}&to=${start + H}`, guard);
    expect(hours.status).toBe(200);
    expect(hours.body.points.map((p) => p.t)).toEqual([start, start + H]);
    const expected = (h: number) => [0, 1].reduce((n, r) => n + [...Array(r === 0 ? 300 : 200).keys()].filter((i) => i % 10 !== 9 && Math.floor((start + i * (r === 0 ? 6000 : 9000)) / H) * H === h).length, 0);
    expect(hours.body.points.map((p) => p.count)).toEqual([expected(start) + 2, expected(start + H)]);
    const minutes = await getJson<Points>(t.http, `/api/v1/series/events?every=1m&deviceId=reader-1&kind=access.denied&from=${start}&to=${start + 40 * 60_000}`, guard);
    expect(minutes.body.points.reduce((n, p) => n + p.count, 0)).toBe(30);
    const healthApi = await getJson<{ points: Record<string, unknown>[] }>(t.http, '/api/v1/series/health?deviceId=sensor-1', guard);
    expect(healthApi.body.points).toContainEqual(expect.objectContaining({ battery: 87, rssi: -61, temperature: 24.5 }));
    expect(await status(t, guard)).toMatchObject({ backend: 'influx', state: 'ok', backlogPoints: 0 });
  });

  it('stopping InfluxDB while events flow loses none and duplicates none, through a hub restart too', async () => {
    const dir = tempDir();
    dirs.push(dir);
    let t = await startTestHub({ extraYaml: seriesYaml(influx.url, 'outage'), dataDir: dir.path });
    hubs.push(t);
    let guard = await login(t.http, 'guard1', 'guard1-test-pw');
    const base = Date.now() - 10 * 60_000;
    const r1 = await pool.connect(t.mqtt, 'reader-1');
    const r2 = await pool.connect(t.mqtt, 'reader-2');
    // 1,500 events from two readers; InfluxDB goes away after the 300th of reader-1's and is not back until all are acknowledged.
    await Promise.all([
      publish(r1, 'reader-1', 900, 0, (i) => base + i * 100, async (i) => {
        if (i === 300) await influx.stop();
      }),
      publish(r2, 'reader-2', 600, 0, (i) => base + i * 150),
    ]);
    const down = await waitFor(async () => {
      const s = await status(t, guard);
      return s.state === 'retrying' && s.backlogPoints > 0 ? s : undefined;
    }, 30_000, 'backlog while InfluxDB is down');
    expect(down.lastError).toBeTruthy();
    expect((await getJson<{ code: string }>(t.http, '/api/v1/series/events', guard)).body.code).toBe('GH_SERIES_UNAVAILABLE');
    const metrics = await (await fetch(`${t.http}/metrics`, METRICS_AUTH)).text();
    expect(metrics).toMatch(/gatehouse_series_write_errors_total\{reason="[a-z_0-9]+"\} [1-9]/);
    expect(metrics).toMatch(/gatehouse_series_backlog_points [1-9]/);

    // The hub restarts during the outage: the backlog is on disk, not in memory.
    pool.closeAll();
    await t.stop();
    hubs.splice(0);
    t = await startTestHub({ extraYaml: seriesYaml(influx.url, 'outage'), dataDir: dir.path });
    hubs.push(t);
    guard = await login(t.http, 'guard1', 'guard1-test-pw');
    expect((await status(t, guard)).backlogPoints).toBeGreaterThan(0);

    await influx.start();
    await waitFor(async () => ((await status(t, guard)).backlogPoints === 0 ? true : undefined), 60_000, 'backlog drained');
    const q = "SELECT count(value) FROM events WHERE kind = 'access.granted' OR kind = 'access.denied' GROUP BY device";
    const counts = (await influx.query(q, 'outage')).results[0]!.series!.map((s) => [s.tags!['device'], s.values[0]![1]]);
    expect(counts).toEqual([['reader-1', 900], ['reader-2', 600]]);
    expect(scalar(await influx.query("SELECT count(value) FROM events WHERE kind = 'access.denied'", 'outage'))).toBe(150);
    expect((await status(t, guard)).state).toBe('ok');
  });

  it('starts with InfluxDB down, keeps ingesting, and writes everything (late hours recounted) once it comes up', async () => {
    // An InfluxDB that is not there yet: nothing listens on this port until the end.
    const later = await startInfluxd();
    await later.stop();
    try {
      const t = await startTestHub({ extraYaml: seriesYaml(later.url, 'late') });
      hubs.push(t);
      const guard = await login(t.http, 'guard1', 'guard1-test-pw');
      const threeHoursAgo = Math.floor(Date.now() / H) * H - 3 * H;
      const r1 = await pool.connect(t.mqtt, 'reader-1');
      await publish(r1, 'reader-1', 400, 0, (i) => threeHoursAgo + i * 1000);
      const s = await status(t, guard);
      expect(s.backlogPoints).toBeGreaterThanOrEqual(400);
      expect(['connecting', 'retrying']).toContain(s.state);
      const events = await getJson<{ items: unknown[] }>(t.http, '/api/v1/events?deviceId=reader-1&limit=1000', guard);
      expect(events.body.items.length).toBeGreaterThanOrEqual(400); // ingest never stopped

      await later.start();
      await waitFor(async () => ((await status(t, guard)).backlogPoints === 0 ? true : undefined), 60_000, 'backlog drained');
      expect(scalar(await later.query("SELECT count(value) FROM events WHERE device = 'reader-1' AND kind =~ /^access/", 'late'))).toBe(400);
      // Points three hours late missed the continuous query's window: the writer recounts those hours.
      await waitFor(
        async () => (scalar(await later.query(`SELECT sum(count) FROM hourly.events WHERE device = 'reader-1' AND kind =~ /^access/ AND time >= ${threeHoursAgo}ms`, 'late')) === 400 ? true : undefined),
        30_000,
        'hourly rollup backfilled',
      );
      const api = await getJson<Points>(t.http, `/api/v1/series/events?every=1h&deviceId=reader-1&kind=access.granted&from=${threeHoursAgo}&to=${threeHoursAgo + H - 1}`, guard);
      expect(api.body.points).toEqual([{ t: threeHoursAgo, count: 360 }]);
    } finally {
      await later.destroy();
    }
  });

  it('a point InfluxDB refuses for good (older than its retention) is counted and logged; the rest of its batch is written', async () => {
    const t = await startTestHub({ extraYaml: seriesYaml(influx.url, 'refused') });
    hubs.push(t);
    const guard = await login(t.http, 'guard1', 'guard1-test-pw');
    const r1 = await pool.connect(t.mqtt, 'reader-1');
    const now = Date.now();
    // A device with its clock a year behind, among ordinary swipes, in one group commit.
    await Promise.all([0, 1, 2, 3].map((i) => r1.publishAsync('devices/reader-1/events', eventPayload('access.granted', { seq: i, ts: i === 2 ? now - 400 * 24 * H : now - i }), { qos: 1 })));
    await waitFor(async () => ((await status(t, guard)).backlogPoints === 0 && (await status(t, guard)).pointsWritten > 0 ? true : undefined), 30_000, 'batch answered');
    expect(scalar(await influx.query("SELECT count(value) FROM events WHERE kind = 'access.granted'", 'refused'))).toBe(3);
    expect(await (await fetch(`${t.http}/metrics`, METRICS_AUTH)).text()).toContain('gatehouse_series_points_dropped_total 1');
    expect((await status(t, guard)).lastError).toMatch(/beyond retention policy/);
    expect(t.logs.some((l) => l['msg'] === 'InfluxDB refused points for good (400); the rest of the batch was written')).toBe(true);
  });

  it('a batch sent twice (a crash between InfluxDB’s answer and the delete) does not double count', async () => {
    const { InfluxSeries } = await import('../../src/store/influxSeries.ts');
    const { eventLine, Uniquifier } = await import('../../src/series/lineProtocol.ts');
    const retention = { events: 180, minuteBuckets: 30, hourBuckets: 730, incidents: 730, snapshots: 90 };
    const store = new InfluxSeries({ backend: 'influx', url: influx.url, database: 'twice' }, retention, () => Date.now());
    try {
      await store.ensureSchema();
      await store.ensureSchema(); // idempotent
      const uniq = new Uniquifier();
      const ts = Date.now() - 60_000;
      const body = Array.from({ length: 50 }, (_, i) =>
        eventLine({ id: String(i), deviceId: 'reader-1', zoneId: 'gate', kind: 'access.granted', ts: ts + (i % 5), receivedAt: ts, data: {} }, uniq),
      ).join('\n');
      expect((await store.write(body)).status).toBe(204);
      expect((await store.write(body)).status).toBe(204);
      expect(scalar(await influx.query('SELECT count(value) FROM events', 'twice'))).toBe(50);
    } finally {
      await store.close();
    }
  });
});
