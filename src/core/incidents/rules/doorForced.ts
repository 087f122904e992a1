import { singleEventRule } from '../rule.ts';

/** A door opened without a granted card (the controller's forced-door input). */
export const doorForcedRule = singleEventRule({
  name: 'doorForced',
  on: 'door.forced',
  opens: 'door_forced',
  severity: 'high',
  title: (e) => `Door forced open at ${e.deviceId}`,
});
