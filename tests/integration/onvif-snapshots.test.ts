import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OnvifCameraSimulator } from '../../simulators/onvif-camera/camera.ts';
import { startCameraHub } from '../helpers/onvif.ts';
import { getJson, login, waitFor, type TestHub } from '../helpers/hub.ts';
import { openSse } from '../helpers/sse.ts';
import { METRICS_AUTH } from '../helpers/hub.ts';

/**
 * Snapshots: an incident in a camera's zone gets a picture, served by the API;
 * a slow camera never delays the incident (facts in order, no durations).
 */
interface Snapshot { id: string; deviceId: string; takenAt: number; bytes: number; url: string }
interface Incident { id: string; kind: string; zoneId: string; snapshots?: Snapshot[] }

describe('ONVIF camera snapshots on incidents', () => {
  const cam = new OnvifCameraSimulator({ clockOffsetMs: 600_000 });
  let t: TestHub;
  let token: string;
  const open = async (kind: string) => (await getJson<{ items: Incident[] }>(t.http, '/api/v1/incidents?status=open', token)).body.items.find((i) => i.kind === kind);
  const detail = async (id: string) => (await getJson<Incident>(t.http, `/api/v1/incidents/${id}`, token)).body;

  beforeAll(async () => {
    await cam.start();
    t = await startCameraHub([{ id: 'cam-gate', port: cam.port, zone: 'gate', offlineAfter: 10 }]);
    token = await login(t.http, 'guard1', 'guard1-test-pw');
    await waitFor(async () => {
      const d = (await getJson<{ items: { id: string; link?: { state: string } }[] }>(t.http, '/api/v1/devices', token)).body.items.find((x) => x.id === 'cam-gate');
      return d?.link?.state === 'subscribed' ? true : undefined;
    }, 15_000, 'subscribed');
  });
  afterAll(async () => {
    await t?.stop();
    await cam.stop();
  });

  it('tamper opens an incident; the incident is there before the (slow) camera answers, and the snapshot follows', async () => {
    cam.slowSnapshotMs = 1_500; // slow, but within the 3 s a camera gets
    const live = await openSse(`${t.http}/api/v1/live`, { authorization: `Bearer ${token}` });
    cam.tamper(true);
    const incident = await waitFor(() => open('camera_tamper'), 10_000, 'tamper incident');
    // The camera is still producing the image while the incident is already committed and listed, with no snapshot yet.
    await waitFor(() => (cam.stats.snapshotsInFlight === 1 ? true : undefined), 5_000, 'snapshot being taken');
    expect((await detail(incident.id)).snapshots).toEqual([]);
    const withSnap = await waitFor(async () => {
      const d = await detail(incident.id);
      return d.snapshots && d.snapshots.length > 0 ? d : undefined;
    }, 10_000, 'snapshot attached');
    const snap = withSnap.snapshots![0]!;
    // The live feed told the console in the same order: the incident first, its snapshot after.
    const snapFrame = await live.next((f) => f.event === 'snapshot', 5_000, 'snapshot on the live feed');
    const openedFrame = live.frames.findIndex((f) => f.event === 'incident' && (JSON.parse(f.data) as { id: string }).id === incident.id);
    expect(openedFrame).toBeGreaterThanOrEqual(0);
    expect(openedFrame).toBeLessThan(live.frames.indexOf(snapFrame));
    expect(JSON.parse(snapFrame.data)).toMatchObject({ incidentId: incident.id, id: snap.id, deviceId: 'cam-gate' });
    live.close();
    expect(snap).toMatchObject({ deviceId: 'cam-gate', url: `/api/v1/incidents/${incident.id}/snapshots/${snap.id}` });
    expect(snap.bytes).toBeGreaterThan(100);

    // Served with the bearer token, and with a single-use ?ticket= for an <img> tag.
    const ticket = (await (await fetch(`${t.http}/api/v1/auth/ticket`, { method: 'POST', headers: { authorization: `Bearer ${token}` } })).json()) as { ticket: string };
    expect((await fetch(`${t.http}${snap.url}?access_token=${encodeURIComponent(token)}`)).status, 'no token in a URL').toBe(401);
    for (const res of [
      await fetch(`${t.http}${snap.url}`, { headers: { authorization: `Bearer ${token}` } }),
      await fetch(`${t.http}${snap.url}?ticket=${ticket.ticket}`),
    ]) {
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('image/jpeg');
      const bytes = Buffer.from(await res.arrayBuffer());
      expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
      expect(bytes.length).toBe(snap.bytes);
    }
    expect((await fetch(`${t.http}${snap.url}`)).status).toBe(401);
    expect((await getJson(t.http, `/api/v1/incidents/${incident.id}/snapshots/nope`, token)).status).toBe(404);
    const listed = await getJson<{ items: Snapshot[] }>(t.http, `/api/v1/incidents/${incident.id}/snapshots`, token);
    expect(listed.body.items.map((s) => s.id)).toEqual([snap.id]);
    // Kept on disk under <storage.dir>/snapshots.
    const day = new Date(snap.takenAt).toISOString().slice(0, 10);
    expect(existsSync(join(t.dataDir, 'snapshots', day, incident.id, `${snap.id}.jpg`))).toBe(true);
  });

  it('a camera slower than 3 s: the incident opens regardless, and no snapshot is attached', async () => {
    cam.slowSnapshotMs = 4_500;
    cam.videoLoss(true);
    const incident = await waitFor(() => open('camera_video_loss'), 10_000, 'video loss incident');
    expect((await detail(incident.id)).snapshots).toEqual([]);
    // The hub gives up on the camera: counted as a failed snapshot, logged with the incident.
    await waitFor(async () => {
      const metrics = await (await fetch(`${t.http}/metrics`, METRICS_AUTH)).text();
      return /gatehouse_snapshots_total\{outcome="failed"\} [1-9]/.test(metrics) ? true : undefined;
    }, 10_000, 'failed snapshot counted');
    expect(t.logs.some((l) => l['incidentId'] === incident.id && String(l['msg']).startsWith('no snapshot from cam-gate'))).toBe(true);
    await waitFor(() => (cam.stats.snapshotsInFlight === 0 ? true : undefined), 10_000, 'camera done');
    expect((await detail(incident.id)).snapshots).toEqual([]);
  });
});
