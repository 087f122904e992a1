import { createHash } from 'node:crypto';
import type { Db } from './database.ts';

export type Role = 'guard' | 'officer' | 'admin';

export interface Session {
  readonly username: string;
  readonly role: Role;
  readonly expiresAt: number;
}

/** Bearer sessions. Only a SHA-256 of each token is stored, so a copied database holds no usable token. */
export class SessionStore {
  constructor(private readonly db: Db) {}

  private static digest(token: string): string {
    return createHash('sha256').update(token).digest('hex');
  }

  create(token: string, session: Session, now: number): void {
    this.db
      .prepare('INSERT INTO sessions (token_hash, username, role, created_at, expires_at) VALUES (?, ?, ?, ?, ?)')
      .run(SessionStore.digest(token), session.username, session.role, now, session.expiresAt);
  }

  find(token: string, now: number): Session | undefined {
    const row = this.db.prepare('SELECT username, role, expires_at FROM sessions WHERE token_hash = ?').get(SessionStore.digest(token)) as
      | { username: string; role: Role; expires_at: number }
      | undefined;
    if (!row || row.expires_at <= now) return undefined;
    return { username: row.username, role: row.role, expiresAt: row.expires_at };
  }

  revoke(token: string): void {
    this.db.prepare('DELETE FROM sessions WHERE token_hash = ?').run(SessionStore.digest(token));
  }

  /** Delete the sessions of users that no longer exist, or whose role changed. Returns how many. */
  retainUsers(users: readonly { username: string; role: Role }[]): number {
    const rows = this.db.prepare('SELECT DISTINCT username, role FROM sessions').all() as { username: string; role: Role }[];
    const current = new Map(users.map((u) => [u.username, u.role]));
    const stale = rows.filter((r) => current.get(r.username) !== r.role);
    const del = this.db.prepare('DELETE FROM sessions WHERE username = ? AND role = ?');
    for (const r of stale) del.run(r.username, r.role);
    return stale.length;
  }

  /** Every session of one user (deleted, or its password changed): how many. */
  revokeUser(username: string): number {
    return this.db.prepare('DELETE FROM sessions WHERE username = ?').run(username).changes;
  }

  /** Every session of one user but the one in use (a changed password). */
  revokeUserExcept(username: string, keepToken: string): number {
    return this.db.prepare('DELETE FROM sessions WHERE username = ? AND token_hash <> ?').run(username, SessionStore.digest(keepToken)).changes;
  }

  purgeExpired(now: number): number {
    return this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(now).changes;
  }
}
