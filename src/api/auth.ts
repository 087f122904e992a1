import { auditEntry } from '../core/audit.ts';
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { UserConfig } from '../config/schema.ts';
import type { Clock } from '../core/clock.ts';
import { GatehouseError } from '../core/errors.ts';
import { verifyPassword, hashPassword, safeEqual } from '../auth/password.ts';
import type { Role, Session, SessionStore } from '../store/sessions.ts';
import type { UserStore } from '../store/users.ts';
import type { AuditLog } from '../store/audit.ts';
import type { Actor } from '../core/actor.ts';
import type { AuditOutcome } from '../core/audit.ts';
import { SignInThrottle } from '../auth/signInThrottle.ts';
import { WorkLimit } from '../auth/workLimit.ts';
import { TicketBook } from '../auth/tickets.ts';

export type { Role, Session };

/** Failed sign-ins allowed per username and per source address in a minute. */
const MAX_PER_USER = 5;
const MAX_PER_ADDRESS = 20;
const WINDOW_MS = 60_000;

/** Sign-in and bearer sessions for the configured users. */
export class AuthService {
  private users: ReadonlyMap<string, UserConfig>;
  private dummyHash: Promise<string> | undefined;
  /** Per username (guessing one account) and per address (spraying many names). */
  private readonly perUser = new SignInThrottle(MAX_PER_USER, WINDOW_MS);
  private readonly perAddress = new SignInThrottle(MAX_PER_ADDRESS, WINDOW_MS);
  /** scrypt checks at once (each 128 MiB): two cores, a short queue, then 503. */
  private readonly passwordChecks = new WorkLimit(2, 32);
  private readonly tickets = new TicketBook();
  /** Who listens for the end of a session (live-feed streams), by token. */
  private readonly endListeners = new Map<string, Set<() => void>>();
  /** The user of each token that has listeners (to end them when the user is deleted). */
  private readonly owners = new Map<string, string>();

  constructor(
    users: readonly UserConfig[],
    private readonly sessions: SessionStore,
    private readonly ttlSeconds: number,
    private readonly clock: Clock,
    /** Users added through the API; the config file's users are pinned there. */
    private readonly store?: UserStore,
    /** Sign-ins, sign-outs and every change to a user are audited here. */
    private readonly audit?: AuditLog,
  ) {
    this.users = new Map(users.map((u) => [u.username, u]));
    // A user removed or demoted in the config loses the sessions it had before this start.
    sessions.retainUsers([...users, ...(store?.list() ?? [])].map((u) => ({ username: u.username, role: u.role })));
  }

  /**
   * The config file's users changed (a reload): a user removed, demoted, or given a
   * new password hash there is signed out everywhere at once, live streams included.
   */
  reconfigure(users: readonly UserConfig[]): string[] {
    const next = new Map(users.map((u) => [u.username, u]));
    const ended: string[] = [];
    for (const [username, was] of this.users) {
      const now = next.get(username);
      if (now && now.role === was.role && now.passwordHash === was.passwordHash) continue;
      ended.push(username);
    }
    this.users = next;
    for (const username of ended) this.endUser(username);
    return ended;
  }

  /** A user by name: the config file's first (pinned), then the ones added through the API. */
  private userOf(username: string): { username: string; role: Role; passwordHash: string } | undefined {
    const user = this.users.get(username) ?? this.store?.get(username);
    return user && 'disabledAt' in user && user.disabledAt !== undefined ? undefined : user; // a disabled account is no account
  }

  /** Every user, the config file's marked pinned. */
  listUsers(): { username: string; role: Role; name?: string; source: 'config' | 'api'; createdAt?: number; createdBy?: string; disabledAt?: number }[] {
    const pinned = [...this.users.values()].map((u) => ({ username: u.username, role: u.role, ...(u.name ? { name: u.name } : {}), source: 'config' as const }));
    const added = (this.store?.list() ?? []).filter((u) => !this.users.has(u.username));
    return [...pinned, ...added.map((u) => ({ username: u.username, role: u.role, ...(u.name ? { name: u.name } : {}), source: 'api' as const, createdAt: u.createdAt, createdBy: u.createdBy, ...(u.disabledAt !== undefined ? { disabledAt: u.disabledAt } : {}) }))].sort((a, b) =>
      a.username.localeCompare(b.username),
    );
  }

  private audited(by: Parameters<typeof auditEntry>[0], action: string, username: string | undefined, outcome: AuditOutcome = 'ok', detail?: Record<string, unknown>): void {
    this.audit?.append(auditEntry(by, action, username === undefined ? undefined : { type: 'user', id: username }, outcome, detail), this.clock.now());
  }

  /** Add a user (admin); the password is hashed here (12+ characters, checked by the route). */
  async addUser(input: { username: string; role: Role; password: string; name?: string | undefined }, by: Actor): Promise<void> {
    if (!this.store) throw new GatehouseError('GH_USER_PINNED', 'this hub keeps no users outside its config file');
    if (this.userOf(input.username)) throw new GatehouseError('GH_USER_EXISTS', input.username);
    const passwordHash = await this.passwordChecks.run(() => hashPassword(input.password));
    if (this.userOf(input.username)) throw new GatehouseError('GH_USER_EXISTS', input.username);
    this.store.create({ username: input.username, role: input.role, passwordHash, name: input.name, createdAt: this.clock.now(), createdBy: by.username });
    this.audited(by, 'user.create', input.username, 'ok', { role: input.role });
  }

  /** Delete a user added through the API: its tokens and live streams die at once. */
  removeUser(username: string, by: Actor): void {
    if (this.users.has(username)) throw new GatehouseError('GH_USER_PINNED', `${username} is in the config file: remove it there`);
    if (!this.store?.delete(username)) throw new GatehouseError('GH_USER_NOT_FOUND', username);
    this.endUser(username);
    this.audited(by, 'user.delete', username);
  }

  /** Disable (it cannot sign in, its tokens and streams end at once) or enable again a user added through the API. */
  setDisabled(username: string, disabled: boolean, by: Actor): void {
    if (this.users.has(username)) throw new GatehouseError('GH_USER_PINNED', `${username} is in the config file: remove it there`);
    if (disabled && username === by.username) throw new GatehouseError('GH_USER_SELF', username);
    const user = this.store?.get(username);
    if (!user) throw new GatehouseError('GH_USER_NOT_FOUND', username);
    if ((user.disabledAt !== undefined) !== disabled) {
      this.store!.setDisabled(username, disabled ? this.clock.now() : null);
      if (disabled) this.endUser(username);
    }
    this.audited(by, disabled ? 'user.disable' : 'user.enable', username);
  }

  /** Change one's own password (an API user; the config file pins its users' hashes). Other sessions of the user end. */
  async changePassword(by: Actor, oldPassword: string, newPassword: string, keepToken: string): Promise<void> {
    const username = by.username;
    if (this.users.has(username)) {
      throw new GatehouseError('GH_USER_PINNED', `${username}'s password is in the config file: set a new passwordHash there with gatehouse hash-password`);
    }
    const user = this.store?.get(username);
    if (!user) throw new GatehouseError('GH_USER_NOT_FOUND', username);
    const ok = await this.passwordChecks.run(() => verifyPassword(oldPassword, user.passwordHash));
    if (!ok) throw new GatehouseError('GH_PASSWORD_WRONG', undefined, 'body.oldPassword');
    const hash = await this.passwordChecks.run(() => hashPassword(newPassword));
    this.store!.setPasswordHash(username, hash);
    for (const [token, owner] of this.owners) if (owner === username && token !== keepToken) this.end(token);
    this.sessions.revokeUserExcept(username, keepToken);
    this.audited(by, 'user.password', username);
  }

  /** An admin sets a new password for a user added through the API (forgotten, or shared): every session of theirs ends. */
  async resetPassword(username: string, newPassword: string, by: Actor): Promise<void> {
    if (this.users.has(username)) {
      throw new GatehouseError('GH_USER_PINNED', `${username}'s password is in the config file: set a new passwordHash there with gatehouse hash-password`);
    }
    if (!this.store?.get(username)) throw new GatehouseError('GH_USER_NOT_FOUND', username);
    const hash = await this.passwordChecks.run(() => hashPassword(newPassword));
    if (!this.store.get(username)) throw new GatehouseError('GH_USER_NOT_FOUND', username); // deleted meanwhile
    this.store.setPasswordHash(username, hash);
    this.endUser(username);
    this.audited(by, 'user.password.reset', username);
  }

  private endUser(username: string): void {
    this.sessions.revokeUser(username);
    for (const [token, owner] of this.owners) if (owner === username) this.end(token);
  }

  /** True when this username or address has failed too often lately (checked before spending scrypt). */
  throttled(username: string, source: string): boolean {
    const now = this.clock.now();
    return this.perUser.blocked(username, now) || this.perAddress.blocked(source, now);
  }

  /** Sign in: audited whatever the outcome (refused unchecked, wrong, or signed in). */
  async login(username: string, password: string, source = 'unknown'): Promise<{ token: string; session: Session } | undefined> {
    // Who it claimed to be (not signed in yet): the name as typed, cut to a sane length.
    const claimed = { username: username.slice(0, 64), source };
    let result: { token: string; session: Session } | undefined;
    try {
      result = await this.checkSignIn(username, password, source);
    } catch (err) {
      this.audited(claimed, 'login', undefined, 'denied', { reason: 'throttled' });
      throw err;
    }
    if (result) this.audited({ username: result.session.username, role: result.session.role, source }, 'login', undefined);
    else this.audited(claimed, 'login', undefined, 'failed');
    return result;
  }

  private async checkSignIn(username: string, password: string, source: string): Promise<{ token: string; session: Session } | undefined> {
    if (this.throttled(username, source)) throw new GatehouseError('GH_AUTH_THROTTLED');
    // Counted as failures before the slow check, so parallel guesses meet the limit too.
    const now = this.clock.now();
    const undo = [this.perUser.reserve(username, now), this.perAddress.reserve(source, now)];
    let result: { token: string; session: Session } | undefined;
    try {
      result = await this.passwordChecks.run(() => this.check(username, password));
    } catch (err) {
      if (err instanceof GatehouseError && err.code === 'GH_AUTH_BUSY') for (const u of undo) u(); // never checked: no guess spent
      throw err;
    }
    if (result) for (const u of undo) u();
    return result;
  }

  private async check(username: string, password: string): Promise<{ token: string; session: Session } | undefined> {
    const user = this.userOf(username);
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

  /**
   * The session behind a token, if it is still good: not expired, not signed out,
   * and its user still exists with the same role (a removed or demoted user's
   * token dies at once).
   */
  authenticate(token: string): Session | undefined {
    const session = this.sessions.find(token, this.clock.now());
    if (!session) return undefined;
    const user = this.userOf(session.username);
    if (!user || user.role !== session.role) {
      this.end(token);
      return undefined;
    }
    return session;
  }

  logout(token: string | undefined, by: Actor): void {
    if (token) this.end(token);
    this.audited(by, 'logout', undefined);
  }

  /** A single-use ticket (30 s) standing for this session, for a URL that cannot carry a header. */
  issueTicket(token: string): { ticket: string; expiresAt: number } {
    return this.tickets.issue(token, this.clock.now());
  }

  /** The session behind a ticket, spending it. */
  redeemTicket(ticket: string): { token: string; session: Session } | undefined {
    const token = this.tickets.redeem(ticket, this.clock.now());
    const session = token === undefined ? undefined : this.authenticate(token);
    return token !== undefined && session ? { token, session } : undefined;
  }

  /** Run `listener` when this session ends (sign-out, user removed or demoted); returns an unsubscribe. */
  onSessionEnd(token: string, username: string, listener: () => void): () => void {
    let set = this.endListeners.get(token);
    if (!set) this.endListeners.set(token, (set = new Set()));
    set.add(listener);
    this.owners.set(token, username);
    return () => {
      set.delete(listener);
      if (set.size === 0) {
        this.endListeners.delete(token);
        this.owners.delete(token);
      }
    };
  }

  private end(token: string): void {
    this.sessions.revoke(token);
    this.tickets.revokeToken(token);
    const listeners = this.endListeners.get(token);
    this.endListeners.delete(token);
    this.owners.delete(token);
    for (const l of listeners ?? []) l();
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
    /** Besides a session with one of `roles`, the configured http.metricsToken opens it (a Prometheus scraper). */
    metricsToken?: boolean;
    /**
     * Accept a single-use `?ticket=` (from POST /api/v1/auth/ticket) instead of the
     * header, for a GET a browser opens by URL (EventSource, a printable page).
     */
    ticketInQuery?: boolean;
  }
}

export const ALL_ROLES: readonly Role[] = ['guard', 'officer', 'admin'];

function bearer(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  return undefined;
}

function ticketOf(request: FastifyRequest): string | undefined {
  if (!request.routeOptions.config.ticketInQuery || (request.method !== 'GET' && request.method !== 'HEAD')) return undefined;
  const q = (request.query as Record<string, unknown> | undefined)?.['ticket'];
  return typeof q === 'string' ? q : undefined;
}

/** The session of a request: its bearer header, or a ticket where the route takes one. */
function sessionOf(auth: AuthService, request: FastifyRequest): { token: string; session: Session } {
  const token = bearer(request);
  if (token) {
    const session = auth.authenticate(token);
    if (!session) throw new GatehouseError('GH_TOKEN_EXPIRED');
    return { token, session };
  }
  const ticket = ticketOf(request);
  if (ticket === undefined) throw new GatehouseError('GH_AUTH_REQUIRED');
  const granted = auth.redeemTicket(ticket);
  if (!granted) throw new GatehouseError('GH_TICKET_INVALID');
  return granted;
}

/**
 * onRequest hook for every route that matched: a route marked public passes; any
 * other needs a valid bearer token and one of the route's roles (none declared: no one).
 */
export function guard(auth: AuthService, audit: AuditLog, clock: Clock, metricsToken?: string) {
  return async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    const config = request.routeOptions.config;
    if (config.public) return;
    if (config.metricsToken && metricsToken !== undefined) {
      const given = bearer(request);
      if (given !== undefined && safeEqual(given, metricsToken)) return;
    }
    const { token, session } = sessionOf(auth, request);
    request.session = session;
    request.token = token;
    const roles = config.roles;
    if (!roles || !roles.includes(session.role)) {
      // A refusal is itself worth knowing about: who tried what, from where.
      audit.append(
        auditEntry({ username: session.username, role: session.role, source: request.ip }, 'forbidden', { type: 'route', id: `${request.method} ${request.routeOptions.url}` }, 'denied', { url: request.url.split('?')[0] }),
        clock.now(),
      );
      throw new GatehouseError('GH_FORBIDDEN', `${request.method} ${request.routeOptions.url} needs ${roles?.join(' or ') ?? 'no one'}; you are ${session.role}`);
    }
  };
}
