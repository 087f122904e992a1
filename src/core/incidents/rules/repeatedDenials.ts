import Type from 'typebox';
import { NO_HITS, type Hit, type IncidentRule, type RuleOptions } from '../rule.ts';

export interface RepeatedDenialsOptions extends RuleOptions {
  /** Denials at one reader that make an incident… */
  readonly count: number;
  /** …within this many seconds. */
  readonly window: number;
}

/** Recent denials per reader, oldest first: at most the rule's `count` (what the threshold needs), whatever the rate. */
export type DenialWindows = ReadonlyMap<string, readonly { readonly at: number; readonly eventId: string; readonly ts: number }[]>;

/**
 * N or more `access.denied` at one reader within the window → "repeated
 * denials", opened with the last N denials. Below the threshold, a denial in a
 * zone whose incident is still open joins it. A reader's window keeps only its
 * last N: a flood of denials costs the same per denial at its millionth as at
 * its first.
 */
export const repeatedDenialsRule: IncidentRule<RepeatedDenialsOptions, DenialWindows> = {
  name: 'repeatedDenials',
  opens: ['repeated_denials'],
  options: {
    count: Type.Optional(Type.Integer({ minimum: 2, maximum: 100 })),
    window: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
  },
  defaults: { enabled: true, severity: 'medium', count: 3, window: 60 },
  initialState: () => new Map(),
  onEvent(event, options, windows, context) {
    if (event.kind !== 'access.denied') return { state: windows, hits: NO_HITS };
    const horizon = event.receivedAt - options.window * 1000;
    const previous = windows.get(event.deviceId) ?? [];
    const recent = previous.slice(Math.max(0, previous.length - (options.count - 1))).filter((d) => d.at > horizon);
    recent.push({ at: event.receivedAt, eventId: event.id, ts: event.ts });
    const next = new Map(windows);
    next.set(event.deviceId, recent);
    // Forget readers that went quiet so the map does not grow without bound.
    for (const [deviceId, list] of next) if (list.length === 0 || list[list.length - 1]!.at <= horizon) next.delete(deviceId);
    if (recent.length >= options.count) {
      const hit: Hit = {
        kind: 'repeated_denials',
        severity: options.severity,
        zoneId: event.zoneId,
        title: `${recent.length} denied cards at ${event.deviceId} within ${options.window} s`,
        earlier: recent.slice(0, -1).map((d) => ({ id: d.eventId, deviceId: event.deviceId, ts: d.ts })),
        data: { deviceId: event.deviceId, cards: [event.data['card']].filter((c) => c !== undefined) },
      };
      return { state: next, hits: [hit] };
    }
    // Below the threshold, but an incident is open here: it joins it (folding).
    if (context.isActive('repeated_denials', event.zoneId)) return { state: next, hits: [{ kind: 'repeated_denials', severity: options.severity, zoneId: event.zoneId, title: '' }] };
    return { state: next, hits: NO_HITS };
  },
};
