import type { TProperties } from 'typebox';
import type { EventKind, GatehouseEvent } from '../event.ts';
import type { EventRef, IncidentKind, Severity } from '../incident.ts';
import type { Calendar, WeeklyHours } from '../schedule.ts';
import type { PatrolConfig } from './patrols.ts';

/**
 * One incident rule: a pure function of the event (or of time passing), the
 * rule's own options and the rule's own state. The engine folds over the
 * registry (./registry.ts) without naming any rule; the config's `rules.<name>`
 * schema and defaults come from here too. A new rule is one file in ./rules/,
 * one line in the registry, its labels in the console's and robots' words, and
 * its tests.
 */

/** What every rule's options have: `rules.<name>: { enabled, severity }` in the config. */
export interface RuleOptions {
  readonly enabled: boolean;
  readonly severity: Severity;
}

/** A rule's verdict: open (or fold into) an incident of this kind in this zone. */
export interface Hit {
  readonly kind: IncidentKind;
  readonly severity: Severity;
  readonly zoneId: string;
  readonly title: string;
  /** Events that open it together with the triggering one (e.g. earlier denials); they do not join an incident already open. */
  readonly earlier?: readonly EventRef[];
  readonly data?: Readonly<Record<string, unknown>>;
}

/** The campus facts a rule may read (not its options): from the config, rebuilt on reload. */
export interface RuleContext {
  readonly calendar: Calendar;
  readonly openHours: ReadonlyMap<string, WeeklyHours>;
  readonly patrols: readonly PatrolConfig[];
  /** Zone of every device. */
  readonly deviceZones: ReadonlyMap<string, string>;
  /** Whether an incident of this kind is open (or acknowledged) in this zone: a rule may fold into it below its threshold. */
  readonly isActive: (kind: IncidentKind, zoneId: string) => boolean;
}

export interface RuleStep<S> {
  /** The rule's next state (the same object when nothing changed). */
  readonly state: S;
  readonly hits: readonly Hit[];
}

/** No hits: one shared list, so a rule that does not fire allocates nothing on the event path. */
export const NO_HITS: readonly Hit[] = Object.freeze([]);
/** The step of a rule without state that does not fire (most rules, on most events). */
export const NOTHING: RuleStep<undefined> = Object.freeze({ state: undefined, hits: NO_HITS });

export interface IncidentRule<O extends RuleOptions = RuleOptions, S = undefined> {
  /** Its key under `rules:` in the config (camelCase). */
  readonly name: string;
  /** The incident kinds it opens. */
  readonly opens: readonly IncidentKind[];
  /** Its options beyond `enabled` and `severity`, as TypeBox properties (each optional): the config schema is built from them. */
  readonly options?: TProperties;
  readonly defaults: O;
  /**
   * Event kinds that open an incident on their own: a guard must hear of them
   * at once, so storage commits them on the next turn instead of batching
   * (src/ingest/groupCommit.ts), and retention never drops them.
   */
  readonly urgentOn?: readonly EventKind[];
  /** Events that join this rule's open incident's timeline without changing it (latching, GB 50394). */
  readonly recordedOn?: Readonly<Partial<Record<EventKind, IncidentKind>>>;
  /** Its state when the hub starts (`since`: when the hub started watching). Rules without one keep none. */
  readonly initialState?: (since: number) => S;
  /**
   * Runs while the rule is enabled — and while it is off too when it keeps
   * state others read (the patrol rounds the console shows); its hits are then
   * dropped.
   */
  readonly keepsStateWhenOff?: boolean;
  readonly onEvent?: (event: GatehouseEvent, options: O, state: S, context: RuleContext) => RuleStep<S>;
  /** Time passing (once a second or so). */
  readonly onTick?: (now: number, options: O, state: S, context: RuleContext) => RuleStep<S>;
}

/** Any rule, whatever its options and state: what the registry holds (each rule has its own types). */
export type AnyRule = IncidentRule<any, any>;

/**
 * The common rule: one event kind opens one incident kind in the event's zone,
 * naming the device (and the door, when a door controller names it).
 */
export function singleEventRule(spec: {
  readonly name: string;
  readonly on: EventKind;
  readonly opens: IncidentKind;
  readonly severity: Severity;
  readonly title: (event: GatehouseEvent) => string;
  readonly recordedOn?: EventKind;
}): IncidentRule {
  return {
    name: spec.name,
    opens: [spec.opens],
    defaults: { enabled: true, severity: spec.severity },
    urgentOn: [spec.on],
    ...(spec.recordedOn ? { recordedOn: { [spec.recordedOn]: spec.opens } } : {}),
    onEvent(event, options) {
      if (event.kind !== spec.on) return NOTHING;
      const door = typeof event.data['door'] === 'string' ? { door: event.data['door'] } : {};
      return {
        state: undefined,
        hits: [{ kind: spec.opens, severity: options.severity, zoneId: event.zoneId, title: spec.title(event), data: { deviceId: event.deviceId, ...door } }],
      };
    },
  };
}
