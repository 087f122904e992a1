/** Sign-in throttling, the password-check limit and tickets: pure, with explicit times. */
import { describe, expect, test } from 'vitest';
import { SignInThrottle } from '../../src/auth/signInThrottle.ts';
import { WorkLimit } from '../../src/auth/workLimit.ts';
import { TicketBook } from '../../src/auth/tickets.ts';
import { GatehouseError } from '../../src/core/errors.ts';

describe('SignInThrottle', () => {
  test('attempts reserved before the check count against the limit; a success takes its own back', () => {
    const t = new SignInThrottle(5, 60_000);
    const undo: (() => void)[] = [];
    for (let i = 0; i < 5; i++) {
      expect(t.blocked('guard1', 1000)).toBe(false);
      undo.push(t.reserve('guard1', 1000));
    }
    expect(t.blocked('guard1', 1000)).toBe(true);
    undo[4]!(); // the last one succeeded
    expect(t.count('guard1', 1000)).toBe(4);
    expect(t.blocked('guard1', 1000 + 60_000)).toBe(false); // the window slides
  });

  test('past its key limit it forgets the oldest unlocked key: a spray of names never unlocks the account under attack', () => {
    const t = new SignInThrottle(5, 60_000, 100);
    for (let i = 0; i < 5; i++) t.reserve('guard1', 1000);
    for (let i = 0; i < 1000; i++) t.reserve(`spray-${i}`, 1001);
    expect(t.size).toBe(100);
    expect(t.blocked('guard1', 1002)).toBe(true);
    expect(t.count('spray-999', 1002)).toBe(1); // the newest are kept
    expect(t.count('spray-0', 1002)).toBe(0); // the oldest unlocked went first
  });
});

describe('WorkLimit', () => {
  test('runs at most `concurrency` at once, queues `queue` more, refuses the rest with GH_AUTH_BUSY', async () => {
    const limit = new WorkLimit(2, 3);
    let running = 0;
    let peak = 0;
    const gates: (() => void)[] = [];
    const work = (): Promise<number> =>
      new Promise<number>((resolve) => {
        running++;
        peak = Math.max(peak, running);
        gates.push(() => {
          running--;
          resolve(1);
        });
      });
    const results = Array.from({ length: 8 }, () => limit.run(work).then(() => 'ok', (e: unknown) => (e instanceof GatehouseError ? e.code : 'other')));
    await new Promise((r) => setTimeout(r, 0));
    expect(running).toBe(2);
    while (gates.length) {
      gates.shift()!();
      await new Promise((r) => setTimeout(r, 0));
    }
    expect(await Promise.all(results)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'GH_AUTH_BUSY', 'GH_AUTH_BUSY', 'GH_AUTH_BUSY']);
    expect(peak).toBe(2);
    expect(limit.busy).toBe(0);
  });

  test('a failing check frees its slot', async () => {
    const limit = new WorkLimit(1, 0);
    await expect(limit.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    await expect(limit.run(() => Promise.resolve(7))).resolves.toBe(7);
  });
});

describe('TicketBook', () => {
  test('a ticket is good once, within its time', () => {
    const book = new TicketBook(30_000);
    const { ticket, expiresAt } = book.issue('token-a', 1000);
    expect(expiresAt).toBe(31_000);
    expect(book.redeem(ticket, 2000)).toBe('token-a');
    expect(book.redeem(ticket, 2000)).toBeUndefined();
    const late = book.issue('token-a', 1000).ticket;
    expect(book.redeem(late, 31_000)).toBeUndefined();
    expect(book.redeem('made-up', 1000)).toBeUndefined();
  });

  test('a session that ends takes its tickets with it; the book stays bounded', () => {
    const book = new TicketBook(30_000, 10);
    const a = book.issue('token-a', 1000).ticket;
    const b = book.issue('token-b', 1000).ticket;
    book.revokeToken('token-a');
    expect(book.redeem(a, 1001)).toBeUndefined();
    expect(book.redeem(b, 1001)).toBe('token-b');
    const many = Array.from({ length: 20 }, () => book.issue('token-c', 2000).ticket);
    expect(book.redeem(many[0]!, 2001)).toBeUndefined(); // evicted
    expect(book.redeem(many[19]!, 2001)).toBe('token-c');
  });
});
