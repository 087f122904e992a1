import { initialPatrolState, judgeRounds, recordVisit, type PatrolState } from '../patrols.ts';
import { NO_HITS, type Hit, type IncidentRule, type RuleOptions } from '../rule.ts';

/**
 * 安全巡查: a patrol window ended with checkpoints unvisited. Visits are kept
 * with the rule off too — the console's rounds are read from them — and
 * judging forgets visits older than yesterday, so the state stays bounded.
 */
export const patrolMissedRule: IncidentRule<RuleOptions, PatrolState> = {
  name: 'patrolMissed',
  opens: ['patrol_missed'],
  defaults: { enabled: true, severity: 'medium' },
  initialState: (since) => initialPatrolState(since),
  keepsStateWhenOff: true,
  onEvent(event, _options, state, context) {
    if (context.patrols.length === 0) return { state, hits: NO_HITS };
    return { state: recordVisit(state, context.patrols, event, context.calendar.timezone), hits: [] };
  },
  onTick(now, options, state, context) {
    if (context.patrols.length === 0) return { state, hits: NO_HITS };
    const judged = judgeRounds(state, context.patrols, now, context.calendar.timezone);
    const hits: Hit[] = judged.missed.map((missed) => ({
      kind: 'patrol_missed',
      severity: options.severity,
      zoneId: context.deviceZones.get(missed.missing[0]!) ?? 'campus',
      title: `Patrol "${missed.patrol.name}" ${missed.date} ${missed.window}: ${missed.missing.length} checkpoint(s) not visited`,
      data: { patrolId: missed.patrol.id, date: missed.date, window: missed.window, missing: missed.missing, visited: missed.visited },
    }));
    return { state: judged.state, hits };
  },
};
