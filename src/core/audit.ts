import type { Actor } from './actor.ts';

/** How an audited action ended. */
export type AuditOutcome = 'ok' | 'denied' | 'failed';

/** One row of the audit log, before the store numbers, times and chains it (src/store/audit.ts). */
export interface AuditEntry {
  readonly actor: string;
  readonly role?: string | undefined;
  readonly action: string;
  readonly objectType?: string | undefined;
  readonly objectId?: string | undefined;
  /** Source address of the request. */
  readonly source?: string | undefined;
  readonly outcome: AuditOutcome;
  readonly detail?: Readonly<Record<string, unknown>> | undefined;
}

/** The one way an audit row is built: who did it and from where, what, to which object, how it went, and the facts worth keeping. */
export function auditEntry(
  actor: Pick<Actor, 'username' | 'source'> & { readonly role?: string | undefined },
  action: string,
  object?: { readonly type: string; readonly id?: string | undefined },
  outcome: AuditOutcome = 'ok',
  detail?: Readonly<Record<string, unknown>>,
): AuditEntry {
  return {
    actor: actor.username,
    ...(actor.role !== undefined ? { role: actor.role } : {}),
    action,
    ...(object ? { objectType: object.type, ...(object.id !== undefined ? { objectId: object.id } : {}) } : {}),
    ...(actor.source !== undefined ? { source: actor.source } : {}),
    outcome,
    ...(detail !== undefined ? { detail } : {}),
  };
}
