/**
 * Group robots (WeCom 企业微信, DingTalk 钉钉) over a running hub: who is told at
 * each escalation level, what the message says (in Chinese), and delivery
 * while a robot's endpoint is down, slow or refusing (from the outbox: nothing
 * lost, nothing twice, in order). The receiver is simulators/robots, which
 * checks DingTalk's 加签 signature and WeCom's key as the platforms do.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/core/clock.ts';
import { RobotReceiver, type ReceivedMessage } from '../../simulators/robots/robotReceiver.ts';
import { getJson, login, postJson, startHubFromYaml, tempDir, testConfigYaml, waitFor, type TestHub } from '../helpers/hub.ts';
import { ClientPool, eventPayload } from '../helpers/mqtt.ts';
import { RobotSink } from '../../src/uplink/sinks/robot.ts';
import type { OutboxRow } from '../../src/store/outbox.ts';

const GUARD_SECRET = 'SECguardroom-sign-secret-0123456789abcdef';
const PRINCIPAL_SECRET = 'SECprincipal-sign-secret-fedcba9876543210';
const CHIEF_KEY = '693a91f6-7xxx-4bc4-97a0-0ec2sifa5aaa';

interface SinkStatus { sink: string; state: string; depth: number; lastError: string | null; parked: { reason: string } | null }
interface Incident { id: string; kind: string; status: string; escalationLevel: number }

/** The test campus with Chinese names, a mobile per zone and named devices. */
function campusYaml(dataDir: string, extra: string): string {
  let yaml = testConfigYaml(dataDir, extra);
  const swaps: [string, string][] = [
    ['name: Test School', 'name: 示范中学'],
    ['{ id: gate, name: Gate, responsible: Wang }', '{ id: gate, name: 北门, responsible: 王强, mobile: "13800000001" }'],
    ['{ id: building-a, name: Building A, responsible: Li }', '{ id: building-a, name: 教学楼A, responsible: 李老师, mobile: "13800000002" }'],
    ['{ id: panic-1, profile: generic,', '{ id: panic-1, name: 教学楼A一楼报警按钮, profile: generic,'],
    ['{ id: sensor-1, profile: generic,', '{ id: sensor-1, name: 北门门磁, profile: generic,'],
  ];
  for (const [from, to] of swaps) {
    if (!yaml.includes(from)) throw new Error(`test config no longer has ${from}`);
    yaml = yaml.replace(from, to);
  }
  return yaml;
}

async function sinks(t: TestHub, token: string): Promise<SinkStatus[]> {
  return (await getJson<{ sinks: SinkStatus[] }>(t.http, '/api/v1/uplink', token)).body.sinks;
}

/** Every robot has worked through its outbox (sent, or skipped as not its business). */
async function settled(t: TestHub, token: string): Promise<void> {
  await waitFor(async () => ((await sinks(t, token)).every((s) => s.depth === 0 && s.state === 'idle') ? true : undefined), 15_000, 'robots settled');
}

const idOf = (m: ReceivedMessage): string | undefined => /编号：(\S+)/.exec(m.text)?.[1];

describe('group robots: escalation levels, Chinese text, outages', () => {
  const clock = new ManualClock(Date.now());
  const pool = new ClientPool();
  const guardroom = new RobotReceiver({ dingtalk: { token: 'guardroom-token', secret: GUARD_SECRET } });
  const chief = new RobotReceiver({ wecom: { key: CHIEF_KEY } });
  const principal = new RobotReceiver({ dingtalk: { token: 'principal-token', secret: PRINCIPAL_SECRET, keywords: ['示范中学'] } });
  const dir = tempDir();
  let t: TestHub;
  let guard: string;

  beforeAll(async () => {
    await Promise.all([guardroom.start(), chief.start(), principal.start()]);
    const extra = `
notifiers:
  - { id: guardroom, kind: dingtalk, url: "${guardroom.dingtalkUrl()}", secret: "${GUARD_SECRET}" }
  - { id: chief, kind: wecom, url: "${chief.wecomUrl()}", fromLevel: 1, hazards: false }
  - { id: principal, kind: dingtalk, url: "${principal.dingtalkUrl()}", secret: "${PRINCIPAL_SECRET}", fromLevel: 2, minSeverity: critical, hazards: false }
incidents: { escalateAfter: { critical: 30, high: 120 } }
procedures:
  panic:
    - 派最近的保安到场
    - 通知校长和派出所
`;
    t = await startHubFromYaml(campusYaml(dir.path, extra), dir.path, dir.remove, { clock, tickMs: 3_600_000 });
    guard = await login(t.http, 'guard1', 'guard1-test-pw');
  });
  afterAll(async () => {
    pool.closeAll();
    await t?.stop();
    await Promise.all([guardroom.stop(), chief.stop(), principal.stop()]);
  });

  it('level 0 tells the guard room; level 1 adds the security chief; level 2 the principal; acknowledging stops it', async () => {
    const button = await pool.connect(t.mqtt, 'panic-1');
    await button.publishAsync('devices/panic-1/events', eventPayload('alarm.panic', { seq: 1 }), { qos: 1 });
    const opened = await waitFor(() => guardroom.received()[0], 5000, 'the guard room told of the panic');
    await settled(t, guard);
    expect(chief.received()).toHaveLength(0);
    expect(principal.received()).toHaveLength(0);

    // What the guard room reads: kind, zone and its responsible person, the device by name, what to do.
    expect(opened.title).toBe('【告警】示范中学：一键报警');
    expect(opened.text).toContain('- 级别：紧急');
    expect(opened.text).toContain('- 区域：教学楼A（责任人 李老师）');
    expect(opened.text).toContain('- 设备：教学楼A一楼报警按钮（panic-1）');
    expect(opened.text).toContain('- 处置：1. 派最近的保安到场；2. 通知校长和派出所');
    expect(opened.text).toContain('请在值班室控制台点击“确认”');
    expect(opened.text).toMatch(/- 时间：\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/);
    expect(opened.text.endsWith('@13800000002')).toBe(true);
    expect(opened.atMobiles).toEqual(['13800000002']);
    // The URL carries the signature, never the secret.
    expect(opened.url).toMatch(/[?&]timestamp=\d+&sign=[^&]+$/);
    expect(opened.url).not.toContain(GUARD_SECRET);
    const incidentId = idOf(opened)!;
    expect(incidentId).toBeTruthy();

    clock.advance(31_000);
    t.hub.supervise();
    const level1 = await waitFor(() => chief.received()[0], 5000, 'the chief told at level 1');
    await settled(t, guard);
    expect(guardroom.received().map((m) => m.title)).toEqual(['【告警】示范中学：一键报警', '【升级·第1级】示范中学：一键报警']);
    expect(principal.received()).toHaveLength(0);
    expect(level1.text).toContain('### 【升级·第1级】示范中学：一键报警');
    expect(level1.text).toContain('- 升级：已31秒无人确认');
    expect(level1.text).toContain('<@13800000002>'); // WeCom's markdown mention
    expect(idOf(level1)).toBe(incidentId);

    clock.advance(30_000);
    t.hub.supervise();
    const level2 = await waitFor(() => principal.received()[0], 5000, 'the principal told at level 2');
    await settled(t, guard);
    expect(level2.title).toBe('【升级·第2级】示范中学：一键报警');
    expect(level2.text).toContain('- 升级：已61秒无人确认');
    expect(guardroom.received()).toHaveLength(3);
    expect(chief.received().map((m) => /### (.*)/.exec(m.text)?.[1])).toEqual(['【升级·第1级】示范中学：一键报警', '【升级·第2级】示范中学：一键报警']);

    expect((await postJson(t.http, `/api/v1/incidents/${incidentId}/ack`, guard, {})).status).toBe(200);
    clock.advance(120_000);
    t.hub.supervise();
    await settled(t, guard);
    expect([guardroom.received().length, chief.received().length, principal.received().length]).toEqual([3, 2, 1]);
    for (const r of [guardroom, chief, principal]) expect(r.refused).toEqual({});
  });

  it('while the guard-room robot is refused, failing or slow, alarms wait in the outbox and arrive once each, in order', async () => {
    const before = guardroom.received().length;
    await guardroom.setMode('down');
    const sensor = await pool.connect(t.mqtt, 'sensor-1');
    const panic2 = await pool.connect(t.mqtt, 'panic-2');
    await sensor.publishAsync('devices/sensor-1/events', eventPayload('door.forced', { seq: 1 }), { qos: 1 });
    await panic2.publishAsync('devices/panic-2/events', eventPayload('door.forced', { seq: 1 }), { qos: 1 });
    await panic2.publishAsync('devices/panic-2/events', eventPayload('camera.tamper', { seq: 2 }), { qos: 1 });
    const refused = await waitFor(async () => {
      const s = (await sinks(t, guard)).find((x) => x.sink === 'guardroom')!;
      return s.depth === 3 && /ECONNREFUSED/.test(s.lastError ?? '') ? s : undefined;
    }, 10_000, 'three alarms waiting, connection refused');
    expect(refused.parked).toBeNull(); // a dead endpoint is retried, not parked

    await guardroom.setMode('error500');
    await waitFor(async () => (/HTTP 500/.test((await sinks(t, guard)).find((x) => x.sink === 'guardroom')!.lastError ?? '') ? true : undefined), 15_000, 'HTTP 500 seen');
    expect(guardroom.received()).toHaveLength(before);

    await guardroom.setMode('slow', { delayMs: 300 }); // slower than usual, well inside the hub's timeout
    await settled(t, guard);
    const arrived = guardroom.received().slice(before);
    expect(arrived.map((m) => m.title)).toEqual(['【告警】示范中学：门被强行打开', '【告警】示范中学：门被强行打开', '【告警】示范中学：摄像机被遮挡或破坏']);
    expect(arrived[0]!.text).toContain('- 区域：北门（责任人 王强）');
    expect(arrived[0]!.text).toContain('- 设备：北门门磁（sensor-1）');
    expect(arrived[0]!.text).toContain('- 处置：派保安到门口查看是否有人闯入');
    expect(arrived[1]!.text).toContain('- 设备：panic-2'); // a device without a name is named by its id
    expect(new Set(arrived.map(idOf)).size).toBe(3);
    // The chief hears only escalations, and these are not (yet) escalated.
    expect(chief.received()).toHaveLength(2);
    await guardroom.setMode('up');
  });
});

describe('group robots that refuse the hub: a wrong 加签 secret, a wrong WeCom key', () => {
  const clock = new ManualClock(Date.now());
  const pool = new ClientPool();
  const RIGHT = 'SECthe-right-secret-0123456789abcdef0123';
  const WRONG = 'SECa-stale-secret-from-an-old-robot-9876';
  const WRONG_KEY = 'ffffffff-0000-4bc4-97a0-0ec2sifa5bbb';
  const ding = new RobotReceiver({ dingtalk: { token: 'ding-token', secret: RIGHT } });
  const wecom = new RobotReceiver({ wecom: { key: CHIEF_KEY } });
  const dir = tempDir();
  let t: TestHub;
  let guard: string;

  beforeAll(async () => {
    await Promise.all([ding.start(), wecom.start()]);
    const extra = `
notifiers:
  - { id: ding-bad-secret, kind: dingtalk, url: "${ding.dingtalkUrl()}", secret: "${WRONG}", zones: [gate] }
  - { id: wecom-bad-key, kind: wecom, url: "${wecom.wecomUrl(WRONG_KEY)}", zones: [gate] }
`;
    t = await startHubFromYaml(campusYaml(dir.path, extra), dir.path, dir.remove, { clock, tickMs: 3_600_000 });
    guard = await login(t.http, 'guard1', 'guard1-test-pw');
  });
  afterAll(async () => {
    pool.closeAll();
    await t?.stop();
    await Promise.all([ding.stop(), wecom.stop()]);
  });

  it('each is parked with a clear reason on /healthz and in the log (never the secret or key), and the guard room gets an incident', async () => {
    const sensor = await pool.connect(t.mqtt, 'sensor-1');
    await sensor.publishAsync('devices/sensor-1/events', eventPayload('door.forced', { seq: 1 }), { qos: 1 });
    const health = await waitFor(async () => {
      const body = (await (await fetch(`${t.http}/healthz`)).json()) as { status: string; warnings?: string[] };
      return (body.warnings ?? []).filter((w) => w.startsWith('uplink:')).length === 2 ? body : undefined;
    }, 10_000, 'both robots parked on /healthz');
    expect(health.status).toBe('ok');
    expect(health.warnings).toEqual(
      expect.arrayContaining([
        'uplink: notifier ding-bad-secret (dingtalk) rejects our messages — check its webhook url and 加签 secret (errcode 310000: sign not match)',
        'uplink: notifier wecom-bad-key (wecom) rejects our messages — check its webhook url (errcode 93000: invalid webhook url)',
      ]),
    );
    expect(ding.refused).toEqual({ bad_sign: 1 });
    expect(wecom.refused).toEqual({ bad_key: 1 });
    expect(ding.received()).toHaveLength(0);

    const errors = t.logs.filter((l) => l['level'] === 50 && typeof l['msg'] === 'string' && String(l['msg']).includes('rejects our messages'));
    expect(errors.map((l) => l['sink']).sort()).toEqual(['ding-bad-secret', 'wecom-bad-key']);
    const everything = JSON.stringify(t.logs);
    for (const secret of [WRONG, RIGHT, WRONG_KEY, CHIEF_KEY, 'ding-token', 'sign=']) expect(everything).not.toContain(secret);

    // One incident for the guard room (the second refusal folds into it).
    const incidents = await getJson<{ items: (Incident & { count: number; title: string })[] }>(t.http, '/api/v1/incidents?status=open', guard);
    const rejected = incidents.body.items.filter((i) => i.kind === 'uplink_rejected');
    expect(rejected).toHaveLength(1);
    expect(rejected[0]).toMatchObject({ count: 2, title: expect.stringMatching(/^notifier (ding-bad-secret|wecom-bad-key) \((dingtalk|wecom)\) rejects our messages/) });
  });

  it('a hub clock more than an hour off is refused as a stale timestamp', async () => {
    const stale = new RobotReceiver({ dingtalk: { token: 'ding-token', secret: RIGHT }, now: () => Date.now() + 2 * 3600_000 });
    await stale.start();
    try {
      const res = await fetch(`${stale.dingtalkUrl()}&timestamp=${Date.now()}&sign=x`, { method: 'POST', body: JSON.stringify({ msgtype: 'markdown', markdown: { title: 't', text: 't' } }) });
      expect(await res.json()).toEqual({ errcode: 310000, errmsg: 'invalid timestamp' });
      expect(stale.refused).toEqual({ stale_timestamp: 1 });
    } finally {
      await stale.stop();
    }
  });
});

describe('a long checklist against WeCom\'s 4096-byte limit', () => {
  it('the receiver refuses over 4096 bytes (errcode 40058); the hub cuts its text to fit and is accepted', async () => {
    const wecom = new RobotReceiver({ wecom: { key: CHIEF_KEY } });
    await wecom.start();
    const sink = new RobotSink({
      config: { id: 'chief', kind: 'wecom', url: wecom.wecomUrl(), minSeverity: 'high', hazards: false, fromLevel: 0 },
      zones: new Map([['gate', { name: '北门', responsible: '王强', mobile: '13800000001' }]]),
      campusName: '示范中学',
      timeZone: 'Asia/Shanghai',
      deviceName: () => undefined,
      timeoutMs: 3000,
      now: Date.now,
    });
    try {
      const tooLong = await fetch(wecom.wecomUrl(), { method: 'POST', body: JSON.stringify({ msgtype: 'markdown', markdown: { content: '步'.repeat(1400) } }) });
      expect(await tooLong.json()).toEqual({ errcode: 40058, errmsg: 'markdown.content exceed max length 4096' });
      const procedure = Array.from({ length: 60 }, (_, i) => ({ step: `第${i + 1}步：按应急预案逐项核实并记录处置情况`, mandatory: true }));
      const row = { seq: 1, type: 'incident.opened', at: Date.now(), urgent: true, zoneId: 'gate', payload: { id: 'inc-long', kind: 'panic', severity: 'critical', openedAt: Date.now(), procedure } } as OutboxRow;
      expect(await sink.send(row, new AbortController().signal)).toEqual({ ok: true });
      const got = wecom.received()[0]!;
      expect(Buffer.byteLength(got.text, 'utf8')).toBeLessThanOrEqual(4096);
      expect(got.text).toContain('…');
      expect(got.text.endsWith('<@13800000001>')).toBe(true); // the mention survives the cut
    } finally {
      await sink.close();
      await wecom.stop();
    }
  });
});
