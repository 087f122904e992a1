import type { FastifyRequest } from 'fastify';

import type { Actor } from '../core/actor.ts';

export type { Actor };

export function actorOf(request: FastifyRequest): Actor {
  const session = request.session;
  return { username: session?.username ?? 'anonymous', role: session?.role ?? 'none', source: request.ip };
}
