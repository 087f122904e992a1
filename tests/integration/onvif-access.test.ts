/**
 * ONVIF Profile C end to end: a simulated access controller (the camera
 * simulator with doors and access points, over HTTP/SOAP) and the hub's ONVIF
 * transport subscribed to it. At connect the hub reads the door and access
 * point lists (tdc:GetDoorInfoList, tac:GetAccessPointInfoList, paged one item
 * at a time here), so a forced door is "北门 (Door_1)" in the event, the incident
 * and the group robot's message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OnvifCameraSimulator } from '../../simulators/onvif-camera/camera.ts';
import { RobotReceiver } from '../../simulators/robots/robotReceiver.ts';
import { getJson, login, startHubFromYaml, tempDir, testConfigYaml, waitFor, type TestHub } from '../helpers/hub.ts';

interface Device { id: string; online: boolean; link?: { state: string; inventory?: { doors: number; accessPoints: number } | null } }
interface Event { kind: string; deviceId: string; data: Record<string, unknown> }
interface Incident { id: string; kind: string; severity: string; zoneId: string; deviceId?: string; data: Record<string, unknown> }

const access = {
  doors: [
    { token: 'Door_1', name: '北门', description: '北门主入口' },
    { token: 'Door_2', name: '南门' },
  ],
  accessPoints: [
    { token: 'AccessPoint_1', name: '北门入口', door: 'Door_1' },
    { token: 'AccessPoint_2', name: '南门入口', door: 'Door_2' },
  ],
  maxLimit: 1, // one item per page: the hub must follow NextStartReference
};

describe('ONVIF Profile C access controller through the running hub', () => {
  const controller = new OnvifCameraSimulator({ access, info: { model: 'SimDoor C1' } });
  const bare = new OnvifCameraSimulator({ info: { model: 'SimDoor without lists' } }); // events, but no Door Control service
  const robot = new RobotReceiver({ dingtalk: { token: 'guardroom', secret: 'SECdoor-robot-secret-0123456789' } });
  const dir = tempDir('gatehouse-onvif-access-');
  let t: TestHub;
  let token: string;
  const device = async (id: string) => (await getJson<{ items: Device[] }>(t.http, '/api/v1/devices', token)).body.items.find((d) => d.id === id)!;
  const events = async (id: string) => (await getJson<{ items: Event[] }>(t.http, `/api/v1/events?deviceId=${id}&limit=100`, token)).body.items;

  beforeAll(async () => {
    await Promise.all([controller.start(), bare.start(), robot.start()]);
    const onvif = (port: number) => JSON.stringify({ host: '127.0.0.1', port, username: 'admin', password: 'admin123' });
    const yaml = testConfigYaml(
      dir.path,
      `notifiers:\n  - { id: guardroom, kind: dingtalk, url: "${robot.dingtalkUrl()}", secret: "SECdoor-robot-secret-0123456789" }\n`,
    ).replace(
      'devices:\n',
      `devices:\n  - { id: door-ctl-1, name: 门禁控制器1, profile: onvif-access, zone: gate, role: card-reader, offlineAfter: 30, onvif: ${onvif(controller.port)} }\n` +
        `  - { id: door-ctl-2, profile: onvif-access, zone: building-a, role: card-reader, offlineAfter: 30, onvif: ${onvif(bare.port)} }\n`,
    );
    t = await startHubFromYaml(yaml, dir.path, dir.remove);
    token = await login(t.http, 'guard1', 'guard1-test-pw');
    await waitFor(async () => ((await device('door-ctl-1')).link?.state === 'subscribed' && (await device('door-ctl-2')).link?.state === 'subscribed' ? true : undefined), 15_000, 'both subscribed');
  });
  afterAll(async () => {
    await t?.stop();
    await Promise.all([controller.stop(), bare.stop(), robot.stop()]);
  });

  it('reads the door and access point lists at connect, page by page', async () => {
    const d = await device('door-ctl-1');
    expect(d.online).toBe(true);
    expect(d.link!.inventory).toEqual({ doors: 2, accessPoints: 2 });
    expect(t.logs.some((l) => l['deviceId'] === 'door-ctl-1' && l['msg'] === 'access controller door-ctl-1: 2 door(s), 2 access point(s)')).toBe(true);
  });

  it('door forced → a door_forced incident naming the door; the robot says which door', async () => {
    controller.door('DoorForcedOpen', 'Door_1');
    const forced = await waitFor(async () => (await events('door-ctl-1')).find((e) => e.kind === 'door.forced'), 10_000, 'door.forced');
    expect(forced.data).toMatchObject({ door: '北门 (Door_1)', doorToken: 'Door_1', topic: 'tns1:Door/State/DoorAlarm' });
    const incident = await waitFor(
      async () => (await getJson<{ items: Incident[] }>(t.http, '/api/v1/incidents?status=open', token)).body.items.find((i) => i.kind === 'door_forced' && i.zoneId === 'gate'),
      5000,
      'door_forced incident',
    );
    expect(incident).toMatchObject({ severity: 'high', deviceId: 'door-ctl-1', data: { door: '北门 (Door_1)' } });
    const told = await waitFor(() => robot.received()[0], 5000, 'the robot told');
    expect(told.title).toBe('【告警】Test School：门被强行打开');
    expect(told.text).toContain('- 设备：门禁控制器1（door-ctl-1）');
    expect(told.text).toContain('- 门：北门 (Door_1)');
  });

  it('held open and closed again → door.held_open and door.closed, on the other door', async () => {
    controller.doorPhysical('Open', 'Door_2');
    controller.door('DoorOpenTooLong', 'Door_2');
    controller.doorPhysical('Closed', 'Door_2');
    const got = await waitFor(async () => {
      const list = await events('door-ctl-1');
      return list.some((e) => e.kind === 'door.closed') ? list : undefined;
    }, 10_000, 'held open then closed');
    expect(got.find((e) => e.kind === 'door.held_open')!.data).toMatchObject({ door: '南门 (Door_2)', doorToken: 'Door_2' });
    expect(got.find((e) => e.kind === 'door.closed')!.data).toMatchObject({ door: '南门 (Door_2)' });
  });

  it('access granted and denied → access events naming the access point and its door', async () => {
    controller.access(true, 'C17', 'AccessPoint_1', '张三');
    controller.access(false, '0099887766', 'AccessPoint_2');
    const got = await waitFor(async () => {
      const list = await events('door-ctl-1');
      return list.some((e) => e.kind === 'access.granted') && list.some((e) => e.kind === 'access.denied') ? list : undefined;
    }, 10_000, 'granted and denied');
    expect(got.find((e) => e.kind === 'access.granted')!.data).toMatchObject({ accessPoint: '北门入口 (AccessPoint_1)', accessPointToken: 'AccessPoint_1', door: '北门 (Door_1)', credential: 'C17', name: '张三' });
    expect(got.find((e) => e.kind === 'access.denied')!.data).toMatchObject({ accessPoint: '南门入口 (AccessPoint_2)', door: '南门 (Door_2)', card: '0099887766' });
  });

  it('a controller without the lists: said once in the log, its events named by token', async () => {
    const d = await device('door-ctl-2');
    expect(d.link!.inventory).toBeNull();
    expect(t.logs.filter((l) => l['deviceId'] === 'door-ctl-2' && String(l['msg']).includes('did not give its door and access point lists'))).toHaveLength(1);
    bare.door('DoorForcedOpen');
    bare.access(false, '0011223344');
    const got = await waitFor(async () => {
      const list = await events('door-ctl-2');
      return list.some((e) => e.kind === 'door.forced') && list.some((e) => e.kind === 'access.denied') ? list : undefined;
    }, 10_000, 'events from the bare controller');
    expect(got.find((e) => e.kind === 'door.forced')!.data).toMatchObject({ door: 'Door_1', doorToken: 'Door_1' });
    expect(got.find((e) => e.kind === 'access.denied')!.data).toMatchObject({ accessPoint: 'AccessPoint_1', accessPointToken: 'AccessPoint_1' });
  });
});
