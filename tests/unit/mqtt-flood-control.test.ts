/** Flood control in the embedded broker, pure: token bucket, back-off, publish limiter, admission, refusal log — with explicit clocks. */
import { describe, expect, test } from 'vitest';
import { Writable } from 'node:stream';
import { TokenBucket } from '../../src/transports/mqtt/tokenBucket.ts';
import { BackoffTable } from '../../src/transports/mqtt/backoff.ts';
import { PublishLimiter, type HeldPublish, type PublishLimiterOptions } from '../../src/transports/mqtt/publishLimiter.ts';
import { Admission, defaultMaxConnections, openFileLimit, sourceAddress, FALLBACK_MAX_CONNECTIONS } from '../../src/transports/mqtt/admission.ts';
import { RefusalLog } from '../../src/transports/mqtt/refusalLog.ts';
import { maySubscribe, shortTopic } from '../../src/transports/mqtt/topics.ts';
import { createLogger } from '../../src/observability/logger.ts';

describe('TokenBucket', () => {
  test('starts full, gives `burst` at once, then `rate` a second', () => {
    const b = new TokenBucket(10, 5, 0);
    for (let i = 0; i < 5; i++) expect(b.take(0)).toBe(true);
    expect(b.take(0)).toBe(false);
    expect(b.waitMs(0)).toBe(100);
    expect(b.take(99)).toBe(false);
    expect(b.take(100)).toBe(true);
    // a long pause refills to the burst, never beyond
    let n = 0;
    while (b.take(1_000_000)) n++;
    expect(n).toBe(5);
  });

  test('a clock that steps back refills nothing', () => {
    const b = new TokenBucket(1, 1, 10_000);
    expect(b.take(10_000)).toBe(true);
    expect(b.take(5_000)).toBe(false);
    expect(b.take(10_500)).toBe(false);
    expect(b.take(11_000)).toBe(true);
  });
});

describe('BackoffTable', () => {
  test('free failures, then 1 s doubling to the cap; a reset forgets', () => {
    const t = new BackoffTable({ free: 2, initialMs: 1000, maxMs: 8000 });
    expect(t.fail('a', 0)).toBeUndefined();
    expect(t.fail('a', 0)).toBeUndefined();
    expect(t.until('a', 0)).toBeUndefined();
    expect(t.fail('a', 0)).toBe(1000);
    expect(t.fail('a', 0)).toBe(2000);
    expect(t.fail('a', 0)).toBe(4000);
    expect(t.fail('a', 0)).toBe(8000);
    expect(t.fail('a', 0)).toBe(8000); // capped
    expect(t.until('a', 7999)).toBe(8000);
    expect(t.until('a', 8000)).toBeUndefined();
    t.reset('a');
    expect(t.failures('a', 0)).toBe(0);
  });

  test('a key quiet for longer than the cap is forgotten', () => {
    const t = new BackoffTable({ free: 0, initialMs: 1000, maxMs: 4000 });
    t.fail('a', 0);
    t.fail('a', 0);
    expect(t.failures('a', 5000)).toBe(2);
    expect(t.failures('a', 2000 + 4001)).toBe(0);
  });

  test('a spray of keys never frees a key under back-off, and the table stays bounded', () => {
    const t = new BackoffTable({ free: 1, initialMs: 60_000, maxMs: 600_000, maxKeys: 100 });
    t.fail('attacker', 0);
    t.fail('attacker', 0);
    for (let i = 0; i < 10_000; i++) t.fail(`spray-${i}`, 1);
    expect(t.size).toBeLessThanOrEqual(100);
    expect(t.until('attacker', 2)).toBe(60_000);
  });
});

/** A limiter with a hand-driven clock and timers. */
function limiter(overrides: Partial<PublishLimiterOptions> = {}) {
  let now = 1_000_000;
  const timers: { at: number; fn: () => void; live: boolean }[] = [];
  const floods: { id: string; until: number; reason: string }[] = [];
  const changes: string[] = [];
  const l = new PublishLimiter({
    defaults: { rate: 10, burst: 5 },
    limitOf: (id) => (id === 'bridge' ? { rate: 100, burst: 50 } : undefined),
    floodSeconds: 3,
    maxHeld: 20,
    backoffMs: 10_000,
    now: () => now,
    setTimer: (fn, ms) => {
      const t = { at: now + ms, fn, live: true };
      timers.push(t);
      return () => (t.live = false);
    },
    onFlood: (id, until, reason) => floods.push({ id, until, reason }),
    onChange: (id) => changes.push(id),
    ...overrides,
  });
  /** Move the clock, firing due timers in order. */
  const advance = (ms: number): void => {
    const end = now + ms;
    for (;;) {
      const due = timers.filter((t) => t.live && t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      now = Math.max(now, due.at);
      due.live = false;
      due.fn();
    }
    now = end;
  };
  return { l, advance, floods, changes, at: () => now };
}

function held(owner: object, log: string[], name: string): HeldPublish {
  return { owner, proceed: () => log.push(`in:${name}`), refuse: (err) => log.push(`refused:${name}:${err.message}`) };
}

describe('PublishLimiter', () => {
  test('within the allowance everything passes; over it QoS 0 is dropped and counted', () => {
    const { l, changes } = limiter();
    const conn = {};
    const verdicts = Array.from({ length: 8 }, () => l.admit('reader', 0, held(conn, [], 'x')));
    expect(verdicts).toEqual(['pass', 'pass', 'pass', 'pass', 'pass', 'drop', 'drop', 'drop']);
    expect(l.view('reader')).toMatchObject({ dropped: 3, delayed: 0, disconnects: 0 });
    expect(l.view('panic')).toBeUndefined(); // a device that never went over shows nothing
    expect(changes).toEqual(['reader']); // told once when the spell starts, not per packet
  });

  test('QoS 1 over the allowance is held, in order, and let in as tokens come (nothing lost)', () => {
    const { l, advance } = limiter();
    const conn = {};
    const log: string[] = [];
    for (let i = 0; i < 8; i++) {
      const h = held(conn, log, String(i));
      if (l.admit('reader', 1, h) === 'pass') h.proceed();
    }
    expect(log).toEqual(['in:0', 'in:1', 'in:2', 'in:3', 'in:4']);
    expect(l.heldCount).toBe(3);
    advance(100);
    expect(log.at(-1)).toBe('in:5');
    advance(200);
    expect(log.slice(5)).toEqual(['in:5', 'in:6', 'in:7']);
    expect(l.heldCount).toBe(0);
    expect(l.view('reader')).toMatchObject({ dropped: 0, delayed: 3 });
  });

  test('while publishes wait, a QoS 0 one does not jump the queue (it is dropped)', () => {
    const { l } = limiter();
    const conn = {};
    for (let i = 0; i < 6; i++) l.admit('reader', 1, held(conn, [], String(i)));
    expect(l.admit('reader', 0, held(conn, [], 'q0'))).toBe('drop');
  });

  test('each device has its own bucket: one flooding costs another nothing; a device override applies', () => {
    const { l } = limiter();
    const conn = {};
    for (let i = 0; i < 100; i++) l.admit('reader', 0, held(conn, [], 'x'));
    expect(l.admit('panic', 1, held({}, [], 'p'))).toBe('pass');
    let passed = 0;
    for (let i = 0; i < 60; i++) if (l.admit('bridge', 0, held({}, [], 'b')) === 'pass') passed++;
    expect(passed).toBe(50);
  });

  test('over the allowance for floodSeconds: cut off, refused for a back-off that doubles (capped at 64×)', () => {
    const { l, advance, floods } = limiter();
    const conn = {};
    let verdict = 'pass';
    let t = 0;
    while (verdict !== 'flood' && t < 10_000) {
      verdict = l.admit('reader', 0, held(conn, [], 'x'));
      advance(10);
      t += 10;
    }
    expect(verdict).toBe('flood');
    expect(t).toBeGreaterThanOrEqual(3000);
    expect(t).toBeLessThan(3200);
    expect(floods).toHaveLength(1);
    expect(floods[0]!.reason).toMatch(/over its rate limit for 3 s/);
    expect(l.refusedUntil('reader')).toBe(floods[0]!.until);
    expect(l.view('reader')).toMatchObject({ disconnects: 1, backoffUntil: floods[0]!.until });
    const first = floods[0]!.until - (1_000_000 + t - 10);
    expect(first).toBe(10_000);
    // after the back-off it floods again: twice as long
    advance(10_001);
    expect(l.refusedUntil('reader')).toBeUndefined();
    verdict = 'pass';
    while (verdict !== 'flood') {
      verdict = l.admit('reader', 0, held(conn, [], 'x'));
      advance(10);
    }
    expect(floods).toHaveLength(2);
    expect(l.refusedUntil('reader')! - floods[1]!.until).toBe(0);
  });

  test('a short calm ends the spell: a device that bursts now and then is never cut off', () => {
    const { l, advance, floods } = limiter();
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 10; i++) l.admit('reader', 0, held({}, [], 'x'));
      advance(1500);
    }
    expect(floods).toHaveLength(0);
  });

  test('a QoS 1 sender is paced, never cut off for time: everything gets in, in order', () => {
    const { l, advance, floods, changes } = limiter({ maxHeld: 1000 });
    const conn = {};
    const log: string[] = [];
    for (let i = 0; i < 100; i++) {
      const h = held(conn, log, String(i));
      if (l.admit('reader', 1, h) === 'pass') h.proceed();
    }
    advance(20_000); // 95 waiting at 10/s: 9.5 s, far past floodSeconds
    expect(floods).toHaveLength(0);
    expect(log).toEqual(Array.from({ length: 100 }, (_, i) => `in:${i}`));
    expect(l.heldCount).toBe(0);
    expect(changes).toEqual(['reader']); // told once, not per held publish
  });

  test('more than maxHeld waiting is flooding at once (memory stays bounded)', () => {
    const { l, floods } = limiter({ maxHeld: 20 });
    const conn = {};
    const verdicts = Array.from({ length: 26 }, () => l.admit('reader', 1, held(conn, [], 'x')));
    expect(verdicts.filter((v) => v === 'hold')).toHaveLength(20);
    expect(verdicts.at(-1)).toBe('flood');
    expect(floods[0]!.reason).toMatch(/more than 20 QoS 1 publishes waiting/);
    expect(l.heldCount).toBe(0);
  });

  test('a closed connection takes its waiting publishes with it (never acknowledged)', () => {
    const { l, advance } = limiter();
    const old = {};
    const log: string[] = [];
    for (let i = 0; i < 8; i++) l.admit('reader', 1, held(old, log, String(i)));
    l.closed('reader', old);
    expect(l.heldCount).toBe(0);
    advance(1000);
    expect(log).toEqual([]);
  });
});

describe('Admission', () => {
  function admission(o: { max?: number; rate?: number; burst?: number } = {}) {
    let now = 0;
    const a = new Admission<{ name: string }>({
      maxConnections: o.max ?? 3,
      connectRate: { rate: o.rate ?? 1, burst: o.burst ?? 100 },
      authBackoff: { device: 2, address: 4, initialSeconds: 1, maxSeconds: 60 },
      now: () => now,
    });
    return { a, set: (ms: number) => (now = ms) };
  }

  test('at the cap the oldest unauthenticated socket makes room; with none, the new one is refused', () => {
    const { a } = admission();
    const s = [{ name: 's0' }, { name: 's1' }, { name: 's2' }, { name: 's3' }, { name: 's4' }];
    expect(a.accept(s[0]!, '10.0.0.1')).toEqual({ ok: true });
    a.authenticated(s[0]!);
    expect(a.accept(s[1]!, '10.0.0.2')).toEqual({ ok: true });
    expect(a.accept(s[2]!, '10.0.0.3')).toEqual({ ok: true });
    expect(a.accept(s[3]!, '10.0.0.4')).toEqual({ ok: true, evicted: s[1] }); // idle s1 goes, s0 (authenticated) stays
    a.authenticated(s[2]!);
    a.authenticated(s[3]!);
    expect(a.accept(s[4]!, '10.0.0.5')).toEqual({ ok: false, reason: 'max connections' });
    a.closed(s[0]!);
    expect(a.accept(s[4]!, '10.0.0.5')).toEqual({ ok: true });
    expect(a.openCount).toBe(3);
  });

  test('connections per address are rate limited, each address on its own', () => {
    const { a, set } = admission({ max: 1000, rate: 1, burst: 2 });
    expect(a.accept({ name: 'a' }, '10.0.0.1').ok).toBe(true);
    expect(a.accept({ name: 'b' }, '10.0.0.1').ok).toBe(true);
    expect(a.accept({ name: 'c' }, '10.0.0.1')).toEqual({ ok: false, reason: 'connect rate' });
    expect(a.accept({ name: 'd' }, '10.0.0.2').ok).toBe(true);
    set(1000);
    expect(a.accept({ name: 'e' }, '10.0.0.1').ok).toBe(true);
  });

  test('failed CONNECTs earn a doubling back-off per device id and per address; a success clears them', () => {
    const { a, set } = admission();
    a.failed('panic-1', '10.0.0.9');
    a.failed('panic-1', '10.0.0.9');
    expect(a.backoff('panic-1', '10.0.0.7')).toBeUndefined(); // 2 free per device id
    a.failed('panic-1', '10.0.0.9');
    expect(a.backoff('panic-1', '10.0.0.7')).toMatchObject({ reason: 'back-off', until: 1000 });
    expect(a.backoff('panic-2', '10.0.0.7')).toBeUndefined();
    a.failed('panic-1', '10.0.0.9');
    expect(a.backoff('panic-1', '10.0.0.7')!.until).toBe(2000);
    // the address: 4 free, then it is refused whatever the name
    a.failed('x', '10.0.0.9');
    expect(a.backoff('panic-2', '10.0.0.9')!.detail).toMatch(/5 failed CONNECTs from 10\.0\.0\.9/);
    set(60_000 + 20_000);
    expect(a.backoff('panic-1', '10.0.0.9')).toBeUndefined();
    a.failed('panic-1', '10.0.0.9');
    a.succeeded('panic-1', '10.0.0.9');
    expect(a.backoff('panic-1', '10.0.0.9')).toBeUndefined();
  });

  test("guessing a device's password from elsewhere does not lock the device out at its own address", () => {
    const { a } = admission();
    a.succeeded('panic-1', '10.0.0.5');
    for (let i = 0; i < 10; i++) a.failed('panic-1', '10.0.0.66');
    expect(a.backoff('panic-1', '10.0.0.66')).toBeDefined();
    expect(a.backoff('panic-1', '10.0.0.5')).toBeUndefined();
    // …unless the guessing comes from that very address, many times
    for (let i = 0; i < 60; i++) a.failed('panic-1', '10.0.0.5');
    expect(a.backoff('panic-1', '10.0.0.5')).toBeDefined();
  });

  test('the default connection cap leaves a tenth of the file limit (at least 256) for the rest', () => {
    expect(defaultMaxConnections(1024)).toBe(768);
    expect(defaultMaxConnections(20_000)).toBe(18_000);
    expect(defaultMaxConnections(65_536)).toBe(58_982);
    expect(defaultMaxConnections(100)).toBe(16);
    expect(defaultMaxConnections(undefined)).toBe(FALLBACK_MAX_CONNECTIONS);
    expect(openFileLimit('Limit                     Soft Limit           Hard Limit           Units\nMax open files            4096                 524288               files\n')).toBe(4096);
    expect(openFileLimit('Max open files            unlimited            unlimited            files\n')).toBeUndefined();
    expect(openFileLimit()).toBeGreaterThan(0); // this machine's /proc/self/limits
    expect(sourceAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(sourceAddress(undefined)).toBe('unknown');
  });
});

describe('RefusalLog', () => {
  function refusalLog(windowMs = 60_000, maxSources = 1000) {
    let now = 0;
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        for (const line of chunk.toString('utf8').split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
        cb();
      },
    });
    let tick: () => void = () => undefined;
    const log = new RefusalLog(createLogger('info', sink), {
      now: () => now,
      windowMs,
      maxSources,
      setInterval: (fn) => {
        tick = fn;
        return () => undefined;
      },
    });
    return { log, lines, set: (ms: number) => (now = ms), tick: () => tick() };
  }
  const flushed = () => new Promise((r) => setImmediate(r));

  test('the first refusal of each reason from a source is logged at once; the rest as one line per minute with counts', async () => {
    const { log, lines, set, tick } = refusalLog();
    log.refused('CONNECT', '10.0.0.9', 'wrong password', 'refused MQTT CONNECT from panic-1: wrong password');
    for (let i = 0; i < 299; i++) log.refused('CONNECT', '10.0.0.9', 'wrong password', 'x');
    log.refused('CONNECT', '10.0.0.9', 'back-off', 'refused MQTT CONNECT from panic-1 without checking its password: back-off');
    for (let i = 0; i < 11; i++) log.refused('CONNECT', '10.0.0.9', 'back-off', 'x');
    log.refused('CONNECT', '10.0.0.8', 'unknown device', 'refused MQTT CONNECT from ghost: unknown device');
    set(30_000);
    tick();
    await flushed();
    expect(lines.map((l) => l['msg'])).toEqual([
      'refused MQTT CONNECT from panic-1: wrong password',
      'refused MQTT CONNECT from panic-1 without checking its password: back-off',
      'refused MQTT CONNECT from ghost: unknown device',
    ]);
    set(60_000);
    tick();
    await flushed();
    expect(lines.map((l) => l['msg'])).toEqual([
      'refused MQTT CONNECT from panic-1: wrong password',
      'refused MQTT CONNECT from panic-1 without checking its password: back-off',
      'refused MQTT CONNECT from ghost: unknown device',
      'refused 312 CONNECTs from 10.0.0.9 in the last 60 s: wrong password ×300, back-off ×12',
    ]);
    // a quiet source is forgotten: its next refusal is logged in full again
    set(120_000);
    tick();
    tick();
    log.refused('CONNECT', '10.0.0.8', 'unknown device', 'again in full');
    await flushed();
    expect(lines.at(-1)!['msg']).toBe('again in full');
  });

  test('a refusal at the end of a window writes the summary itself; stop() sums up what is open', async () => {
    const { log, lines, set } = refusalLog(1000);
    log.refused('SUBSCRIBE', 'dev-1', 'acl', 'first');
    log.refused('SUBSCRIBE', 'dev-1', 'acl', 'second');
    set(1000);
    log.refused('SUBSCRIBE', 'dev-1', 'acl', 'third');
    log.refused('SUBSCRIBE', 'dev-1', 'acl', 'fourth');
    log.stop();
    await flushed();
    expect(lines.map((l) => l['msg'])).toEqual(['first', 'refused 3 SUBSCRIBEs from dev-1 in the last 1 s: acl ×3', 'refused 1 SUBSCRIBE from dev-1 in the last 1 s: acl ×1']);
  });

  test('beyond maxSources, refusals share one "other sources" line', async () => {
    const { log, lines } = refusalLog(60_000, 10);
    for (let i = 0; i < 1000; i++) log.refused('CONNECT', `10.1.${i >> 8}.${i & 255}`, 'wrong password', `line ${i}`);
    log.stop();
    await flushed();
    expect(lines).toHaveLength(12);
    expect(lines.at(-1)!['msg']).toBe('refused 990 CONNECTs from other sources in the last 1 s: wrong password ×990');
  });

  test('a refused filter is logged truncated, never whole', () => {
    const filter = `devices/${'x'.repeat(60_000)}/#`;
    const verdict = maySubscribe('dev-1', filter);
    expect(verdict.ok).toBe(false);
    expect(JSON.stringify(verdict).length).toBeLessThan(300);
    expect(shortTopic(filter)).toMatch(/… \(60010 characters\)$/);
  });
});
