import type { Role, Session } from '../lib/types.ts';

/**
 * The sign-in survives a reload: the token lives in localStorage until sign-out
 * or expiry (a guard-room PC that reboots at 3 a.m. comes back signed in for the
 * rest of the shift; the hub's tokenTtl bounds it).
 */
const KEY = 'gatehouse.session';

export function loadSession(now: number): Session | undefined {
  try {
    const raw = localStorage.getItem(KEY);
    if (!raw) return undefined;
    const s = JSON.parse(raw) as Partial<Session>;
    if (typeof s.token !== 'string' || typeof s.username !== 'string' || typeof s.expiresAt !== 'number') return undefined;
    if (s.expiresAt <= now) {
      localStorage.removeItem(KEY);
      return undefined;
    }
    return { token: s.token, username: s.username, role: (s.role ?? 'guard') as Role, expiresAt: s.expiresAt };
  } catch {
    return undefined;
  }
}

export function saveSession(session: Session | undefined): void {
  try {
    if (session) localStorage.setItem(KEY, JSON.stringify(session));
    else localStorage.removeItem(KEY);
  } catch {
    // private mode or storage full: the session lasts until reload
  }
}

export function isOfficer(session: Session | undefined | null): boolean {
  return session?.role === 'officer' || session?.role === 'admin';
}
