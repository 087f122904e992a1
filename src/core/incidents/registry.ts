import type { EventKind } from '../event.ts';
import type { IncidentKind } from '../incident.ts';
import type { AnyRule, RuleOptions } from './rule.ts';
import { panicRule } from './rules/panic.ts';
import { doorForcedRule } from './rules/doorForced.ts';
import { doorHeldOpenRule } from './rules/doorHeldOpen.ts';
import { cameraTamperRule } from './rules/cameraTamper.ts';
import { videoLossRule } from './rules/videoLoss.ts';
import { deviceOfflineRule } from './rules/deviceOffline.ts';
import { afterHoursRule } from './rules/afterHours.ts';
import { repeatedDenialsRule } from './rules/repeatedDenials.ts';
import { patrolMissedRule } from './rules/patrolMissed.ts';

/**
 * Every incident rule, in the order their hits are applied to one event. The
 * engine folds over this list; the config schema (`rules.<name>`), its
 * defaults, the urgent event kinds and the recorded ones are all read from it.
 */
export const RULES: readonly AnyRule[] = [
  panicRule,
  doorForcedRule,
  doorHeldOpenRule,
  cameraTamperRule,
  videoLossRule,
  deviceOfflineRule,
  afterHoursRule,
  repeatedDenialsRule,
  patrolMissedRule,
];

/** Each rule's options by its name: `rules.<name>` in the config, over the rule's defaults. */
export type RulesConfig = Readonly<Record<string, RuleOptions & Readonly<Record<string, unknown>>>>;

export const DEFAULT_RULES: RulesConfig = Object.fromEntries(RULES.map((rule) => [rule.name, rule.defaults]));

/** A rule's options in `rules` (its defaults where the config leaves it out). */
export function optionsOf(rules: RulesConfig, rule: AnyRule): RuleOptions {
  return rules[rule.name] ?? rule.defaults;
}

/** Events that join an open incident's timeline without changing it, from every rule (an incident opened before its rule was turned off still hears them). */
export const RECORDED_ON: Readonly<Partial<Record<EventKind, IncidentKind>>> = Object.assign({}, ...RULES.map((rule) => rule.recordedOn ?? {}));

/** The kinds `isUrgentKind` names one by one (besides every `alarm.*`): for a store that must keep them. */
export const URGENT_SINGLE_KINDS: readonly string[] = [...new Set(RULES.flatMap((rule) => rule.urgentOn ?? []))];
const urgentSingle: ReadonlySet<string> = new Set(URGENT_SINGLE_KINDS);

/**
 * Kinds a guard must hear of at once: the ones that open an incident on their
 * own, and every alarm. Storage commits them on the next turn instead of
 * letting them wait for a batch (src/ingest/groupCommit.ts).
 */
export function isUrgentKind(kind: string): boolean {
  return kind.startsWith('alarm.') || urgentSingle.has(kind);
}
