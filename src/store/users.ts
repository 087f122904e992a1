import type { Db } from './database.ts';
import type { Role } from './sessions.ts';

export interface StoredUser {
  readonly username: string;
  readonly role: Role;
  readonly passwordHash: string;
  readonly name?: string | undefined;
  readonly createdAt: number;
  readonly createdBy: string;
  /** When an admin disabled the account (it cannot sign in; its sessions ended). */
  readonly disabledAt?: number | undefined;
}

interface Row {
  username: string;
  role: Role;
  password_hash: string;
  name: string | null;
  created_at: number;
  created_by: string;
  disabled_at: number | null;
}

const toUser = (r: Row): StoredUser => ({
  username: r.username,
  role: r.role,
  passwordHash: r.password_hash,
  ...(r.name !== null ? { name: r.name } : {}),
  createdAt: r.created_at,
  createdBy: r.created_by,
  ...(r.disabled_at !== null ? { disabledAt: r.disabled_at } : {}),
});

/** Users added through the API (the config file's users are pinned there, not stored). */
export class UserStore {
  private readonly getStmt;
  constructor(private readonly db: Db) {
    this.getStmt = db.prepare('SELECT * FROM users WHERE username = ?');
  }

  get(username: string): StoredUser | undefined {
    const row = this.getStmt.get(username) as Row | undefined;
    return row ? toUser(row) : undefined;
  }

  list(): StoredUser[] {
    return (this.db.prepare('SELECT * FROM users ORDER BY username').all() as Row[]).map(toUser);
  }

  create(user: StoredUser): void {
    this.db
      .prepare('INSERT INTO users (username, role, password_hash, name, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)')
      .run(user.username, user.role, user.passwordHash, user.name ?? null, user.createdAt, user.createdBy);
  }

  delete(username: string): boolean {
    return this.db.prepare('DELETE FROM users WHERE username = ?').run(username).changes > 0;
  }

  /** Disable (at `at`) or enable (null) an account; false when there is no such user. */
  setDisabled(username: string, at: number | null): boolean {
    return this.db.prepare('UPDATE users SET disabled_at = ? WHERE username = ?').run(at, username).changes > 0;
  }

  setPasswordHash(username: string, hash: string): void {
    this.db.prepare('UPDATE users SET password_hash = ? WHERE username = ?').run(hash, username);
  }
}
