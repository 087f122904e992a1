/**
 * The panic button, end to end: mosquitto_pub → hub → open critical incident,
 * visible in the API and on the live feed (SSE); a guard acknowledges and
 * resolves it; the device cannot clear it (latching, GB 50394); a second panic
 * in the zone folds into the open incident.
 */
import { afterEach, describe, expect, test } from 'vitest';
import { getJson, login, postJson, startTestHub, waitFor, type TestHub } from '../helpers/hub.ts';
import { eventPayload, killChildren, mosquittoArgs, portOf, run } from '../helpers/mqtt.ts';
import { openSse, type SseFrame, type SseStream } from '../helpers/sse.ts';

interface Incident {
  id: string;
  kind: string;
  severity: string;
  zoneId: string;
  deviceId?: string;
  status: string;
  openedAt: number;
  acknowledgedAt?: number;
  acknowledgedBy?: string;
  resolvedAt?: number;
  resolvedBy?: string;
  note?: string;
  eventIds: string[];
  count: number;
  drill: boolean;
  change?: string;
}
interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  field?: string;
}

const hubs: TestHub[] = [];
const streams: SseStream[] = [];

afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  killChildren();
  for (const h of hubs.splice(0)) await h.stop();
});

async function setUp(): Promise<{ hub: TestHub; token: string; live: SseStream }> {
  const hub = await startTestHub();
  hubs.push(hub);
  const token = await login(hub.http, 'guard1', 'guard1-test-pw');
  const live = await openSse(`${hub.http}/api/v1/live`, { authorization: `Bearer ${token}` });
  streams.push(live);
  expect(live.status).toBe(200);
  expect(live.contentType).toMatch(/^text\/event-stream/);
  // the feed is subscribed once the hello frame has been written
  await live.next((f) => f.event === 'hello', 5000, 'the hello frame');
  return { hub, token, live };
}

/** Publish one event with mosquitto_pub -q 1; resolves when it exited (after PUBACK). */
async function press(hub: TestHub, deviceId: string, kind: string, fields: { ts?: number; seq?: number; data?: Record<string, unknown> } = {}): Promise<void> {
  const r = await run('mosquitto_pub', [...mosquittoArgs(portOf(hub.mqtt), deviceId), '-q', '1', '-t', `devices/${deviceId}/events`, '-m', eventPayload(kind, fields)]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
}

function incidentFrames(live: SseStream): Incident[] {
  return live.frames.filter((f: SseFrame) => f.event === 'incident').map((f) => JSON.parse(f.data) as Incident);
}

async function incidents(hub: TestHub, token: string, status?: string): Promise<Incident[]> {
  const res = await getJson<{ items: Incident[] }>(hub.http, `/api/v1/incidents${status ? `?status=${status}` : ''}`, token);
  expect(res.status).toBe(200);
  // sensor-1 (offlineAfter 2 s in the test campus) may time out into a device_offline incident on a slow machine
  return res.body.items.filter((i) => i.kind !== 'device_offline');
}

describe('panic → incident', () => {
  test('a panic from mosquitto_pub -q 1 is an open critical incident in the API and on the live feed within a second', async () => {
    const { hub, token, live } = await setUp();
    await press(hub, 'panic-1', 'alarm.panic', { ts: Date.now(), seq: 1 });

    // The SSE frame: waiting up to 1 s after mosquitto_pub returned.
    const frame = await waitFor(() => incidentFrames(live).find((i) => i.kind === 'panic'), 1000, 'an `event: incident` SSE frame for the panic');
    expect(frame).toMatchObject({ change: 'opened', kind: 'panic', severity: 'critical', status: 'open', zoneId: 'building-a', count: 1 });

    const open = await incidents(hub, token, 'open');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ id: frame.id, kind: 'panic', severity: 'critical', status: 'open', zoneId: 'building-a', count: 1 });
    expect(open[0]!.eventIds).toHaveLength(1);

    // the panic event itself is stored and went out on the feed as an `event` frame too
    const events = await getJson<{ items: { id: string; kind: string }[] }>(hub.http, '/api/v1/events?kind=alarm.panic', token);
    expect(events.body.items.map((e) => e.id)).toEqual(open[0]!.eventIds);
    expect(live.frames.some((f) => f.event === 'event' && (JSON.parse(f.data) as { id: string }).id === open[0]!.eventIds[0])).toBe(true);
  });

  test('?types=incident keeps only incident messages (an alarm display need not receive every card swipe); an unknown type is a 400 naming the field', async () => {
    const { hub, token, live } = await setUp();
    const alarms = await openSse(`${hub.http}/api/v1/live?types=incident`, { authorization: `Bearer ${token}` });
    streams.push(alarms);
    expect(alarms.status).toBe(200);
    await alarms.next((f) => f.event === 'hello', 5000, 'the hello frame');
    await press(hub, 'reader-1', 'access.granted', { data: { card: '0012345678' } });
    await press(hub, 'panic-1', 'alarm.panic', { seq: 7 });
    await alarms.next((f) => f.event === 'incident' && (JSON.parse(f.data) as Incident).kind === 'panic', 2000, 'the panic on the filtered feed');
    // The unfiltered feed got the card swipe and the panic event; the filtered one neither.
    await live.next((f) => f.event === 'event' && f.data.includes('access.granted'), 2000, 'the card swipe on the full feed');
    await live.next((f) => f.event === 'incident', 2000, 'the panic on the full feed');
    expect(alarms.frames.map((f) => f.event).filter((e) => e !== 'hello' && e !== 'incident')).toEqual([]);

    const bad = await fetch(`${hub.http}/api/v1/live?types=incident,bogus`, { headers: { accept: 'text/event-stream', authorization: `Bearer ${token}` } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/types/);
  });

  test('the live feed refuses a missing or bad token', async () => {
    const hub = await startTestHub();
    hubs.push(hub);
    const none = await openSse(`${hub.http}/api/v1/live`);
    streams.push(none);
    expect(none.status).toBe(401);
    const bad = await openSse(`${hub.http}/api/v1/live`, { authorization: 'Bearer not-a-token' });
    streams.push(bad);
    expect(bad.status).toBe(401);
    // The bearer token is no longer taken from the URL (it ends up in histories and logs).
    const token = await login(hub.http, 'guard1', 'guard1-test-pw');
    const inUrl = await openSse(`${hub.http}/api/v1/live?access_token=${encodeURIComponent(token)}`);
    streams.push(inUrl);
    expect(inUrl.status).toBe(401);
    const badTicket = await openSse(`${hub.http}/api/v1/live?ticket=not-a-ticket`);
    streams.push(badTicket);
    expect(badTicket.status).toBe(401);
  });
});

describe('acknowledge and resolve', () => {
  test('ack, resolve without a note (400 naming the field), resolve with a note, resolve again (409), unknown id (404)', async () => {
    const { hub, token, live } = await setUp();
    await press(hub, 'panic-2', 'alarm.panic', { ts: Date.now(), seq: 1 });
    const opened = await waitFor(() => incidentFrames(live).find((i) => i.change === 'opened' && i.kind === 'panic'), 1000, 'the opened frame');

    const ack = await postJson<Incident>(hub.http, `/api/v1/incidents/${opened.id}/ack`, token, { note: 'on my way' });
    expect(ack.status).toBe(200);
    expect(ack.body).toMatchObject({ id: opened.id, status: 'acknowledged', acknowledgedBy: 'guard1' });
    expect(typeof ack.body.acknowledgedAt).toBe('number');
    await waitFor(() => incidentFrames(live).find((i) => i.change === 'acknowledged' && i.id === opened.id), 1000, 'the acknowledged frame');
    expect(await incidents(hub, token, 'acknowledged')).toHaveLength(1);
    expect(await incidents(hub, token, 'open')).toHaveLength(0);

    const ackAgain = await postJson<ErrorBody>(hub.http, `/api/v1/incidents/${opened.id}/ack`, token, {});
    expect(ackAgain.status).toBe(409);
    expect(ackAgain.body.code).toBe('GH_INCIDENT_ALREADY_ACKNOWLEDGED');

    const noNote = await postJson<ErrorBody>(hub.http, `/api/v1/incidents/${opened.id}/resolve`, token, {});
    expect(noNote.status).toBe(400);
    expect(noNote.body.field).toBe('body.note');
    const emptyNote = await postJson<ErrorBody>(hub.http, `/api/v1/incidents/${opened.id}/resolve`, token, { note: '' });
    expect(emptyNote.status).toBe(400);
    expect(emptyNote.body.field).toBe('body.note');
    expect((await incidents(hub, token, 'acknowledged'))[0]?.id).toBe(opened.id); // still not resolved

    const resolved = await postJson<Incident>(hub.http, `/api/v1/incidents/${opened.id}/resolve`, token, { note: 'student pressed it by mistake; reset' });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ id: opened.id, status: 'resolved', resolvedBy: 'guard1', note: 'student pressed it by mistake; reset' });
    await waitFor(() => incidentFrames(live).find((i) => i.change === 'resolved' && i.id === opened.id), 1000, 'the resolved frame');
    expect(await incidents(hub, token, 'resolved')).toEqual([expect.objectContaining({ id: opened.id, status: 'resolved' })]);
    expect([...(await incidents(hub, token, 'open')), ...(await incidents(hub, token, 'acknowledged'))]).toEqual([]);

    const again = await postJson<ErrorBody>(hub.http, `/api/v1/incidents/${opened.id}/resolve`, token, { note: 'again' });
    expect(again.status).toBe(409);
    expect(again.body.code).toBe('GH_INCIDENT_RESOLVED');
    const ackResolved = await postJson<ErrorBody>(hub.http, `/api/v1/incidents/${opened.id}/ack`, token, {});
    expect(ackResolved.status).toBe(409);

    for (const path of ['/api/v1/incidents/no-such-incident/resolve', '/api/v1/incidents/no-such-incident/ack']) {
      const r = await postJson<ErrorBody>(hub.http, path, token, { note: 'x' });
      expect(r.status, path).toBe(404);
      expect(r.body.code).toBe('GH_INCIDENT_NOT_FOUND');
    }
    const get404 = await getJson<ErrorBody>(hub.http, '/api/v1/incidents/no-such-incident', token);
    expect(get404.status).toBe(404);

    // the timeline has the whole story
    const detail = await getJson<Incident & { timeline: { type: string; actor?: string }[] }>(hub.http, `/api/v1/incidents/${opened.id}`, token);
    expect(detail.body.timeline.map((t) => t.type)).toEqual(expect.arrayContaining(['acknowledged', 'resolved']));
  });

  test('one-click ack: POST /ack without a body (the note is optional) acknowledges', async () => {
    const { hub, token, live } = await setUp();
    await press(hub, 'panic-1', 'alarm.panic');
    const opened = await waitFor(() => incidentFrames(live).find((i) => i.change === 'opened' && i.kind === 'panic'), 1000, 'the opened frame');
    // The route declares its body Type.Optional and reads request.body?.note: no body must be fine.
    const res = await fetch(`${hub.http}/api/v1/incidents/${opened.id}/ack`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    const body = (await res.json()) as Incident | ErrorBody;
    expect(res.status, `POST /ack with no body: ${JSON.stringify(body)}`).toBe(200);
    expect(body).toMatchObject({ id: opened.id, status: 'acknowledged' });
  });

  test('a blank note does not resolve', async () => {
    const { hub, token, live } = await setUp();
    await press(hub, 'panic-2', 'alarm.panic');
    const opened = await waitFor(() => incidentFrames(live).find((i) => i.change === 'opened' && i.kind === 'panic'), 1000, 'the opened frame');
    const blank = await postJson<ErrorBody>(hub.http, `/api/v1/incidents/${opened.id}/resolve`, token, { note: '   ' });
    expect(blank.status).toBe(400);
    expect(await incidents(hub, token, 'open')).toEqual([expect.objectContaining({ id: opened.id })]);
  });

  test('an open incident can be resolved directly (with a note) without an ack', async () => {
    const { hub, token, live } = await setUp();
    await press(hub, 'panic-1', 'alarm.panic');
    const opened = await waitFor(() => incidentFrames(live).find((i) => i.change === 'opened' && i.kind === 'panic'), 1000, 'the opened frame');
    const resolved = await postJson<Incident>(hub.http, `/api/v1/incidents/${opened.id}/resolve`, token, { note: 'checked on camera' });
    expect(resolved.status).toBe(200);
    expect(resolved.body.status).toBe('resolved');
  });
});

describe('latching and folding', () => {
  test('alarm.cleared from the device is recorded but does not resolve the open panic incident', async () => {
    const { hub, token, live } = await setUp();
    const t0 = Date.now();
    await press(hub, 'panic-1', 'alarm.panic', { ts: t0, seq: 1 });
    const opened = await waitFor(() => incidentFrames(live).find((i) => i.change === 'opened' && i.kind === 'panic'), 1000, 'the opened frame');
    await press(hub, 'panic-1', 'alarm.cleared', { ts: t0 + 1000, seq: 2 });

    // the cleared event is stored (so it is committed before we look at the incident)
    const cleared = await getJson<{ items: { id: string }[] }>(hub.http, '/api/v1/events?kind=alarm.cleared', token);
    expect(cleared.body.items).toHaveLength(1);

    const open = await incidents(hub, token, 'open');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ id: opened.id, status: 'open', count: 1 });
    expect(open[0]!.resolvedAt).toBeUndefined();
    expect(await incidents(hub, token, 'resolved')).toEqual([]);
    expect(incidentFrames(live).filter((i) => i.change === 'resolved')).toEqual([]);

    const detail = await getJson<{ timeline: { type: string; eventKind?: string; eventId?: string }[] }>(hub.http, `/api/v1/incidents/${opened.id}`, token);
    expect(detail.body.timeline.some((t) => t.eventKind === 'alarm.cleared' && t.eventId === cleared.body.items[0]!.id)).toBe(true);

    // still latched after acknowledging and another cleared
    await postJson(hub.http, `/api/v1/incidents/${opened.id}/ack`, token, {});
    await press(hub, 'panic-1', 'alarm.cleared', { ts: t0 + 2000, seq: 3 });
    expect(await incidents(hub, token, 'acknowledged')).toEqual([expect.objectContaining({ id: opened.id, status: 'acknowledged' })]);
  });

  test('a second panic in the same zone while open folds into it (count 2); another zone opens its own', async () => {
    const { hub, token, live } = await setUp();
    await press(hub, 'panic-1', 'alarm.panic', { ts: Date.now(), seq: 1 });
    const opened = await waitFor(() => incidentFrames(live).find((i) => i.change === 'opened' && i.kind === 'panic'), 1000, 'the opened frame');
    await press(hub, 'panic-2', 'alarm.panic', { ts: Date.now(), seq: 1 });
    const folded = await waitFor(() => incidentFrames(live).find((i) => i.change === 'folded'), 1000, 'the folded frame');
    expect(folded).toMatchObject({ id: opened.id, count: 2 });

    const open = await incidents(hub, token, 'open');
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ id: opened.id, zoneId: 'building-a', count: 2, severity: 'critical' });
    expect(open[0]!.eventIds).toHaveLength(2);

    // a panic in another zone (the gate) is a separate incident (sensor-1: the gate's device that may raise one)
    await press(hub, 'sensor-1', 'alarm.panic', { ts: Date.now(), seq: 1 });
    const gate = await waitFor(() => incidentFrames(live).find((i) => i.change === 'opened' && i.kind === 'panic' && i.zoneId === 'gate'), 1000, 'the gate incident');
    expect(gate.id).not.toBe(opened.id);
    expect((await incidents(hub, token, 'open')).map((i) => [i.zoneId, i.count]).sort()).toEqual([
      ['building-a', 2],
      ['gate', 1],
    ]);
  });

  test('a panic after the incident was resolved opens a new incident', async () => {
    const { hub, token, live } = await setUp();
    await press(hub, 'panic-1', 'alarm.panic', { ts: Date.now(), seq: 1 });
    const first = await waitFor(() => incidentFrames(live).find((i) => i.change === 'opened' && i.kind === 'panic'), 1000, 'the first incident');
    expect((await postJson(hub.http, `/api/v1/incidents/${first.id}/resolve`, token, { note: 'false alarm' })).status).toBe(200);
    await press(hub, 'panic-1', 'alarm.panic', { ts: Date.now() + 1, seq: 2 });
    const second = await waitFor(() => incidentFrames(live).find((i) => i.change === 'opened' && i.kind === 'panic' && i.id !== first.id), 1000, 'a second incident');
    expect(second).toMatchObject({ status: 'open', count: 1 });
    expect((await incidents(hub, token, 'open')).map((i) => i.id)).toEqual([second.id]);
  });
});
