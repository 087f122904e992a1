import { singleEventRule } from '../rule.ts';

/** 一键报警: a panic button pressed. `alarm.cleared` (the button reset) is recorded on it; a person resolves it. */
export const panicRule = singleEventRule({
  name: 'panic',
  on: 'alarm.panic',
  opens: 'panic',
  severity: 'critical',
  title: (e) => `Panic alarm at ${e.deviceId}`,
  recordedOn: 'alarm.cleared',
});
