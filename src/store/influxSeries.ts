import { InfluxDB, type IPoolOptions, type IResponse } from 'influx';
import { Agent, request } from 'undici';
import type { RetentionConfig, SeriesConfig } from '../config/types.ts';
import type { CountQuery, CountRow, HealthPoint, HealthValue, SeriesReader } from '../series/types.ts';

/**
 * InfluxDB 1.x: the database and retention policies Gatehouse needs, writes of
 * queued line protocol, and the reads behind the series API.
 *
 * Layout (DESIGN.md "Time series in InfluxDB" contract for `events` and
 * `device_health`):
 * - retention policy `raw` (the database's default; `retention.events` days):
 *   `events`, `device_health`, `incidents`, gauges such as `uplink_backlog`;
 * - retention policy `hourly` (`retention.hourBuckets` days): `events` with
 *   field `count` per hour and the same tags, filled by a continuous query (and
 *   by backfill() when late points arrive after an outage).
 *
 * Writes go straight to `/write` with the queued text (the queue already holds
 * line protocol; the `influx` client would only re-serialize it). The client
 * does the schema and the queries.
 */
export const RAW_RP = 'raw';
export const HOURLY_RP = 'hourly';
const CQ_NAME = 'events_hourly';

export interface WriteAnswer {
  readonly status: number;
  readonly body: string;
}

const RETRY_SOON: NonNullable<IPoolOptions['backoff']> = { getDelay: () => 1000, next: () => RETRY_SOON, reset: () => RETRY_SOON };
const ident = (s: string): string => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`;

export class InfluxSeries implements SeriesReader {
  private readonly client: InfluxDB;
  private readonly agent = new Agent({ keepAliveTimeout: 30_000, connect: { timeout: 5_000 } });
  private readonly writeUrl: string;
  private readonly auth: string | undefined;
  private readonly db: string;

  constructor(
    config: SeriesConfig,
    private readonly retention: RetentionConfig,
    private readonly now: () => number,
  ) {
    const url = new URL(config.url ?? 'http://127.0.0.1:8086');
    this.db = config.database;
    this.client = new InfluxDB({
      hosts: [{ host: url.hostname, port: Number(url.port || (url.protocol === 'https:' ? 443 : 8086)), protocol: url.protocol === 'https:' ? 'https' : 'http', path: url.pathname.replace(/\/$/, '') }],
      database: this.db,
      ...(config.username ? { username: config.username, password: config.password ?? '' } : {}),
      // One try per call: the writer and the API decide what a failure means. The pool
      // sets a failed host aside for a while (its own timer); keep that short and fixed,
      // so it neither delays recovery nor holds the process at shutdown for long.
      pool: { maxRetries: 0, requestTimeout: 10_000, backoff: RETRY_SOON },
    });
    const base = url.href.replace(/\/$/, '');
    this.writeUrl = `${base}/write?${new URLSearchParams({ db: this.db, rp: RAW_RP, precision: 'ns' })}`;
    this.auth = config.username ? `Basic ${Buffer.from(`${config.username}:${config.password ?? ''}`).toString('base64')}` : undefined;
  }

  /** Create the database, the retention policies and the hourly rollup; safe to repeat. */
  async ensureSchema(): Promise<void> {
    await this.client.createDatabase(this.db);
    const policies = await this.client.showRetentionPolicies(this.db);
    const want = [
      { name: RAW_RP, days: this.retention.events, isDefault: true },
      { name: HOURLY_RP, days: this.retention.hourBuckets, isDefault: false },
    ];
    for (const p of want) {
      const duration = `${p.days * 24}h0m0s`;
      const found = policies.find((x) => x.name === p.name);
      const options = { database: this.db, duration: `${p.days}d`, replication: 1, isDefault: p.isDefault };
      if (!found) await this.client.createRetentionPolicy(p.name, options);
      else if (found.duration !== duration || (p.isDefault && !found.default)) await this.client.alterRetentionPolicy(p.name, options);
    }
    const cqs = await this.client.showContinousQueries(this.db);
    if (!cqs.some((q) => q.name === CQ_NAME)) {
      // RESAMPLE FOR 2h: each run recounts the last two hours, so points up to an hour late are counted.
      await this.client.createContinuousQuery(CQ_NAME, `SELECT count("value") AS "count" INTO ${ident(this.db)}.${ident(HOURLY_RP)}."events" FROM ${ident(this.db)}.${ident(RAW_RP)}."events" GROUP BY time(1h), *`, this.db, 'RESAMPLE EVERY 1h FOR 2h');
    }
  }

  /** POST queued lines; the caller decides from the status (2xx done, 4xx permanent, else retry). */
  async write(body: string): Promise<WriteAnswer> {
    const res = await request(this.writeUrl, {
      method: 'POST',
      body,
      dispatcher: this.agent,
      headers: { 'content-type': 'text/plain; charset=utf-8', ...(this.auth ? { authorization: this.auth } : {}) },
      headersTimeout: 30_000,
      bodyTimeout: 30_000,
    });
    return { status: res.statusCode, body: await res.body.text() };
  }

  /** Recount hourly rollups for [from, to) from the raw points (late points after an outage). Idempotent. */
  async backfill(from: number, to: number): Promise<void> {
    const q = `SELECT count("value") AS "count" INTO ${ident(this.db)}.${ident(HOURLY_RP)}."events" FROM ${ident(this.db)}.${ident(RAW_RP)}."events" WHERE time >= ${from}ms AND time < ${to}ms GROUP BY time(1h), *`;
    await this.raw(q, {}, 'POST');
  }

  async counts(q: CountQuery): Promise<CountRow[]> {
    // Hours older than the raw points' retention come from the hourly rollup.
    const rawFrom = q.step === '1h' ? Math.max(q.from, Math.ceil((this.now() - (this.retention.events - 1) * 86_400_000) / 3_600_000) * 3_600_000) : q.from;
    const out: CountRow[] = [];
    if (rawFrom > q.from) out.push(...(await this.countsFrom(HOURLY_RP, 'sum("count")', { ...q, to: Math.min(q.to, rawFrom) })));
    if (q.to > rawFrom) out.push(...(await this.countsFrom(RAW_RP, 'count("value")', { ...q, from: rawFrom })));
    return out;
  }

  private async countsFrom(rp: string, aggregate: string, q: CountQuery): Promise<CountRow[]> {
    if (q.kinds?.length === 0) return [];
    const where = [`time >= ${q.from}ms`, `time < ${q.to}ms`];
    const params: Record<string, string> = {};
    if (q.zoneId !== undefined) {
      where.push('"zone" = $zone');
      params['zone'] = q.zoneId;
    }
    if (q.deviceId !== undefined) {
      where.push('"device" = $device');
      params['device'] = q.deviceId;
    }
    if (q.kinds !== undefined) {
      where.push(`(${q.kinds.map((_, i) => `"kind" = $k${i}`).join(' OR ')})`);
      q.kinds.forEach((k, i) => (params[`k${i}`] = k));
    }
    const by = (q.by ?? []).map((b) => `, ${ident(b)}`).join('');
    const answer = await this.raw(
      `SELECT ${aggregate} AS "n" FROM ${ident(this.db)}.${ident(rp)}."events" WHERE ${where.join(' AND ')} GROUP BY time(${q.step})${by} fill(none)`,
      params,
    );
    const rows: CountRow[] = [];
    for (const series of answer.results[0]?.series ?? []) {
      const tags = series.tags ?? {};
      for (const [t, n] of series.values as [number, number][]) {
        rows.push({ t, count: n, ...(q.by ?? []).reduce((acc, b) => ({ ...acc, [b]: tags[b] ?? '' }), {}) });
      }
    }
    return rows.sort((a, b) => a.t - b.t);
  }

  async healthPoints(q: { deviceId: string; from: number; to: number; limit: number }): Promise<HealthPoint[]> {
    const answer = await this.raw(
      `SELECT * FROM ${ident(RAW_RP)}."device_health" WHERE "device" = $device AND time >= ${q.from}ms AND time < ${q.to}ms ORDER BY time DESC LIMIT ${Math.trunc(q.limit)}`,
      { device: q.deviceId },
    );
    const series = answer.results[0]?.series?.[0];
    if (!series) return [];
    const points: HealthPoint[] = [];
    for (const values of series.values) {
      const fields: Record<string, HealthValue> = {};
      series.columns.forEach((c, i) => {
        const v = values[i];
        if (c !== 'time' && c !== 'device' && v !== null && v !== undefined) fields[c] = v as HealthValue;
      });
      points.push({ t: values[0] as number, fields });
    }
    return points.reverse();
  }

  async gaugeMax(name: string, from: number, to: number): Promise<number | null> {
    const answer = await this.raw(`SELECT max("value") FROM ${ident(RAW_RP)}.${ident(name)} WHERE time >= ${from}ms AND time < ${to}ms`, {});
    const v = answer.results[0]?.series?.[0]?.values[0]?.[1];
    return typeof v === 'number' ? v : null;
  }

  async firstHour(): Promise<number | null> {
    const answer = await this.raw(`SELECT first("value") FROM ${ident(RAW_RP)}."events"`, {});
    const t = answer.results[0]?.series?.[0]?.values[0]?.[0];
    return typeof t === 'number' ? Math.floor(t / 3_600_000) * 3_600_000 : null;
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private async raw(q: string, placeholders: Record<string, string>, method: 'GET' | 'POST' = 'GET'): Promise<RawAnswer> {
    const answer = (await this.client.queryRaw(q, { database: this.db, precision: 'ms', placeholders, method } as Parameters<InfluxDB['queryRaw']>[1])) as RawAnswer;
    const error = answer.error ?? answer.results.find((r) => r.error)?.error;
    if (error) throw new Error(`InfluxDB: ${error}`);
    return answer;
  }
}

interface RawAnswer {
  error?: string;
  results: (IResponse['results'][number] & { error?: string; series?: { name: string; tags?: Record<string, string>; columns: string[]; values: unknown[][] }[] })[];
}
