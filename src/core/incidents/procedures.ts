import type { IncidentKind, ProcedureStep } from '../incident.ts';

/** 应急预案: incident kind → ordered checklist. */
export type Procedures = Readonly<Partial<Record<IncidentKind, readonly { readonly step: string; readonly mandatory: boolean }[]>>>;

export function checklistFor(procedures: Procedures, kind: IncidentKind): ProcedureStep[] {
  return (procedures[kind] ?? []).map((s) => ({ step: s.step, mandatory: s.mandatory }));
}

export function pendingMandatory(steps: readonly ProcedureStep[]): ProcedureStep[] {
  return steps.filter((s) => s.mandatory && s.doneAt === undefined);
}
