import type { Logger } from '../observability/logger.ts';
import { offlineTooLong, panicTestsOverdue, type DeviceCondition, type RaisedCondition } from '../core/hazardConditions.ts';
import type { HazardService } from './hazards.ts';

export interface HazardCheckDeps {
  readonly hazards: HazardService;
  readonly devices: () => readonly DeviceCondition[];
  /** The panic buttons now (the list changes on a config reload). */
  readonly panicButtons: () => readonly { readonly id: string; readonly zoneId: string }[];
  /** Last recorded test per panic button (epoch ms). */
  readonly lastTests: () => ReadonlyMap<string, number>;
  /** drills.panicTestEvery: days between required tests. */
  readonly panicTestEvery: number;
  readonly startedAt: number;
  readonly log: Logger;
}

/**
 * The ledger's periodic check (run every few minutes; idempotent): devices
 * offline for more than 24 h and overdue panic-button tests become hazards,
 * and overdue hazards are escalated once per campus-local day.
 */
export function hazardCheck(deps: HazardCheckDeps): (now: number) => void {
  const raise = (c: RaisedCondition, title: string, deadlineDays: number, description: string, now: number): void => {
    const { hazard, created } = deps.hazards.raiseSystem({ sourceKey: c.sourceKey, title, category: 'campus-safety', zoneId: c.zoneId, deadlineDays, description }, now);
    if (created) deps.log.warn({ hazardId: hazard.id, deviceId: c.deviceId, sourceKey: c.sourceKey }, `hazard raised: ${title}`);
  };
  return (now) => {
    for (const c of offlineTooLong(deps.devices(), now)) {
      raise(c, `设备离线超过24小时 (device offline > 24 h): ${c.deviceId}`, 1, `last heard ${new Date(c.since).toISOString()}; repair or replace it (GB/T 29315: faults fixed within 24 h)`, now);
    }
    for (const c of panicTestsOverdue(deps.panicButtons(), deps.lastTests(), now, deps.panicTestEvery, deps.startedAt)) {
      raise(c, `紧急报警按钮测试逾期 (panic button test overdue): ${c.deviceId}`, 7, `not tested since ${new Date(c.since).toISOString()}; test it during a drill (every ${deps.panicTestEvery} days)`, now);
    }
    const { escalated } = deps.hazards.dailyCheck(now);
    for (const h of escalated) deps.log.warn({ hazardId: h.id, deadline: h.deadline, zoneId: h.zoneId, responsible: h.responsible }, `hazard overdue: ${h.title}`);
  };
}
