/**
 * The incident rule registry (issue 17.1): the engine folds over it without
 * naming a rule, the config's `rules.<name>` schema and defaults come from it,
 * and each rule has its own toggle.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { profileRegistry } from '../../devices/index.ts';
import { parseConfig } from '../../src/config/load.ts';
import { ALARM_EVENT_KINDS, EVENT_WEIGHT, isNotableKind, type EventKind, type GatehouseEvent } from '../../src/core/event.ts';
import { INCIDENT_KINDS } from '../../src/core/incident.ts';
import { defaultEngineConfig, emptyState, onEvent, type EngineConfig } from '../../src/core/incidents/engine.ts';
import { DEFAULT_RULES, RULES, isUrgentKind } from '../../src/core/incidents/registry.ts';
import { en } from '../../src/console/lib/messages/en.ts';
import { zh } from '../../src/console/lib/messages/zh.ts';
import { KIND_ZH } from '../../src/uplink/robotWords.ts';
import { engineConfigFrom } from '../../src/compose/settings.ts';
import { ruleWarnings } from '../../src/config/ruleWarnings.ts';

const engineSource = readFileSync(new URL('../../src/core/incidents/engine.ts', import.meta.url), 'utf8');

const campus = (rules: string) => `
campus: { id: s, name: S }
zones: [ { id: z1, name: Z1 } ]
devices:
  - { id: cam-1, profile: generic, zone: z1, secret: "0123456789abcdef" }
rules: ${rules}
`;

function configWith(rules: string): EngineConfig {
  const r = parseConfig(campus(rules), { profiles: profileRegistry, env: {} });
  if (!r.ok) throw new Error(r.errors.join('\n'));
  return engineConfigFrom(r.config);
}

function errorsOf(rules: string): readonly string[] {
  const r = parseConfig(campus(rules), { profiles: profileRegistry, env: {} });
  return r.ok ? [] : r.errors;
}

let n = 0;
const ev = (kind: GatehouseEvent['kind']): GatehouseEvent => ({ id: `e${++n}`, deviceId: 'cam-1', zoneId: 'z1', kind, ts: 1000, receivedAt: 1000, data: {} });
const opened = (config: EngineConfig, kind: GatehouseEvent['kind']) => onEvent(emptyState, ev(kind), 1000, config, () => `i${++n}`).changes.map((c) => c.incident.kind);

describe('the incident rule registry', () => {
  it('names each rule once, and every incident kind a rule opens is a known kind with words in the console (both languages) and for the robots', () => {
    const names = RULES.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const rule of RULES) {
      expect(rule.name, rule.name).toMatch(/^[a-z][A-Za-z]+$/);
      for (const kind of rule.opens) {
        expect(INCIDENT_KINDS, `${rule.name} opens ${kind}`).toContain(kind);
        expect(en[`incident.${kind}` as keyof typeof en], `en incident.${kind}`).toBeTruthy();
        expect(zh[`incident.${kind}` as keyof typeof zh], `zh incident.${kind}`).toBeTruthy();
        expect(KIND_ZH[kind], `robot words for ${kind}`).toBeTruthy();
      }
    }
  });

  it('the engine names no rule: no rule name, no incident kind a rule opens, no rule module', () => {
    for (const rule of RULES) {
      expect(engineSource, rule.name).not.toMatch(new RegExp(`\\b${rule.name}\\b`));
      for (const kind of rule.opens) expect(engineSource, kind).not.toContain(`'${kind}'`);
    }
    expect(engineSource).not.toMatch(/from '\.\/rules\//);
  });

  it('fills each rule’s defaults from the rule, and keeps what the config sets', () => {
    const config = configWith('{ repeatedDenials: { count: 5 }, panic: { severity: high } }');
    expect(config.rules['repeatedDenials']).toEqual({ enabled: true, severity: 'medium', count: 5, window: 60 });
    expect(config.rules['panic']).toEqual({ enabled: true, severity: 'high' });
    expect(config.rules['afterHours']).toEqual(DEFAULT_RULES['afterHours']);
    expect(Object.keys(configWith('{}').rules).sort()).toEqual(RULES.map((r) => r.name).sort());
  });

  it('gives video loss its own toggle: camera tamper off leaves it on, and the other way round', () => {
    const tamperOff = configWith('{ cameraTamper: { enabled: false } }');
    expect(opened(tamperOff, 'camera.tamper')).toEqual([]);
    expect(opened(tamperOff, 'camera.video_loss')).toEqual(['camera_video_loss']);
    const lossOff = configWith('{ videoLoss: { enabled: false } }');
    expect(opened(lossOff, 'camera.video_loss')).toEqual([]);
    expect(opened(lossOff, 'camera.tamper')).toEqual(['camera_tamper']);
    expect(opened(defaultEngineConfig, 'camera.video_loss')).toEqual(['camera_video_loss']);
  });

  it('warns (never refuses) a campus that turned camera tamper off and may expect video loss to be silent too', () => {
    const loaded = (rules: string) => {
      const r = parseConfig(campus(rules), { profiles: profileRegistry, env: {} });
      if (!r.ok) throw new Error(r.errors.join('\n'));
      return r.config;
    };
    expect(ruleWarnings(loaded('{ cameraTamper: { enabled: false } }'))).toEqual([expect.stringMatching(/^rules\.cameraTamper is off, but camera video loss still opens incidents: .*rules\.videoLoss/)]);
    expect(ruleWarnings(loaded('{ cameraTamper: { enabled: false }, videoLoss: { enabled: true } }'))).toEqual([]);
    expect(ruleWarnings(loaded('{}'))).toEqual([]);
  });

  it('refuses a rule it does not know, and a rule option out of range, naming the path', () => {
    expect(errorsOf('{ videoLose: { enabled: false } }').join('\n')).toMatch(/rules.*videoLose/);
    expect(errorsOf('{ repeatedDenials: { count: 1 } }').join('\n')).toMatch(/rules\.repeatedDenials\.count/);
    expect(errorsOf('{ panic: { enabled: "no" } }').join('\n')).toMatch(/rules\.panic\.enabled/);
    expect(errorsOf('{ afterHours: { kinds: [alarm.panic] } }').join('\n')).toMatch(/rules\.afterHours\.kinds/);
    expect(errorsOf('{ panic: { enabled: false, count: 3 } }').join('\n')).toMatch(/rules\.panic.*count/);
  });

  it('urgent kinds are every alarm and every kind a rule opens an incident on by itself', () => {
    for (const rule of RULES) for (const kind of rule.urgentOn ?? []) expect(isUrgentKind(kind), kind).toBe(true);
    expect(isUrgentKind('camera.video_loss')).toBe(true);
    expect(isUrgentKind('alarm.anything')).toBe(true);
    expect(isUrgentKind('access.denied')).toBe(false);
  });

  it('one table says how loud each event kind is: every kind that opens an incident by itself stands out in the console, and the report counts the alarms', () => {
    for (const rule of RULES) for (const kind of rule.urgentOn ?? []) expect(EVENT_WEIGHT[kind as EventKind], kind).toMatch(/^(alarm|notice)$/);
    expect(ALARM_EVENT_KINDS).toEqual(['door.forced', 'alarm.panic', 'camera.tamper', 'camera.video_loss', 'camera.intrusion']);
    expect(isNotableKind('access.denied')).toBe(true);
    expect(isNotableKind('access.granted')).toBe(false);
    expect(isNotableKind('constructor')).toBe(false);
  });
});
