import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { CountyPlatform } from '../../simulators/county-platform/platform.ts';
import { startTestHub, login, getJson, postJson, waitFor, tempDir, type TestHub } from '../helpers/hub.ts';
import { startChildHub } from '../helpers/childHub.ts';
import { ClientPool, eventPayload } from '../helpers/mqtt.ts';

const SECRET = 'county-shared-secret-0123456789';
const uplinkYaml = (url: string, extra = '') => `
uplink: { url: "${url}", secret: "${SECRET}", heartbeatEvery: 60, timeout: 3 }
${extra}`;

type Received = Awaited<ReturnType<CountyPlatform['received']>>;
const seqsOf = (r: Received) => r.items.map((i) => i.seq).sort((a, b) => a - b);
const contiguous = (seqs: number[]) => seqs.every((s, i) => s === i + 1);

describe('county uplink (in-process hub and platform)', () => {
  const pool = new ClientPool();
  let platform: CountyPlatform;
  let t: TestHub;
  let guard: string;
  let officer: string;

  beforeAll(async () => {
    platform = new CountyPlatform({ secret: SECRET, port: 0, log: () => undefined });
    await platform.start();
    t = await startTestHub({ extraYaml: uplinkYaml(platform.url) });
    [guard, officer] = await Promise.all([login(t.http, 'guard1', 'guard1-test-pw'), login(t.http, 'officer1', 'officer1-test-pw')]);
  });
  afterAll(async () => {
    pool.closeAll();
    await t?.stop();
    await platform?.stop();
  });

  it('a panic reaches the platform signed, in order, once; its lifecycle follows', async () => {
    const device = await pool.connect(t.mqtt, 'panic-1');
    await device.publishAsync('devices/panic-1/events', eventPayload('alarm.panic', { seq: 1 }), { qos: 1 });
    const opened = await waitFor(() => platform.received().items.find((i) => i.type === 'incident.opened' && i.payload['kind'] === 'panic'), 3000, 'incident.opened at the platform');
    expect(opened.campusId).toBe('test-school');
    expect(opened.payload).toMatchObject({ kind: 'panic', severity: 'critical', zoneId: 'building-a', drill: false });
    const id = opened.payload['id'] as string;
    await postJson(t.http, `/api/v1/incidents/${id}/ack`, guard, {});
    await postJson(t.http, `/api/v1/incidents/${id}/resolve`, guard, { note: 'checked' });
    await waitFor(() => platform.received().items.find((i) => i.type === 'incident.resolved'), 3000, 'incident.resolved');
    const r = platform.received();
    expect(r.items.map((i) => i.type)).toEqual(expect.arrayContaining(['campus.heartbeat', 'incident.opened', 'incident.acknowledged', 'incident.resolved']));
    expect(contiguous(seqsOf(r))).toBe(true);
    expect(r.duplicates).toBe(0);
    expect(r.rejected).toEqual({ bad_signature: 0, stale_timestamp: 0, malformed: 0 });
    const status = await getJson<{ enabled: boolean; depth: number; lastDeliveryAt: number | null; sinks: { sink: string; state: string }[] }>(t.http, '/api/v1/uplink', guard);
    expect(status.body).toMatchObject({ enabled: true, depth: 0 });
    expect(status.body.lastDeliveryAt).not.toBeNull();
  });

  it('while the platform is down everything waits in the outbox; it all arrives, once each, when it returns', async () => {
    platform.setMode('down', { retryAfter: 1 });
    const before = platform.received().items.length;
    const device = await pool.connect(t.mqtt, 'panic-2');
    await device.publishAsync('devices/panic-2/events', eventPayload('door.forced', { seq: 2 }), { qos: 1 });
    const hazard = await postJson<{ id: string }>(t.http, '/api/v1/hazards', guard, {
      title: '围墙破损 broken fence',
      category: 'campus-safety',
      zoneId: 'gate',
      responsible: 'Wang',
      deadline: '2099-12-31',
    });
    expect(hazard.status).toBe(201);
    await postJson(t.http, `/api/v1/hazards/${hazard.body.id}/close`, officer, { note: 'fixed' });
    const waiting = await waitFor(async () => {
      const s = await getJson<{ depth: number; lastError: string | null }>(t.http, '/api/v1/uplink', guard);
      return s.body.depth >= 3 && s.body.lastError ? s.body : undefined;
    }, 5000, 'messages waiting with an error');
    expect(waiting.lastError).toMatch(/503/);
    expect(platform.received().items.length).toBe(before);

    platform.setMode('up');
    await waitFor(async () => ((await getJson<{ depth: number }>(t.http, '/api/v1/uplink', guard)).body.depth === 0 ? true : undefined), 10_000, 'outbox drained');
    const r = platform.received();
    expect(r.items.map((i) => i.type)).toEqual(expect.arrayContaining(['incident.opened', 'hazard.opened', 'hazard.closed']));
    expect(contiguous(seqsOf(r))).toBe(true);
    expect(r.gaps['test-school'] ?? []).toEqual([]);
  });

  it('a rejected secret parks delivery, tells the guard room, and resumes after the fix', async () => {
    platform.setMode('unauthorized');
    const device = await pool.connect(t.mqtt, 'reader-1');
    await device.publishAsync('devices/reader-1/events', eventPayload('door.forced', { seq: 3 }), { qos: 1 });
    const incident = await waitFor(
      async () => (await getJson<{ items: { kind: string; title: string; severity: string }[] }>(t.http, '/api/v1/incidents?status=open', guard)).body.items.find((i) => i.kind === 'uplink_rejected'),
      5000,
      'uplink_rejected incident',
    );
    expect(incident.title).toBe('county platform rejects our messages: 401 — check uplink.secret (the shared secret) with the county');
    type Status = { sinks: { sink: string; state: string; depth: number; parked: { status: number; at: number } | null; nextAttemptAt: number | null }[] };
    const status = await getJson<Status>(t.http, '/api/v1/uplink', guard);
    expect(status.body.sinks[0]).toMatchObject({ sink: 'county', state: 'parked', parked: { status: 401 } });
    const attemptsWhileParked = platform.received().faults.unauthorized;

    // Parked means it does not hammer the platform: its next try is the probe a minute on…
    const parked = status.body.sinks[0]!;
    expect(parked.nextAttemptAt! - parked.parked!.at).toBeGreaterThanOrEqual(59_000);
    // …and a new alarm queued behind the parked message does not bring it forward.
    await device.publishAsync('devices/reader-1/events', eventPayload('door.held_open', { seq: 4 }), { qos: 1 });
    const queued = await waitFor(async () => {
      const s = (await getJson<Status>(t.http, '/api/v1/uplink', guard)).body.sinks[0]!;
      return s.depth > parked.depth ? s : undefined;
    }, 5000, 'the new alarm queued');
    expect(queued).toMatchObject({ state: 'parked', nextAttemptAt: parked.nextAttemptAt });
    expect(platform.received().faults.unauthorized).toBe(attemptsWhileParked);

    platform.setMode('up');
    expect((await postJson(t.http, '/api/v1/uplink/county/resume', guard, {})).status).toBe(403);
    expect((await postJson(t.http, '/api/v1/uplink/county/resume', officer, {})).status).toBe(202);
    await waitFor(async () => ((await getJson<{ depth: number }>(t.http, '/api/v1/uplink', guard)).body.depth === 0 ? true : undefined), 10_000, 'drained after resume');
    const after = await getJson<{ sinks: { state: string; parked: unknown }[] }>(t.http, '/api/v1/uplink', guard);
    expect(after.body.sinks[0]!.parked).toBeNull();
    expect(contiguous(seqsOf(platform.received()))).toBe(true);
  });

  it('a critical incident jumps a 5,000-message backlog', async () => {
    platform.setMode('down', { retryAfter: 1 });
    // A backlog as a week-long outage leaves it (heartbeats and hazard changes), written straight to the outbox.
    const now = Date.now();
    t.hub.db.transaction(() => {
      for (let i = 0; i < 5000; i++) t.hub.uplink.outbox.append('campus.heartbeat', { backlog: i }, now, false);
    })();
    t.hub.uplink.wake(false); // as the write path does after its commit
    const backlogMax = (t.hub.db.prepare('SELECT max(seq) AS m FROM outbox').get() as { m: number }).m;
    platform.reset();
    platform.setMode('slow', { delayMs: 2 });
    await waitFor(() => (platform.received().items.length >= 20 ? true : undefined), 10_000, 'backlog draining');
    const device = await pool.connect(t.mqtt, 'panic-1');
    const sent = Date.now();
    await device.publishAsync('devices/panic-1/events', eventPayload('alarm.panic', { seq: 50 }), { qos: 1 });
    const panic = await waitFor(() => platform.received().items.find((i) => i.type === 'incident.opened' && i.payload['severity'] === 'critical'), 5000, 'panic at the platform');
    const position = platform.received().items.findIndex((i) => i.seq === panic.seq);
    const backlogBefore = platform.received().items.slice(0, position).filter((i) => i.seq <= backlogMax).length;
    expect(panic.seq).toBeGreaterThan(backlogMax);
    expect(position).toBeGreaterThanOrEqual(20); // the backlog was already draining…
    expect(backlogBefore).toBeLessThan(5000); // …and the panic did not wait behind all of it
    // eslint-disable-next-line no-console
    console.log(`panic → platform during a 5,000 backlog: ${Math.round(panic.receivedAt - sent)} ms, arrived as message ${position + 1}`);
    platform.setMode('up');
    await waitFor(async () => ((await getJson<{ depth: number }>(t.http, '/api/v1/uplink', guard)).body.depth === 0 ? true : undefined), 60_000, 'backlog drained');
    const r = platform.received();
    const seqs = seqsOf(r);
    expect(new Set(seqs).size).toBe(seqs.length); // once each
    expect(r.gaps['test-school'] ?? []).toEqual([]);
  });
});

describe('heartbeat cadence (fake clock)', () => {
  const clock = new ManualClock(Date.now());
  let platform: CountyPlatform;
  let t: TestHub;

  beforeAll(async () => {
    platform = new CountyPlatform({ secret: SECRET, port: 0, log: () => undefined, now: () => clock.now() });
    await platform.start();
    t = await startTestHub({ clock, tickMs: 3_600_000, extraYaml: uplinkYaml(platform.url) });
  });
  afterAll(async () => {
    await t?.stop();
    await platform?.stop();
  });

  it('one heartbeat at start, then one every heartbeatEvery seconds, not before', async () => {
    const beats = () => platform.received().items.filter((i) => i.type === 'campus.heartbeat');
    await waitFor(() => (beats().length === 1 ? true : undefined), 3000, 'first heartbeat');
    for (let i = 0; i < 3; i++) {
      clock.advance(59_000);
      const lastSeq = (t.hub.db.prepare('SELECT coalesce(max(seq), 0) AS n FROM outbox').get() as { n: number }).n;
      t.hub.supervise();
      // A heartbeat is queued inside supervise() or not at all: none may have been.
      expect(t.hub.db.prepare("SELECT count(*) AS n FROM outbox WHERE type = 'campus.heartbeat' AND seq > ?").get(lastSeq)).toEqual({ n: 0 });
      expect(beats()).toHaveLength(1 + i);
      clock.advance(1_000);
      t.hub.supervise();
      await waitFor(() => (beats().length === 2 + i ? true : undefined), 3000, `heartbeat ${2 + i}`);
    }
    const hb = beats().at(-1)!.payload;
    expect(hb).toMatchObject({
      // no device ever connected: none is online; sensor-1 (offlineAfter 2 s) has timed out into a medium device_offline incident
      devices: { total: 5, online: 0, offline: 5 },
      incidents: { open: { critical: 0, high: 0, medium: 1, low: 0 }, drills: 0 },
      hazards: { open: 0, overdue: 0 },
      outboxDepth: expect.any(Number),
      version: expect.any(String),
      auditHead: { seq: expect.any(Number), hash: expect.stringMatching(/^[0-9a-f]{64}$/) },
    });
  });
});

describe('kill -9 of the hub mid-delivery', () => {
  const dir = tempDir();
  let platform: CountyPlatform;
  afterEach(async () => {
    await platform?.stop();
  });
  afterAll(() => dir.remove());

  it('nothing is lost; duplicates happen only as retries the key removes', async () => {
    platform = new CountyPlatform({ secret: SECRET, port: 0, log: () => undefined, mode: 'slow', delayMs: 20 });
    await platform.start();
    const yaml = uplinkYaml(platform.url);
    let hub = await startChildHub({ dataDir: dir.path, extraYaml: yaml });
    const token = await login(hub.http, 'officer1', 'officer1-test-pw');
    for (let i = 0; i < 150; i++) {
      const res = await postJson(hub.http, '/api/v1/hazards', token, { title: `hazard ${i}`, category: 'health', zoneId: 'gate', responsible: 'Wang', deadline: '2099-01-01' });
      expect(res.status).toBe(201);
    }
    await waitFor(() => (platform.received().items.length >= 30 ? true : undefined), 20_000, 'delivery under way');
    hub.kill('SIGKILL');
    await hub.exited;
    const atKill = platform.received().items.length;
    expect(atKill).toBeLessThan(151);

    platform.setMode('up');
    hub = await startChildHub({ dataDir: dir.path, extraYaml: yaml, httpPort: hub.httpPort, mqttPort: hub.mqttPort });
    await waitFor(async () => {
      const s = await getJson<{ depth: number }>(hub.http, '/api/v1/uplink', await login(hub.http, 'guard1', 'guard1-test-pw'));
      return s.body.depth === 0 ? true : undefined;
    }, 30_000, 'outbox drained after restart');
    hub.kill('SIGTERM');
    await hub.exited;

    const r = platform.received();
    const hazardsOpened = r.items.filter((i) => i.type === 'hazard.opened');
    expect(hazardsOpened).toHaveLength(150);
    expect(new Set(hazardsOpened.map((i) => i.payload['title'])).size).toBe(150);
    const seqs = seqsOf(r);
    expect(contiguous(seqs)).toBe(true);
    // At most the one in flight at the kill was sent twice, and the platform kept it once.
    expect(r.duplicates).toBeLessThanOrEqual(1);
  });
});
