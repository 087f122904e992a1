import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { OnvifCameraSimulator } from '../../simulators/onvif-camera/camera.ts';
import { startCameraHub, cameraYaml } from '../helpers/onvif.ts';
import { getJson, login, tempDir, testConfigYaml, waitFor, type TestHub } from '../helpers/hub.ts';

/**
 * The full path against the simulated camera: a camera clock 10 minutes fast,
 * subscriptions of 10 s that only Renew extends, events in, incidents out.
 */
interface Device { id: string; online: boolean; link?: { state: string; subscription: { renewals: number } | null; subscriptionsCreated: number; clockOffsetSeconds: number } }
interface Event { kind: string; deviceId: string; ts: number; receivedAt: number; data: Record<string, unknown> }

describe('ONVIF camera: events through a renewed PullPoint subscription', () => {
  const sim = new OnvifCameraSimulator({ clockOffsetMs: 600_000, maxTerminationS: 10, requireRenew: true });
  const plain = new OnvifCameraSimulator({ pullPoint: false, info: { model: 'NoEvents 1' } });
  let t: TestHub;
  let token: string;
  const device = async (id: string) => (await getJson<{ items: Device[] }>(t.http, '/api/v1/devices', token)).body.items.find((d) => d.id === id)!;
  const events = async (id: string) => (await getJson<{ items: Event[] }>(t.http, `/api/v1/events?deviceId=${id}&limit=500`, token)).body.items;

  beforeAll(async () => {
    await sim.start();
    await plain.start();
    // Video already lost before the hub subscribes: a state at the synchronization point, not a new alarm.
    sim.videoLoss(true);
    t = await startCameraHub([
      { id: 'cam-north', port: sim.port, offlineAfter: 30, inputs: [{ token: 'DI_1', kind: 'alarm.panic' }] },
      { id: 'cam-plain', port: plain.port, offlineAfter: 30 },
    ]);
    token = await login(t.http, 'guard1', 'guard1-test-pw');
  });
  afterAll(async () => {
    await t?.stop();
    await sim.stop();
    await plain.stop();
  });

  it('subscribes despite the clock offset and keeps the subscription through renewals', async () => {
    const d = await waitFor(async () => {
      const x = await device('cam-north');
      return x.link?.state === 'subscribed' && (x.link.subscription?.renewals ?? 0) >= 2 ? x : undefined;
    }, 30_000, 'two renewals');
    expect(d.online).toBe(true);
    expect(Math.abs(d.link!.clockOffsetSeconds - 600)).toBeLessThan(2);
    // Renewed, never lost: one subscription, none expired at the camera.
    expect(d.link!.subscriptionsCreated).toBe(1);
    expect(sim.events.stats.expired).toBe(0);
    expect(sim.events.stats.renewed).toBeGreaterThanOrEqual(2);
  });

  it('turns motion and tamper into events, with times corrected for the camera clock', async () => {
    sim.motion(true);
    sim.tamper(true);
    const got = await waitFor(async () => {
      const list = await events('cam-north');
      return list.some((e) => e.kind === 'camera.tamper') && list.some((e) => e.kind === 'camera.motion') ? list : undefined;
    }, 10_000, 'motion and tamper');
    for (const e of got.filter((x) => x.kind.startsWith('camera.'))) {
      // The camera stamps its own clock (10 minutes fast); the event carries the hub's time.
      expect(Math.abs(e.ts - e.receivedAt)).toBeLessThan(60_000);
    }
    expect(got.find((e) => e.kind === 'camera.motion')!.data).toMatchObject({ topic: 'tns1:RuleEngine/CellMotionDetector/Motion' });
    // Video loss was already on at the synchronization point: state only.
    expect(got.some((e) => e.kind === 'camera.video_loss')).toBe(false);
    const incidents = (await getJson<{ items: { kind: string }[] }>(t.http, '/api/v1/incidents?status=open', token)).body.items;
    expect(incidents.map((i) => i.kind)).toContain('camera_tamper');
    expect(incidents.map((i) => i.kind)).not.toContain('camera_video_loss');
  });

  it('maps the alarm input to a panic; the release is recorded as alarm.cleared', async () => {
    sim.input('DI_1', true);
    sim.input('DI_1', false);
    const got = await waitFor(async () => {
      const list = await events('cam-north');
      return list.some((e) => e.kind === 'alarm.cleared') ? list : undefined;
    }, 10_000, 'panic and clear');
    expect(got.filter((e) => e.kind === 'alarm.panic')).toHaveLength(1);
    const incidents = (await getJson<{ items: { kind: string; severity: string }[] }>(t.http, '/api/v1/incidents?status=open', token)).body.items;
    expect(incidents.find((i) => i.kind === 'panic')?.severity).toBe('critical');
  });

  it('logs an unknown topic once per camera, as a fixture', async () => {
    sim.raw('tns1:Monitoring/ProcessorUsage', { Token: 'CPU' }, { Value: '40' });
    sim.raw('tns1:Monitoring/ProcessorUsage', { Token: 'CPU' }, { Value: '41' });
    sim.lineCrossed(); // after both: once it is stored, the two unknown messages were decoded
    await waitFor(async () => ((await events('cam-north')).some((e) => e.kind === 'camera.intrusion') ? true : undefined), 10_000, 'line crossed');
    const lines = t.logs.filter((l) => String(l['msg']).includes('tns1:Monitoring/ProcessorUsage'));
    expect(lines).toHaveLength(1);
    expect(lines[0]!['fixture']).toMatchObject({ channel: 'notification', payload: { topic: 'tns1:Monitoring/ProcessorUsage', data: { Value: '40' } }, expect: [] });
  });

  it('a camera without PullPoint is reported once and watched for health', async () => {
    const d = await waitFor(async () => {
      const x = await device('cam-plain');
      return x.link?.state === 'no-pullpoint' && x.online ? x : undefined;
    }, 15_000, 'no-pullpoint state');
    expect(d.link).toMatchObject({ state: 'no-pullpoint' });
    expect(t.logs.filter((l) => String(l['msg']).includes('cam-plain gives no events'))).toHaveLength(1);
  });

  it('`gatehouse discover` lists the camera and says the config has it', async () => {
    const dir = tempDir('gatehouse-discover-');
    try {
      const file = join(dir.path, 'campus.yaml');
      writeFileSync(file, testConfigYaml(dir.path).replace('devices:\n', `devices:\n${cameraYaml({ id: 'cam-north', port: sim.port })}`));
      const bin = new URL('../../src/bin.js', import.meta.url).pathname;
      const { stdout } = await promisify(execFile)(process.execPath, [bin, 'discover', '--target', `127.0.0.1:${sim.discoveryPort}`, '--timeout', '1', '--config', file, '--json']);
      const found = JSON.parse(stdout) as { address: string; model: string; configuredAs: string | null }[];
      expect(found).toEqual([expect.objectContaining({ address: `127.0.0.1:${sim.port}`, model: 'SimCam 1000', configuredAs: 'cam-north' })]);
    } finally {
      dir.remove();
    }
  });
});
