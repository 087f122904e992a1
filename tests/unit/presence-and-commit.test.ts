import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Presence } from '../../src/core/presence.ts';
import { GroupCommit, MAX_QUEUED_ITEMS, QueueFullError } from '../../src/ingest/groupCommit.ts';

describe('presence', () => {
  const T0 = 1_000_000;
  it('goes online on the first message and offline after offlineAfter of silence', () => {
    const p = new Presence([{ id: 'd', offlineAfter: 60 }], [], T0);
    expect(p.seen('d', T0 + 1000)).toMatchObject({ online: true });
    expect(p.seen('d', T0 + 2000)).toBeUndefined();
    expect(p.tick(T0 + 61_000)).toEqual([]);
    const [t] = p.tick(T0 + 62_001);
    expect(t).toMatchObject({ deviceId: 'd', online: false });
    expect(t!.reason).toMatch(/silent for 60 s/);
    expect(p.tick(T0 + 200_000)).toEqual([]); // once
  });

  it('times out devices never heard from, counting from hub start', () => {
    const p = new Presence([{ id: 'd', offlineAfter: 10 }], [], T0);
    expect(p.tick(T0 + 10_001)).toHaveLength(1);
  });

  it('takes the device at its word (status / last will) and merges health', () => {
    const p = new Presence([{ id: 'd', offlineAfter: 60 }], [], T0);
    p.status('d', T0, true, { battery: 80 }, 'online');
    expect(p.status('d', T0 + 1, undefined, { rssi: -60 }, 'health')).toBeUndefined();
    expect(p.get('d')!.health).toEqual({ battery: 80, rssi: -60 });
    expect(p.status('d', T0 + 2, false, undefined, 'last will')).toMatchObject({ online: false, reason: 'last will' });
    expect(p.status('d', T0 + 3, false, undefined, 'last will')).toBeUndefined();
  });

  it('restores what it knew before a restart', () => {
    const p = new Presence([{ id: 'd', offlineAfter: 60 }], [{ deviceId: 'd', online: false, lastSeen: 5, health: { battery: 3 } }], T0);
    expect(p.get('d')).toMatchObject({ online: false, lastSeen: 5, health: { battery: 3 } });
    expect(p.seen('d', T0)).toMatchObject({ online: true });
  });
});

describe('group commit', () => {
  it('batches everything queued in one turn into one commit, then answers every waiter', async () => {
    const batches: number[][] = [];
    const gc = new GroupCommit<number>({ commit: (items) => void batches.push([...items]), windowMs: 0 });
    const answered: number[] = [];
    for (let i = 0; i < 5; i++) gc.enqueue([i, i + 100], () => answered.push(i));
    expect(answered).toEqual([]); // nothing answered before the commit
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([[0, 100, 1, 101, 2, 102, 3, 103, 4, 104]]);
    expect(answered).toEqual([0, 1, 2, 3, 4]);
  });

  it('splits at maxBatch without splitting one entry', async () => {
    const batches: number[] = [];
    const gc = new GroupCommit<number>({ commit: (items) => void batches.push(items.length), maxBatch: 4, windowMs: 0 });
    for (let i = 0; i < 5; i++) gc.enqueue([1, 2], () => undefined);
    await new Promise((r) => setImmediate(r));
    expect(batches).toEqual([4, 4, 2]);
  });

  it('fails every waiter of a failed batch and keeps going with the next', async () => {
    let first = true;
    const gc = new GroupCommit<number>({
      commit: () => {
        if (first) {
          first = false;
          throw new Error('disk full');
        }
      },
      maxBatch: 1,
      windowMs: 0,
    });
    const results: (string | null)[] = [];
    gc.enqueue([1], (err) => results.push(err?.message ?? null));
    gc.enqueue([2], (err) => results.push(err?.message ?? null));
    await new Promise((r) => setImmediate(r));
    expect(results).toEqual(['disk full', null]);
  });

  it('bounds the queue: routine items beyond maxQueued are refused at once, urgent ones always taken, and room comes back after a commit', async () => {
    expect(MAX_QUEUED_ITEMS).toBeGreaterThan(10_000);
    const committed: number[] = [];
    const gc = new GroupCommit<number>({ commit: (items) => void committed.push(...items), windowMs: 0, maxQueued: 10 });
    const errors: (Error | null)[] = [];
    for (let i = 0; i < 1000; i++) gc.enqueue([i], (err) => err && errors.push(err));
    expect(gc.pending).toBe(10);
    expect(gc.refused).toBe(990);
    expect(errors).toHaveLength(990);
    expect(errors[0]).toBeInstanceOf(QueueFullError);
    expect(errors[0]!.message).toMatch(/commit queue is full \(10 events waiting\)/);
    gc.enqueue([-1], (err) => errors.push(err), true); // a panic is never refused
    expect(gc.pending).toBe(11);
    await new Promise((r) => setImmediate(r));
    expect(committed).toEqual([...Array.from({ length: 10 }, (_, i) => i), -1]);
    gc.enqueue([2000], () => undefined);
    expect(gc.pending).toBe(1);
  });

  it('runs post-commit work after the waiters are answered', async () => {
    const order: string[] = [];
    const gc = new GroupCommit<number>({ commit: () => () => order.push('after') });
    gc.enqueue([1], () => order.push('done'));
    gc.flush();
    expect(order).toEqual(['done', 'after']);
  });

  it('with an urgent item in the batch, tells the guard room before answering the waiters', () => {
    const order: string[] = [];
    const gc = new GroupCommit<number>({ commit: () => () => order.push('after') });
    gc.enqueue([1], () => order.push('routine done'));
    gc.enqueue([2], () => order.push('urgent done'), true);
    gc.flush();
    expect(order).toEqual(['after', 'routine done', 'urgent done']);
  });

  describe('commit window (fake timers: no timing assumptions)', () => {
    beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate'] }));
    afterEach(() => vi.useRealTimers());

    it('lets routine items wait up to the window for company, then commits them together', () => {
      const batches: number[][] = [];
      const gc = new GroupCommit<number>({ commit: (items) => void batches.push([...items]), windowMs: 5 });
      gc.enqueue([1], () => undefined);
      vi.advanceTimersByTime(1); // the next turn has come and gone
      gc.enqueue([2], () => undefined);
      expect(batches).toEqual([]);
      vi.advanceTimersByTime(4);
      expect(batches).toEqual([[1, 2]]);
    });

    it('commits an urgent item on the next turn, taking the routine ones queued before it', () => {
      const batches: number[][] = [];
      const answered: number[] = [];
      const gc = new GroupCommit<number>({ commit: (items) => void batches.push([...items]), windowMs: 50 });
      gc.enqueue([1], () => answered.push(1));
      gc.enqueue([99], () => answered.push(99), true);
      vi.advanceTimersByTime(1); // the immediate ran; the 50 ms window had not come
      expect(batches).toEqual([[1, 99]]);
      expect(answered).toEqual([1, 99]);
      vi.advanceTimersByTime(100);
      expect(batches).toHaveLength(1); // the window's timer was cancelled, nothing committed twice
    });

    it('does not wait once a full batch is queued', () => {
      const batches: number[] = [];
      const gc = new GroupCommit<number>({ commit: (items) => void batches.push(items.length), windowMs: 50, maxBatch: 3 });
      gc.enqueue([1, 2], () => undefined);
      gc.enqueue([3], () => undefined);
      vi.advanceTimersByTime(1);
      expect(batches).toEqual([3]);
    });
  });
});
