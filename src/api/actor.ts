import type { FastifyRequest } from 'fastify';
import type { AuditEntry } from '../store/audit.ts';

import type { Actor } from '../core/actor.ts';

export type { Actor };

export function actorOf(request: FastifyRequest): Actor {
  const session = request.session;
  return { username: session?.username ?? 'anonymous', role: session?.role ?? 'none', source: request.ip };
}

export function auditEntry(
  actor: Actor,
  action: string,
  object: { type: string; id: string } | undefined,
  outcome: AuditEntry['outcome'] = 'ok',
  detail?: Record<string, unknown>,
): AuditEntry {
  return {
    actor: actor.username,
    role: actor.role,
    action,
    objectType: object?.type,
    objectId: object?.id,
    source: actor.source,
    outcome,
    detail,
  };
}
