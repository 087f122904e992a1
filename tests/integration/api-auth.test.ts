/**
 * HTTP API contract: sign-in and bearer tokens, health, OpenAPI, and the
 * events query (validation, filters, order). A real hub over loopback.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { MqttClient } from 'mqtt';
import { getJson, login, METRICS_AUTH, postJson, startTestHub, type TestHub } from '../helpers/hub.ts';
import { ClientPool, eventPayload } from '../helpers/mqtt.ts';

interface ErrorBody {
  statusCode: number;
  code: string;
  error: string;
  message: string;
  field?: string;
}
interface EventItem {
  id: string;
  deviceId: string;
  zoneId: string;
  kind: string;
  ts: number;
  receivedAt: number;
  data: Record<string, unknown>;
}

let hub: TestHub;
let token: string;
const pool = new ClientPool();

beforeAll(async () => {
  hub = await startTestHub();
  token = await login(hub.http, 'guard1', 'guard1-test-pw');
});

afterAll(async () => {
  pool.closeAll();
  await hub?.stop();
});

async function raw(path: string, init: RequestInit = {}): Promise<{ status: number; body: unknown; headers: Headers }> {
  const res = await fetch(`${hub.http}${path}`, init);
  const text = await res.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: res.status, body, headers: res.headers };
}

function loginRequest(username: string, password: string): Promise<{ status: number; body: unknown }> {
  return raw('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
}

describe('sign-in and tokens', () => {
  test('a wrong password → 401 with code GH_AUTH_FAILED and no token', async () => {
    const r = await loginRequest('guard1', 'guard1-wrong');
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ statusCode: 401, code: 'GH_AUTH_FAILED' });
    expect((r.body as Record<string, unknown>)['token']).toBeUndefined();
  });

  test('an unknown user gets the same answer as a wrong password (no user enumeration)', async () => {
    const wrong = await loginRequest('guard1', 'guard1-wrong');
    const unknown = await loginRequest('nobody', 'nobody-demo');
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual(wrong.body);
  });

  test('a login body missing the password → 400 naming the field', async () => {
    const r = await raw('/api/v1/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'guard1' }) });
    expect(r.status).toBe(400);
    expect((r.body as ErrorBody).field).toBe('body.password');
  });

  test('the right password → a token with the user and role', async () => {
    const r = await loginRequest('officer1', 'officer1-test-pw');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ username: 'officer1', role: 'officer' });
    const body = r.body as { token: string; expiresAt: number };
    expect(body.token.length).toBeGreaterThanOrEqual(32);
    expect(body.expiresAt).toBeGreaterThan(Date.now());
  });

  test('no token → 401 GH_AUTH_REQUIRED on every /api/v1 route', async () => {
    for (const path of ['/api/v1/events', '/api/v1/incidents', '/api/v1/devices', '/api/v1/auth/me']) {
      const r = await raw(path);
      expect(r.status, path).toBe(401);
      expect((r.body as ErrorBody).code, path).toBe('GH_AUTH_REQUIRED');
    }
    const post = await raw('/api/v1/incidents/x/ack', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(post.status).toBe(401);
  });

  test('a bad token → 401; a non-Bearer scheme → 401', async () => {
    const bad = await raw('/api/v1/events', { headers: { authorization: 'Bearer definitely-not-a-token' } });
    expect(bad.status).toBe(401);
    expect((bad.body as ErrorBody).code).toMatch(/^GH_/);
    const basic = await raw('/api/v1/events', { headers: { authorization: `Basic ${Buffer.from('guard1:guard1-test-pw').toString('base64')}` } });
    expect(basic.status).toBe(401);
    const tokenInQuery = await raw(`/api/v1/events?access_token=${encodeURIComponent(token)}`);
    expect(tokenInQuery.status, 'no route takes the token from the URL').toBe(401);
  });

  test('logout revokes that token (and only that one)', async () => {
    const a = await login(hub.http, 'admin1', 'admin1-test-pw');
    const b = await login(hub.http, 'admin1', 'admin1-test-pw');
    expect((await getJson(hub.http, '/api/v1/auth/me', a)).status).toBe(200);
    const out = await raw('/api/v1/auth/logout', { method: 'POST', headers: { authorization: `Bearer ${a}` } });
    expect(out.status).toBe(204);
    const after = await getJson<ErrorBody>(hub.http, '/api/v1/auth/me', a);
    expect(after.status).toBe(401);
    expect(after.body.code).toBe('GH_TOKEN_EXPIRED');
    expect((await getJson(hub.http, '/api/v1/events', a)).status).toBe(401);
    const other = await getJson<{ username: string }>(hub.http, '/api/v1/auth/me', b);
    expect(other.status).toBe(200);
    expect(other.body.username).toBe('admin1');
  });
});

describe('health and documentation', () => {
  test('GET /healthz → 200 {status: "ok"} without a token', async () => {
    const r = await raw('/healthz');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ status: 'ok' });
  });

  test('every answer carries Server-Timing: the time spent in the hub, apart from the network', async () => {
    for (const r of [await raw('/healthz'), await raw('/api/v1/events?limit=5', { headers: { authorization: `Bearer ${token}` } }), await raw('/api/v1/events')]) {
      const m = /^app;dur=(\d+\.\d{3})$/.exec(r.headers.get('server-timing') ?? '');
      expect(m, `server-timing: ${r.headers.get('server-timing')}`).not.toBeNull();
      expect(Number(m![1])).toBeGreaterThan(0);
    }
  });

  test('GET /metrics → 401 without a token, 403 for a guard; Prometheus text for http.metricsToken or an admin', async () => {
    expect((await raw('/metrics')).status).toBe(401);
    expect((await raw('/metrics', { headers: { authorization: 'Bearer not-the-metrics-token-at-all' } })).status).toBe(401);
    expect((await raw('/metrics', { headers: { authorization: `Bearer ${token}` } })).status).toBe(403);
    const admin = await login(hub.http, 'admin1', 'admin1-test-pw');
    expect((await raw('/metrics', { headers: { authorization: `Bearer ${admin}` } })).status).toBe(200);
    const r = await raw('/metrics', METRICS_AUTH);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(String(r.body)).toMatch(/^# HELP gatehouse_events_accepted_total /m);
  });

  test('GET /docs/json is an OpenAPI document listing the contract routes', async () => {
    const r = await raw('/docs/json');
    expect(r.status).toBe(200);
    const doc = r.body as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/incidents', '/api/v1/events', '/api/v1/devices', '/api/v1/auth/login', '/healthz']),
    );
    expect(doc.paths['/api/v1/incidents']!['get']).toBeDefined();
    expect(Object.keys(doc.paths).some((p) => p.startsWith('/api/v1/incidents/') && p.endsWith('/resolve'))).toBe(true);
    // Every API operation declares the one error body, so a client (and the console's types) can rely on it.
    const missing: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      if (!path.startsWith('/api/')) continue;
      for (const [method, op] of Object.entries(ops)) {
        const responses = (op as { responses?: Record<string, { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> }> }).responses ?? {};
        const body = responses['4XX']?.content?.['application/json']?.schema?.properties;
        if (!body || !('code' in body) || !('message' in body)) missing.push(`${method.toUpperCase()} ${path}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

describe('GET /api/v1/events', () => {
  // A fixed past window, so the hub's own device.online events (hub time) never fall in it.
  const T = 1_700_000_000_000;
  const seeded: { deviceId: string; kind: string; ts: number; n: number }[] = [
    { deviceId: 'reader-1', kind: 'access.granted', ts: T + 1000, n: 1 },
    { deviceId: 'reader-1', kind: 'access.denied', ts: T + 2000, n: 2 },
    { deviceId: 'reader-2', kind: 'access.granted', ts: T + 3000, n: 3 },
    { deviceId: 'panic-1', kind: 'door.forced', ts: T + 4000, n: 4 },
    { deviceId: 'reader-1', kind: 'access.granted', ts: T + 5000, n: 5 },
    { deviceId: 'reader-2', kind: 'door.held_open', ts: T + 6000, n: 6 },
    { deviceId: 'panic-1', kind: 'door.closed', ts: T + 7000, n: 7 },
  ];

  beforeAll(async () => {
    const clients = new Map<string, MqttClient>();
    for (const id of new Set(seeded.map((s) => s.deviceId))) clients.set(id, await pool.connect(hub.mqtt, id));
    // publish out of order, so "newest first" is the store's doing
    for (const s of [...seeded].reverse().sort((a, b) => (a.n % 3) - (b.n % 3))) {
      await clients.get(s.deviceId)!.publishAsync(`devices/${s.deviceId}/events`, eventPayload(s.kind, { ts: s.ts, seq: s.n, data: { n: s.n } }), { qos: 1 });
    }
  });

  async function query(qs: string): Promise<EventItem[]> {
    const r = await getJson<{ items: EventItem[] }>(hub.http, `/api/v1/events?${qs}`, token);
    expect(r.status, qs).toBe(200);
    return r.body.items;
  }
  const ns = (items: EventItem[]): unknown[] => items.map((e) => e.data['n']);

  test('limit=0 → 400 naming the field', async () => {
    const r = await getJson<ErrorBody>(hub.http, '/api/v1/events?limit=0', token);
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('GH_BAD_REQUEST');
    expect(r.body.field).toBe('querystring.limit');
    expect(r.body.message).toMatch(/limit/);
  });

  test('other invalid parameters → 400 naming the field', async () => {
    for (const [qs, field] of [
      ['limit=1001', 'querystring.limit'],
      ['limit=abc', 'querystring.limit'],
      ['kind=alarm.nonsense', 'querystring.kind'],
      ['from=-5', 'querystring.from'],
    ] as const) {
      const r = await getJson<ErrorBody>(hub.http, `/api/v1/events?${qs}`, token);
      expect(r.status, qs).toBe(400);
      expect(r.body.field, qs).toBe(field);
    }
  });

  test('from/to (inclusive) return only that window, newest first', async () => {
    const items = await query(`from=${T}&to=${T + 10_000}`);
    expect(ns(items)).toEqual([7, 6, 5, 4, 3, 2, 1]);
    expect(ns(await query(`from=${T + 2000}&to=${T + 5000}`))).toEqual([5, 4, 3, 2]);
    expect(ns(await query(`from=${T + 7001}&to=${T + 10_000}`))).toEqual([]);
  });

  test('deviceId returns only that device, newest first', async () => {
    const items = await query('deviceId=reader-1&limit=1000');
    expect(items.length).toBeGreaterThan(0);
    expect(items.every((e) => e.deviceId === 'reader-1')).toBe(true);
    expect(ns(items.filter((e) => e.ts <= T + 10_000))).toEqual([5, 2, 1]);
    const ts = items.map((e) => e.ts);
    expect(ts).toEqual([...ts].sort((a, b) => b - a));
  });

  test('kind returns only that kind, newest first', async () => {
    const items = await query('kind=access.granted');
    expect(items.every((e) => e.kind === 'access.granted')).toBe(true);
    expect(ns(items)).toEqual([5, 3, 1]);
  });

  test('filters combine; zoneId works; limit keeps the newest', async () => {
    expect(ns(await query(`deviceId=reader-1&kind=access.granted&from=${T}&to=${T + 3000}`))).toEqual([1]);
    const gate = await query(`zoneId=gate&from=${T}&to=${T + 10_000}`);
    expect(gate.every((e) => e.zoneId === 'gate')).toBe(true);
    expect(ns(gate)).toEqual([6, 5, 3, 2, 1]);
    expect(ns(await query(`from=${T}&to=${T + 10_000}&limit=2`))).toEqual([7, 6]);
  });

  test('each item has the normalized event shape', async () => {
    const [e] = await query(`deviceId=panic-1&kind=door.closed&from=${T}`);
    expect(e).toEqual({
      id: expect.any(String),
      deviceId: 'panic-1',
      zoneId: 'building-a',
      kind: 'door.closed',
      ts: T + 7000,
      receivedAt: expect.any(Number),
      data: { n: 7 },
    });
    expect(e!.receivedAt).toBeGreaterThan(T + 7000);
  });
});
