import { describe, expect, it } from 'vitest';
import { defaultEngineConfig, emptyState, initialState, onEvent, ruleState, resolve, startDrill, tick, tickStep, type EngineConfig, type EngineState } from '../../src/core/incidents/engine.ts';
import type { EventKind, GatehouseEvent } from '../../src/core/event.ts';
import { parseWeeklyHours, isOpen, type WeeklyHours } from '../../src/core/schedule.ts';
import { GatehouseError } from '../../src/core/errors.ts';
import { roundsOn } from '../../src/core/incidents/patrols.ts';
import { isUrgentKind } from '../../src/core/incidents/registry.ts';
import { patrolMissedRule } from '../../src/core/incidents/rules/patrolMissed.ts';

let n = 0;
const ids = () => `id-${++n}`;
const none = () => undefined;
// 2026-12-01 is a Tuesday. Campus clock: Asia/Shanghai (UTC+8).
const at = (local: string) => Date.parse(`${local}+08:00`);
const ev = (kind: EventKind, when: number, deviceId = 'dev-1', zoneId = 'zone-a', data: Record<string, unknown> = {}): GatehouseEvent => ({
  id: `evt-${++n}`,
  deviceId,
  zoneId,
  kind,
  ts: when,
  receivedAt: when,
  data,
});
const hours = (spec: Record<string, string | string[]>): WeeklyHours => {
  const parsed = parseWeeklyHours(spec);
  if ('errors' in parsed) throw new Error(parsed.errors.join());
  return parsed.hours;
};
const calendar = { timezone: 'Asia/Shanghai', holidays: new Set(['2026-12-25']), workdays: new Set(['2026-12-27']) };

function run(events: GatehouseEvent[], config: EngineConfig = defaultEngineConfig, state: EngineState = emptyState) {
  const all: ReturnType<typeof onEvent>['changes'][number][] = [];
  for (const e of events) {
    const step = onEvent(state, e, e.receivedAt, config, ids);
    state = step.state;
    all.push(...step.changes);
  }
  return { state, changes: all };
}

describe('default rules', () => {
  it.each([
    ['door.forced', 'door_forced', 'high'],
    ['door.held_open', 'door_held_open', 'medium'],
    ['camera.tamper', 'camera_tamper', 'high'],
    ['camera.video_loss', 'camera_video_loss', 'high'],
    ['device.offline', 'device_offline', 'medium'],
  ] as const)('%s opens a %s incident of severity %s', (kind, incidentKind, severity) => {
    const { changes } = run([ev(kind, at('2026-12-01T10:00:00'))]);
    expect(changes.map((c) => [c.type, c.incident.kind, c.incident.severity])).toEqual([['opened', incidentKind, severity]]);
  });

  it('a rule can be disabled or retuned from config', () => {
    const config: EngineConfig = { ...defaultEngineConfig, rules: { ...defaultEngineConfig.rules, doorForced: { enabled: false, severity: 'high' }, doorHeldOpen: { enabled: true, severity: 'low' } } };
    expect(run([ev('door.forced', 1)], config).changes).toEqual([]);
    expect(run([ev('door.held_open', 1)], config).changes[0]!.incident.severity).toBe('low');
  });

  it('device.online is recorded on the open offline incident, which stays open for a person to close', () => {
    const { changes, state } = run([ev('device.offline', 1), ev('device.online', 2)]);
    expect(changes.map((c) => c.type)).toEqual(['opened', 'recorded']);
    expect([...state.active.values()][0]!.status).toBe('open');
  });
});

describe('repeated denials', () => {
  const t = at('2026-12-01T10:00:00');
  it('two denials are nothing; the third within 60 s opens one medium incident carrying all three; the fourth folds in', () => {
    const { changes, state } = run([
      ev('access.denied', t, 'reader-1', 'gate', { card: 'a' }),
      ev('access.denied', t + 10_000, 'reader-1', 'gate', { card: 'b' }),
      ev('access.denied', t + 20_000, 'reader-1', 'gate', { card: 'c' }),
      ev('access.denied', t + 30_000, 'reader-1', 'gate', { card: 'd' }),
    ]);
    expect(changes.map((c) => c.type)).toEqual(['opened', 'folded']);
    const incident = [...state.active.values()][0]!;
    expect(incident).toMatchObject({ kind: 'repeated_denials', severity: 'medium', count: 4 });
    expect(incident.eventIds).toHaveLength(4);
  });

  it('denials spread over more than the window open nothing', () => {
    const { changes } = run([ev('access.denied', t, 'reader-1'), ev('access.denied', t + 40_000, 'reader-1'), ev('access.denied', t + 90_000, 'reader-1')]);
    expect(changes).toEqual([]);
  });

  it('counts per reader: denials at two readers do not add up', () => {
    const { changes } = run([ev('access.denied', t, 'r1'), ev('access.denied', t + 1, 'r2'), ev('access.denied', t + 2, 'r1'), ev('access.denied', t + 3, 'r2')]);
    expect(changes).toEqual([]);
  });
});

describe('open hours and after-hours motion', () => {
  const school = hours({ 'mon-fri': '07:00-18:00', sat: '08:00-12:00', sun: 'closed' });
  const dorm = hours({ daily: '22:00-06:30' }); // crosses midnight: "open" here means staffed at night

  it('knows weekdays, weekends, holidays and make-up workdays', () => {
    expect(isOpen(at('2026-12-01T10:00:00'), school, calendar)).toBe(true); // Tuesday
    expect(isOpen(at('2026-12-01T06:59:00'), school, calendar)).toBe(false);
    expect(isOpen(at('2026-12-01T18:00:00'), school, calendar)).toBe(false); // end is exclusive
    expect(isOpen(at('2026-12-05T11:00:00'), school, calendar)).toBe(true); // Saturday morning
    expect(isOpen(at('2026-12-06T11:00:00'), school, calendar)).toBe(false); // Sunday
    expect(isOpen(at('2026-12-25T10:00:00'), school, calendar)).toBe(false); // holiday (a Friday)
    expect(isOpen(at('2026-12-27T10:00:00'), school, calendar)).toBe(true); // make-up workday (a Sunday)
  });

  it('handles ranges across midnight, including into a holiday', () => {
    expect(isOpen(at('2026-12-01T23:30:00'), dorm, calendar)).toBe(true);
    expect(isOpen(at('2026-12-02T05:00:00'), dorm, calendar)).toBe(true); // Tuesday's range still running Wednesday
    expect(isOpen(at('2026-12-02T07:00:00'), dorm, calendar)).toBe(false);
    expect(isOpen(at('2026-12-25T23:00:00'), dorm, calendar)).toBe(false); // holiday: no range starts
    expect(isOpen(at('2026-12-26T03:00:00'), dorm, calendar)).toBe(false); // …and none carries over from it
  });

  it('motion outside open hours is a high incident; inside, nothing; zones without hours never', () => {
    const config: EngineConfig = { ...defaultEngineConfig, calendar, openHours: new Map([['zone-a', school]]) };
    expect(run([ev('camera.motion', at('2026-12-01T10:00:00'))], config).changes).toEqual([]);
    const night = run([ev('camera.motion', at('2026-12-01T23:00:00')), ev('camera.intrusion', at('2026-12-01T23:01:00'))], config);
    expect(night.changes.map((c) => [c.type, c.incident.kind, c.incident.severity])).toEqual([
      ['opened', 'after_hours', 'high'],
      ['folded', 'after_hours', 'high'],
    ]);
    expect(run([ev('camera.motion', at('2026-12-01T23:00:00'), 'cam', 'zone-b')], config).changes).toEqual([]);
  });

  it('rejects malformed hours with the key named', () => {
    expect(parseWeeklyHours({ funday: '07:00-08:00' })).toEqual({ errors: [expect.stringMatching(/^funday: not a day/)] });
    expect(parseWeeklyHours({ mon: '7-8' })).toEqual({ errors: ['mon: "7-8" is not a time range like 07:00-18:00'] });
  });
});

describe('procedures, override and drills', () => {
  const config: EngineConfig = {
    ...defaultEngineConfig,
    procedures: { panic: [{ step: 'Call 110', mandatory: true }, { step: 'Check the camera', mandatory: true }, { step: 'Inform the principal', mandatory: false }] },
    panicButtons: new Set(['panic-1']),
  };

  it('a panic carries its checklist; resolving with mandatory steps unticked is refused', () => {
    const { state, changes } = run([ev('alarm.panic', 1, 'panic-1')], config);
    const id = changes[0]!.incident.id;
    expect(changes[0]!.incident.procedure.map((s) => s.step)).toEqual(['Call 110', 'Check the camera', 'Inform the principal']);
    let err: unknown;
    try {
      resolve(state, { id, actor: 'guard1', role: 'guard', note: 'done' }, 2, none);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(GatehouseError);
    expect((err as GatehouseError).code).toBe('GH_STEPS_PENDING');
    expect((err as GatehouseError).message).toContain('"Call 110", "Check the camera"');
    // a guard may not override
    expect(() => resolve(state, { id, actor: 'guard1', role: 'guard', note: 'done', override: 'no time' }, 2, none)).toThrow(/officer or admin/);
  });

  it('ticking the mandatory steps lets a guard resolve; ticking twice is refused', () => {
    let { state } = run([ev('alarm.panic', 1, 'panic-1')], config);
    const id = [...state.active.keys()][0]!;
    state = tickStep(state, { id, index: 0, actor: 'guard1' }, 2, none).state;
    expect(() => tickStep(state, { id, index: 0, actor: 'guard2' }, 3, none)).toThrow(/already ticked/);
    expect(() => tickStep(state, { id, index: 7, actor: 'guard2' }, 3, none)).toThrow(/no such step/);
    state = tickStep(state, { id, index: 1, actor: 'guard1' }, 4, none).state;
    const done = resolve(state, { id, actor: 'guard1', role: 'guard', note: 'police came' }, 5, none);
    expect(done.changes.at(-1)!.incident.procedure.slice(0, 2).every((s) => s.doneBy === 'guard1')).toBe(true);
  });

  it('an officer overrides with a reason, which is kept on the incident and its timeline', () => {
    const { state } = run([ev('alarm.panic', 1, 'panic-1')], config);
    const id = [...state.active.keys()][0]!;
    const step = resolve(state, { id, actor: 'officer1', role: 'officer', note: 'false alarm', override: 'child pressed it, verified on camera' }, 9, none);
    expect(step.changes.map((c) => c.entry.type)).toEqual(['override', 'resolved']);
    expect(step.changes[1]!.incident.data).toMatchObject({ override: { by: 'officer1', reason: 'child pressed it, verified on camera' } });
  });

  it('incidents during a drill are drills; a panic button pressed in a drill counts as tested; the drill ends by itself', () => {
    let state = startDrill(initialState([], [], 0), { id: 'drill-1', zoneId: 'zone-a', startedAt: 100, endsAt: 10_000, startedBy: 'officer1' });
    const inDrill = onEvent(state, ev('alarm.panic', 200, 'panic-1'), 200, config, ids);
    expect(inDrill.changes[0]!.incident.drill).toBe(true);
    expect(inDrill.effects).toEqual([{ type: 'panic_tested', deviceId: 'panic-1', drillId: 'drill-1', at: 200 }]);
    const otherZone = onEvent(state, ev('alarm.panic', 200, 'panic-9', 'zone-b'), 200, config, ids);
    expect(otherZone.changes[0]!.incident.drill).toBe(false);
    state = tick(inDrill.state, 10_000, config, ids).state;
    expect(state.drills).toEqual([]);
    const after = onEvent(state, ev('door.forced', 10_001), 10_001, config, ids);
    expect(after.changes[0]!.incident.drill).toBe(false);
  });
});

describe('patrols', () => {
  const patrol = { id: 'night', name: 'Night round', checkpoints: ['cp-1', 'cp-2'], windows: ['21:00-22:00', '23:30-00:30'] };
  const config: EngineConfig = { ...defaultEngineConfig, calendar, patrols: [patrol], deviceZones: new Map([['cp-1', 'gate'], ['cp-2', 'wall']]) };
  const start = at('2026-12-01T20:00:00');

  it('a round with every checkpoint visited is done; a missed one opens a medium incident naming the missing checkpoints', () => {
    let state = initialState([], [], start);
    state = onEvent(state, ev('patrol.checkpoint', at('2026-12-01T21:10:00'), 'cp-1', 'gate'), at('2026-12-01T21:10:00'), config, ids).state;
    state = onEvent(state, ev('patrol.checkpoint', at('2026-12-01T21:20:00'), 'cp-2', 'wall'), at('2026-12-01T21:20:00'), config, ids).state;
    let step = tick(state, at('2026-12-01T22:00:30'), config, ids);
    expect(step.changes).toEqual([]);
    expect(roundsOn(ruleState(step.state, patrolMissedRule), [patrol], at('2026-12-01T22:01:00'), 'Asia/Shanghai').map((r) => [r.window, r.status])).toEqual([
      ['21:00-22:00', 'done'],
      ['23:30-00:30', 'upcoming'],
    ]);
    // the cross-midnight window: only cp-2 visited, after midnight
    state = onEvent(step.state, ev('access.granted', at('2026-12-02T00:10:00'), 'cp-2', 'wall'), at('2026-12-02T00:10:00'), config, ids).state;
    expect(tick(state, at('2026-12-02T00:29:00'), config, ids).changes).toEqual([]);
    step = tick(state, at('2026-12-02T00:31:00'), config, ids);
    expect(step.changes).toHaveLength(1);
    expect(step.changes[0]!.incident).toMatchObject({ kind: 'patrol_missed', severity: 'medium', zoneId: 'gate', data: { missing: ['cp-1'], visited: ['cp-2'], date: '2026-12-01', window: '23:30-00:30' } });
    // judged once
    expect(tick(step.state, at('2026-12-02T01:00:00'), config, ids).changes).toEqual([]);
  });

  it('keeps only yesterday’s and today’s visits, day after day, even with the missed-round rule off', () => {
    const off: EngineConfig = { ...config, rules: { ...config.rules, patrolMissed: { enabled: false, severity: 'medium' } } };
    let state = initialState([], [], start);
    for (let day = 0; day < 30; day++) {
      const visit = start + day * 86_400_000 + 3_600_000 + 600_000; // 21:10 each day
      state = onEvent(state, ev('patrol.checkpoint', visit, 'cp-1', 'gate'), visit, off, ids).state;
      const step = tick(state, visit + 3_600_000, off, ids); // 22:10: the first window is over
      expect(step.changes).toEqual([]); // missed cp-2, but the rule is off
      state = step.state;
      expect(ruleState(state, patrolMissedRule).visits.size).toBeLessThanOrEqual(2 * patrol.windows.length);
      expect(ruleState(state, patrolMissedRule).judged.size).toBeLessThanOrEqual(2 * patrol.windows.length);
    }
  });

  it('windows that ended before the hub started are not judged', () => {
    const state = initialState([], [], at('2026-12-01T22:30:00'));
    expect(tick(state, at('2026-12-01T22:31:00'), config, ids).changes).toEqual([]);
  });
});

describe('urgent kinds (committed without waiting for a batch)', () => {
  it('are the alarms and the kinds that open an incident on their own', () => {
    for (const kind of ['alarm.panic', 'door.forced', 'door.held_open', 'camera.tamper', 'camera.video_loss', 'device.offline']) expect(isUrgentKind(kind), kind).toBe(true);
    for (const kind of ['access.granted', 'access.denied', 'door.opened', 'camera.motion', 'patrol.checkpoint']) expect(isUrgentKind(kind), kind).toBe(false);
  });
});
