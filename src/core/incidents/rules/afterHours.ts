import Type from 'typebox';
import type { EventKind } from '../../event.ts';
import { isOpen } from '../../schedule.ts';
import { NOTHING, type IncidentRule, type RuleOptions } from '../rule.ts';

export interface AfterHoursOptions extends RuleOptions {
  /** The event kinds that count outside a zone's open hours. */
  readonly kinds: readonly string[];
}

/** Motion or intrusion (or the configured kinds) in a zone outside its open hours; a zone without open hours is always open. */
export const afterHoursRule: IncidentRule<AfterHoursOptions> = {
  name: 'afterHours',
  opens: ['after_hours'],
  options: {
    kinds: Type.Optional(Type.Array(Type.Enum(['camera.motion', 'camera.intrusion', 'door.forced', 'door.held_open', 'access.granted', 'access.denied'] satisfies EventKind[]))),
  },
  defaults: { enabled: true, severity: 'high', kinds: ['camera.intrusion', 'camera.motion'] },
  onEvent(event, options, _state, context) {
    if (!options.kinds.includes(event.kind)) return NOTHING;
    const hours = context.openHours.get(event.zoneId);
    if (!hours) return NOTHING;
    // The hub's receive time: a device's clock may be wrong, the hub's is checked.
    if (isOpen(event.receivedAt, hours, context.calendar)) return NOTHING;
    return {
      state: undefined,
      hits: [{ kind: 'after_hours', severity: options.severity, zoneId: event.zoneId, title: `${event.kind} after hours at ${event.deviceId}`, data: { deviceId: event.deviceId, eventKind: event.kind } }],
    };
  },
};
