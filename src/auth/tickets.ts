import { randomBytes } from 'node:crypto';

/** What a ticket stands for: the session that asked for it. */
export interface TicketGrant {
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * Short-lived, single-use tickets for the few GET routes a browser opens without
 * an Authorization header (the live feed's EventSource, the printable report).
 * The long-lived bearer token then never appears in a URL, a browser history or
 * a printout; a ticket that leaks is already spent or expires within seconds.
 * Held in memory only: a restart just makes the console ask for a new one.
 */
export class TicketBook {
  private readonly tickets = new Map<string, TicketGrant>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxTickets = 10_000,
  ) {}

  issue(token: string, now: number): { ticket: string; expiresAt: number } {
    this.sweep(now);
    const ticket = randomBytes(24).toString('base64url');
    const expiresAt = now + this.ttlMs;
    this.tickets.set(ticket, { token, expiresAt });
    while (this.tickets.size > this.maxTickets) this.tickets.delete(this.tickets.keys().next().value as string);
    return { ticket, expiresAt };
  }

  /** The token behind a ticket, once: a second use (or a late one) finds nothing. */
  redeem(ticket: string, now: number): string | undefined {
    const grant = this.tickets.get(ticket);
    if (!grant) return undefined;
    this.tickets.delete(ticket);
    return grant.expiresAt > now ? grant.token : undefined;
  }

  /** Forget every ticket of a session that ended. */
  revokeToken(token: string): void {
    for (const [ticket, grant] of this.tickets) if (grant.token === token) this.tickets.delete(ticket);
  }

  private sweep(now: number): void {
    for (const [ticket, grant] of this.tickets) {
      if (grant.expiresAt > now) break; // insertion order is expiry order
      this.tickets.delete(ticket);
    }
  }
}
