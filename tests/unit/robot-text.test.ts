import { describe, expect, it } from 'vitest';
import { profileRegistry } from '../../devices/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import { capBytes, robotText, type RobotTextContext } from '../../src/uplink/robotText.ts';
import { RobotSink } from '../../src/uplink/sinks/robot.ts';
import type { OutboxRow } from '../../src/store/outbox.ts';

const yaml = (notifier: string) => `
campus: { id: s, name: 示范中学 }
zones: [ { id: z1, name: 北门 } ]
devices: []
notifiers:
  - ${notifier}
`;

const errorsOf = (text: string): readonly string[] => {
  const r = parseConfig(text, { profiles: profileRegistry, env: {} });
  return r.ok ? [] : r.errors;
};

const ctx: RobotTextContext = {
  campusName: '示范中学',
  timeZone: 'Asia/Shanghai',
  zones: new Map([['z1', { name: '北门', responsible: '王强', mobile: '13800000001' }]]),
  deviceName: (id) => (id === 'door-1' ? '北门门禁' : undefined),
};

const row = (type: string, payload: Record<string, unknown>, at = Date.UTC(2026, 11, 4, 0, 0, 31)): OutboxRow =>
  ({ seq: 1, type, at, payload, urgent: false, zoneId: 'z1' }) as OutboxRow;

describe('notifiers: fromLevel', () => {
  it('defaults to 0 and takes a level', () => {
    const r = parseConfig(yaml('{ id: n1, kind: wecom, url: "http://x/cgi-bin/webhook/send?key=k" }'), { profiles: profileRegistry, env: {} });
    expect(r.ok && r.config.notifiers[0]!.fromLevel).toBe(0);
    const two = parseConfig(yaml('{ id: n1, kind: wecom, url: "http://x/", fromLevel: 2 }'), { profiles: profileRegistry, env: {} });
    expect(two.ok && two.config.notifiers[0]!.fromLevel).toBe(2);
  });

  it('names bad values', () => {
    expect(errorsOf(yaml('{ id: n1, kind: wecom, url: "http://x/", fromLevel: -1 }'))).toEqual(['notifiers[0].fromLevel: must be >= 0']);
    expect(errorsOf(yaml('{ id: n1, kind: wecom, url: "http://x/", fromLevel: 1.5 }'))).toEqual([expect.stringMatching(/^notifiers\[0\]\.fromLevel: must be integer/)]);
    expect(errorsOf(yaml('{ id: n1, kind: wecom, url: "http://x/", fromLevel: first }'))).toEqual([expect.stringMatching(/^notifiers\[0\]\.fromLevel: /)]);
  });

  it('a robot hears openings only from level 0, escalations from its level on', () => {
    const sink = (fromLevel: number) =>
      new RobotSink({ ...ctx, config: { id: 'n', kind: 'wecom', url: 'http://127.0.0.1:9/', minSeverity: 'high', hazards: false, fromLevel }, timeoutMs: 1000, now: Date.now });
    const opened = row('incident.opened', { severity: 'critical', escalationLevel: 0 });
    const esc = (level: number) => row('incident.escalated', { severity: 'critical', escalationLevel: level });
    const low = row('incident.opened', { severity: 'low', escalationLevel: 0 });
    const s0 = sink(0);
    const s2 = sink(2);
    expect([opened, esc(1), esc(2), esc(5), low].map((r) => s0.accepts(r))).toEqual([true, true, true, true, false]);
    expect([opened, esc(1), esc(2), esc(5)].map((r) => s2.accepts(r))).toEqual([false, false, true, true]);
    void s0.close();
    void s2.close();
  });
});

describe('robot text (Chinese)', () => {
  it('names the kind, zone, device by name, what to do, and the escalation', () => {
    const payload = { id: 'inc-1', kind: 'door_forced', severity: 'high', deviceId: 'door-1', openedAt: Date.UTC(2026, 11, 4, 0, 0, 0), escalationLevel: 1, procedure: [], data: { door: '北门 (Door_1)' } };
    const t = robotText(row('incident.escalated', payload), ctx);
    expect(t.title).toBe('【升级·第1级】示范中学：门被强行打开');
    expect(t.markdown.split('\n')).toEqual([
      '### 【升级·第1级】示范中学：门被强行打开',
      '- 级别：高',
      '- 区域：北门（责任人 王强）',
      '- 设备：北门门禁（door-1）',
      '- 门：北门 (Door_1)',
      '- 时间：2026-12-04 08:00:00',
      '- 升级：已31秒无人确认',
      '- 处置：派保安到门口查看是否有人闯入，调看附近摄像机画面',
      '- 编号：inc-1',
      '请在值班室控制台点击“确认”（确认后不再逐级上报）',
    ]);
    expect(t.mobile).toBe('13800000001');
  });

  it('a drill says so; a person-reported incident keeps its words; hazards name deadline and responsible', () => {
    const drill = robotText(row('incident.opened', { kind: 'fire', severity: 'critical', drill: true, title: 'Fire: smoke in the lab' }), ctx);
    expect(drill.title).toBe('【演练】【告警】示范中学：火情');
    expect(drill.markdown).toContain('- 说明：Fire: smoke in the lab');
    expect(drill.markdown).toContain('- 处置：立即拨打119');
    const hazard = robotText(row('hazard.opened', { title: '围墙破损', responsible: '王强', deadline: '2026-12-31' }), ctx);
    expect(hazard.markdown.split('\n').slice(0, 5)).toEqual(['### 示范中学：新隐患', '- 隐患：围墙破损', '- 区域：北门（责任人 王强）', '- 整改责任人：王强', '- 整改期限：2026-12-31']);
  });

  it('a configured kind or a severity spelled like an Object property is named as written, not as Object’s', () => {
    const t = robotText(row('incident.opened', { kind: 'constructor', severity: 'toString', title: 'x' }), ctx);
    expect(t.title).toBe('【告警】示范中学：constructor');
    expect(t.markdown).toContain('- 级别：toString');
    expect(t.markdown).toContain('- 处置：派人到场核实情况');
    expect(t.markdown).not.toContain('function');
  });

  it('capBytes cuts long text on a character boundary within the byte limit', () => {
    expect(capBytes('短', 100)).toBe('短');
    const cut = capBytes('一'.repeat(2000), 4000);
    expect(Buffer.byteLength(cut, 'utf8')).toBeLessThanOrEqual(4000);
    expect(cut.endsWith('…')).toBe(true);
    expect(cut.replace('…', '')).toMatch(/^一+$/);
  });
});
