import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserConfig } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import { GatehouseError } from '../core/errors.ts';
import { verifyPassword, hashPassword } from '../auth/password.ts';
import type { Role, Session, SessionStore } from '../store/sessions.ts';
import type { AuditLog } from '../store/audit.ts';

export type { Role, Session };

/** Sign-in and bearer sessions for the configured users. */
export class AuthService {
  private readonly users: ReadonlyMap<string, UserConfig>;
  private dummyHash: Promise<string> | undefined;

  constructor(
    users: readonly UserConfig[],
    private readonly sessions: SessionStore,
    private readonly ttlSeconds: number,
    private readonly clock: Clock,
  ) {
    this.users = new Map(users.map((u) => [u.username, u]));
  }

  /** Failed sign-ins per username and per source address in the last minute. */
  private readonly failures = new Map<string, number[]>();
  /** Per username (guessing one account) and per address (spraying many names). */
  private static readonly MAX_PER_USER = 5;
  private static readonly MAX_PER_ADDRESS = 20;
  private static readonly WINDOW_MS = 60_000;

  /** True when this username or address has failed too often lately (checked before spending scrypt). */
  throttled(username: string, source: string): boolean {
    const now = this.clock.now();
    const recent = (k: string): number => (this.failures.get(k) ?? []).filter((t) => now - t < AuthService.WINDOW_MS).length;
    return recent(`u:${username}`) >= AuthService.MAX_PER_USER || recent(`a:${source}`) >= AuthService.MAX_PER_ADDRESS;
  }

  private recordFailure(username: string, source: string): void {
    const now = this.clock.now();
    for (const k of [`u:${username}`, `a:${source}`]) {
      const recent = (this.failures.get(k) ?? []).filter((t) => now - t < AuthService.WINDOW_MS);
      recent.push(now);
      this.failures.set(k, recent);
    }
    if (this.failures.size > 10_000) this.failures.clear(); // bounded memory under a spray of names
  }

  async login(username: string, password: string, source = 'unknown'): Promise<{ token: string; session: Session } | undefined> {
    if (this.throttled(username, source)) throw new GatehouseError('GH_AUTH_THROTTLED');
    const result = await this.check(username, password);
    if (!result) this.recordFailure(username, source);
    return result;
  }

  private async check(username: string, password: string): Promise<{ token: string; session: Session } | undefined> {
    const user = this.users.get(username);
    if (!user) {
      // Spend the same time as for a real user so timing does not reveal who exists.
      this.dummyHash ??= hashPassword(randomBytes(16).toString('hex'));
      await verifyPassword(password, await this.dummyHash);
      return undefined;
    }
    if (!(await verifyPassword(password, user.passwordHash))) return undefined;
    const token = randomBytes(32).toString('base64url');
    const now = this.clock.now();
    const session: Session = { username: user.username, role: user.role, expiresAt: now + this.ttlSeconds * 1000 };
    this.sessions.create(token, session, now);
    return { token, session };
  }

  authenticate(token: string): Session | undefined {
    return this.sessions.find(token, this.clock.now());
  }

  logout(token: string): void {
    this.sessions.revoke(token);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    session?: Session;
    token?: string;
  }
  interface FastifyContextConfig {
    /** Roles allowed on this route; a route under /api/v1 without it is closed to everyone. */
    roles?: readonly Role[];
    /** The route needs no session (sign-in). */
    public?: boolean;
    /** Accept the token as ?access_token= too (EventSource cannot send headers). */
    tokenInQuery?: boolean;
  }
}

export const ALL_ROLES: readonly Role[] = ['guard', 'officer', 'admin'];

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  if (request.routeOptions.config.tokenInQuery) {
    const q = (request.query as Record<string, unknown> | undefined)?.['access_token'];
    if (typeof q === 'string') return q;
  }
  return undefined;
}

/**
 * onRequest hook for every route that matched: a route marked public passes; any
 * other needs a valid bearer token and one of the route's roles (none declared: no one).
 */
export function guard(auth: AuthService, audit: AuditLog, clock: Clock) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const config = request.routeOptions.config;
    if (config.public) return;
    const token = bearer(request);
    if (!token) throw new GatehouseError('GH_AUTH_REQUIRED');
    const session = auth.authenticate(token);
    if (!session) throw new GatehouseError('GH_TOKEN_EXPIRED');
    request.session = session;
    request.token = token;
    const roles = config.roles;
    if (!roles || !roles.includes(session.role)) {
      // A refusal is itself worth knowing about: who tried what, from where.
      audit.append(
        {
          actor: session.username,
          role: session.role,
          action: 'forbidden',
          objectType: 'route',
          objectId: `${request.method} ${request.routeOptions.url}`,
          source: request.ip,
          outcome: 'denied',
          detail: { url: request.url.split('?')[0] },
        },
        clock.now(),
      );
      throw new GatehouseError('GH_FORBIDDEN', `${request.method} ${request.routeOptions.url} needs ${roles?.join(' or ') ?? 'no one'}; you are ${session.role}`);
    }
  };
}
