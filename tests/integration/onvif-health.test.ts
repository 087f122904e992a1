import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnvifCameraSimulator } from '../../simulators/onvif-camera/camera.ts';
import { startCameraHub } from '../helpers/onvif.ts';
import { getJson, login, waitFor, type TestHub } from '../helpers/hub.ts';

/** Health: a camera that is unplugged and plugged back, and one that refuses our credentials. */
interface Device { id: string; online: boolean; link?: { state: string; subscriptionsCreated: number; clockOffsetSeconds: number; lastError?: string } }
interface Event { kind: string; deviceId: string; data: Record<string, unknown>; receivedAt: number }

describe('ONVIF camera health', () => {
  const cam = new OnvifCameraSimulator({ clockOffsetMs: 600_000, maxTerminationS: 10, requireRenew: true });
  const locked = new OnvifCameraSimulator({ password: 'the-real-password' });
  let t: TestHub;
  let token: string;
  const device = async (id: string) => (await getJson<{ items: Device[] }>(t.http, '/api/v1/devices', token)).body.items.find((d) => d.id === id)!;
  const events = async (id: string) => (await getJson<{ items: Event[] }>(t.http, `/api/v1/events?deviceId=${id}&limit=500`, token)).body.items;

  beforeAll(async () => {
    await cam.start();
    await locked.start();
    t = await startCameraHub([
      { id: 'cam-gate', port: cam.port, offlineAfter: 3 },
      { id: 'cam-locked', port: locked.port, password: 'admin123', offlineAfter: 3 },
    ]);
    token = await login(t.http, 'guard1', 'guard1-test-pw');
  });
  afterAll(async () => {
    await t?.stop();
    await cam.stop();
    await locked.stop();
  });

  it('wrong credentials: one clear fault, offline, no retry storm', async () => {
    const fault = await waitFor(async () => (await events('cam-locked')).find((e) => e.kind === 'device.fault'), 15_000, 'credentials fault');
    expect(String(fault.data['reason'])).toMatch(/^camera cam-locked refused the credentials/);
    const d = await device('cam-locked');
    expect(d.online).toBe(false);
    expect(d.link?.state).toBe('auth-failed');
    // Each attempt is two refusals (one retry after re-reading the clock), then a back-off of 30 s, doubling:
    // a few in the life of this test, never a storm.
    expect(locked.stats.authFailures).toBeLessThanOrEqual(6);
    expect((await events('cam-locked')).filter((e) => e.kind === 'device.fault')).toHaveLength(1);
    expect((await fetch(`${t.http}/healthz`)).status).toBe(200);
  });

  it('unplugged: offline with the cause named; replugged (rebooted, another clock): back by itself, subscription re-created', async () => {
    await waitFor(async () => ((await device('cam-gate')).link?.state === 'subscribed' ? true : undefined), 15_000, 'subscribed');
    await cam.die('refuse');
    await waitFor(async () => ((await device('cam-gate')).online === false ? true : undefined), 15_000, 'offline');
    const fault = await waitFor(async () => (await events('cam-gate')).find((e) => e.kind === 'device.fault'), 10_000, 'fault');
    expect(String(fault.data['reason'])).toMatch(/^camera cam-gate not answering/);

    // It comes back after a reboot with its clock 5 minutes slow instead of 10 fast.
    await cam.revive({ clockOffsetMs: -300_000 });
    const back = await waitFor(async () => {
      const d = await device('cam-gate');
      return d.online && d.link?.state === 'subscribed' && d.link.subscriptionsCreated >= 2 ? d : undefined;
    }, 20_000, 'back online');
    expect(Math.abs(back.link!.clockOffsetSeconds + 300)).toBeLessThan(2);
    cam.motion(true);
    await waitFor(async () => ((await events('cam-gate')).some((e) => e.kind === 'camera.motion') ? true : undefined), 10_000, 'motion after revive');
    // In the order the hub received them (event times are the camera's, corrected to about a second).
    const list = (await events('cam-gate')).sort((a, b) => a.receivedAt - b.receivedAt);
    const at = (kind: string, last = false) => (last ? list.findLastIndex((e) => e.kind === kind) : list.findIndex((e) => e.kind === kind));
    expect(at('device.offline')).toBeLessThan(at('device.online', true));
    expect(at('device.online', true)).toBeLessThan(at('camera.motion'));
  });

  it('a hung camera (accepts, never answers) also goes offline and returns', async () => {
    await cam.die('silent');
    await waitFor(async () => ((await device('cam-gate')).online === false ? true : undefined), 20_000, 'offline (hung)');
    await cam.revive();
    await waitFor(async () => {
      const d = await device('cam-gate');
      return d.online && d.link?.state === 'subscribed' ? true : undefined;
    }, 20_000, 'back (hung)');
  });

});
