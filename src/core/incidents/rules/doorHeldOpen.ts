import { singleEventRule } from '../rule.ts';

/** A door left open past the controller's limit; `door.closed` is recorded on it. */
export const doorHeldOpenRule = singleEventRule({
  name: 'doorHeldOpen',
  on: 'door.held_open',
  opens: 'door_held_open',
  severity: 'medium',
  title: (e) => `Door held open at ${e.deviceId}`,
  recordedOn: 'door.closed',
});
