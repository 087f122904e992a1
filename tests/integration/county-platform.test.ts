import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CountyPlatform } from '../../simulators/county-platform/platform.ts';

// The county simulator is an independent peer: these tests sign requests with
// their own helper, from the contract, not with the hub's code.

const SECRET = 's3cret-s3cret-s3cret';
const ROOT = new URL('../..', import.meta.url).pathname;

function signature(secret: string, t: number, body: string): string {
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

const nowSeconds = (): number => Math.floor(Date.now() / 1000);

interface Msg {
  campusId: string;
  seq: number;
  type: string;
  at: string | number;
  payload: Record<string, unknown>;
}

const msg = (seq: number, over: Partial<Msg> = {}): Msg => ({
  campusId: 'campus-1',
  seq,
  type: 'incident.opened',
  at: '2026-03-10T02:00:00.000Z',
  payload: { incidentId: `inc-${seq}`, severity: 'critical' },
  ...over,
});

interface SendOptions {
  secret?: string;
  t?: number;
  key?: string;
  /** Raw body text to send instead of JSON.stringify(message). */
  raw?: string;
  sig?: string;
}

let platform: CountyPlatform;

function send(message: Msg, o: SendOptions = {}): Promise<Response> {
  const body = o.raw ?? JSON.stringify(message);
  const t = o.t ?? nowSeconds();
  return fetch(platform.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'idempotency-key': o.key ?? `${message.campusId}:${message.seq}`,
      'x-gatehouse-signature': o.sig ?? signature(o.secret ?? SECRET, t, body),
    },
    body,
  });
}

async function control(path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${platform.baseUrl}/_sim/${path}`, body === undefined ? {} : { method: 'POST', body: JSON.stringify(body) });
  expect(res.ok).toBe(true);
  return res.json();
}

beforeAll(async () => {
  platform = new CountyPlatform({ secret: SECRET, port: 0 });
  await platform.start();
});
afterAll(() => platform.stop());
beforeEach(() => {
  platform.reset();
  platform.setMode('up');
});

describe('county platform: verification', () => {
  it('accepts and records a correctly signed message', async () => {
    const before = performance.timeOrigin + performance.now();
    const res = await send(msg(1));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ ok: true, duplicate: false, key: 'campus-1:1' });
    const report = platform.received();
    expect(report.items).toHaveLength(1);
    expect(report.items[0]).toMatchObject({ ...msg(1), attempts: 1 });
    expect(report.items[0]!.receivedAt).toBeGreaterThanOrEqual(before);
    expect(report.rejected).toEqual({ bad_signature: 0, stale_timestamp: 0, malformed: 0 });
  });

  it('verifies over the raw body bytes (whitespace, non-ASCII), not a re-serialisation', async () => {
    const raw = '{ "campusId": "campus-1", "seq": 7, "type": "hazard.opened",\n  "at": 1773108000000, "payload": { "title": "围墙破损" } }';
    expect((await send(msg(7), { raw })).status).toBe(200);
    const t = nowSeconds();
    const compact = JSON.stringify(JSON.parse(raw));
    const res = await send(msg(7), { raw: compact.replace('"seq":7', '"seq":8'), key: 'campus-1:8', sig: signature(SECRET, t, raw) });
    expect(res.status).toBe(401);
    expect(platform.received().items.map((i) => i.seq)).toEqual([7]);
  });

  it('refuses a wrong secret and a missing signature with 401 bad_signature', async () => {
    const wrong = await send(msg(1), { secret: 'not-the-secret' });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'bad_signature' });
    const garbled = await send(msg(1), { sig: 'v1=abc' });
    expect(garbled.status).toBe(401);
    expect(platform.received()).toMatchObject({ items: [], rejected: { bad_signature: 2 } });
  });

  it('rejects a timestamp 301 s old as stale (a replay) and accepts one 299 s old', async () => {
    const stale = await send(msg(1), { t: nowSeconds() - 301 });
    expect(stale.status).toBe(401);
    const body = (await stale.json()) as { error: string; detail: string };
    expect(body.error).toBe('stale_timestamp');
    expect(body.detail).toMatch(/old/);
    expect((await send(msg(2), { t: nowSeconds() + 301 })).status).toBe(401);
    expect((await send(msg(1), { t: nowSeconds() - 299 })).status).toBe(200);
    expect(platform.received()).toMatchObject({ rejected: { stale_timestamp: 2 } });
    expect(platform.received().items.map((i) => i.seq)).toEqual([1]);
  });

  it('deduplicates on the Idempotency-Key: recorded once, the repeat counted', async () => {
    expect((await send(msg(1))).status).toBe(200);
    const again = await send(msg(1));
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ duplicate: true });
    const report = platform.received();
    expect(report.items).toHaveLength(1);
    expect(report.duplicates).toBe(1);
    expect(report.items[0]!.attempts).toBe(2);
  });

  it('answers 400 to a key/body mismatch, an unknown type and a bad shape', async () => {
    const mismatch = await send(msg(1), { key: 'campus-1:2' });
    expect(mismatch.status).toBe(400);
    expect(await mismatch.json()).toMatchObject({ error: 'malformed' });
    expect((await send(msg(1, { type: 'incident.deleted' }))).status).toBe(400);
    expect((await send(msg(1), { raw: '{"campusId":"campus-1","seq":1' })).status).toBe(400);
    expect((await send(msg(1, { seq: -1 }))).status).toBe(400);
    expect(platform.received()).toMatchObject({ items: [], rejected: { malformed: 4 } });
  });
});

describe('county platform: fault modes', () => {
  it('down: 503 with Retry-After, nothing recorded', async () => {
    await control('mode', { mode: 'down', retryAfter: 7 });
    const res = await send(msg(1));
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('7');
    await control('mode', { mode: 'up' });
    expect((await send(msg(1))).status).toBe(200);
    const report = platform.received();
    expect(report.items).toHaveLength(1);
    expect(report.items[0]!.attempts).toBe(2);
    expect(report.faults.down).toBe(1);
  });

  it('slow: each answer is held back by delayMs', async () => {
    platform.setMode('slow', { delayMs: 300 });
    const started = performance.now();
    const res = await send(msg(1));
    expect(res.status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(280);
    expect(platform.received().items).toHaveLength(1);
  });

  it('unauthorized: 401 even to a correctly signed message', async () => {
    platform.setMode('unauthorized');
    const res = await send(msg(1));
    expect(res.status).toBe(401);
    expect(platform.received()).toMatchObject({ items: [], faults: { unauthorized: 1 } });
  });

  it('drop: the connection is destroyed without an answer', async () => {
    platform.setMode('drop');
    await expect(send(msg(1))).rejects.toThrow();
    platform.setMode('up');
    expect((await send(msg(1))).status).toBe(200);
    expect(platform.received()).toMatchObject({ faults: { drop: 1 } });
  });

  it('reject: 400 once per message, its retry accepted', async () => {
    platform.setMode('reject');
    const first = await send(msg(1));
    expect(first.status).toBe(400);
    expect(await first.json()).toMatchObject({ error: 'rejected' });
    expect((await send(msg(2))).status).toBe(400);
    expect((await send(msg(1))).status).toBe(200);
    expect((await send(msg(2))).status).toBe(200);
    const report = platform.received();
    expect(report.items.map((i) => [i.seq, i.attempts])).toEqual([[1, 2], [2, 2]]);
    expect(report.faults.reject).toBe(2);
  });

  it('refuses a bad mode over the control API', async () => {
    const res = await fetch(`${platform.baseUrl}/_sim/mode`, { method: 'POST', body: JSON.stringify({ mode: 'sideways' }) });
    expect(res.status).toBe(400);
    expect(platform.mode.mode).toBe('up');
  });
});

describe('county platform: gaps and the control API', () => {
  it('reports a seq gap per campus until it is filled (arrival order kept)', async () => {
    await send(msg(1));
    await send(msg(3));
    await send(msg(1, { campusId: 'campus-2' }));
    let report = await control('received');
    expect(report.gaps).toEqual({ 'campus-1': [2], 'campus-2': [] });
    await send(msg(2));
    report = await control('received?campusId=campus-1');
    expect(report.gaps).toEqual({ 'campus-1': [] });
    expect(report.items.map((i: Msg) => i.seq)).toEqual([1, 3, 2]);
    expect((await control('health')).accepted).toBe(4);
    await control('reset', {});
    expect((await control('received')).items).toEqual([]);
  });

  it('keeps every audit-chain head a campus sent (audit.anchor) and shows them per campus', async () => {
    const h = (c: string) => c.repeat(64);
    const anchor = (seq: number, auditSeq: number, hash: string, campusId = 'campus-1') => msg(seq, { campusId, type: 'audit.anchor', payload: { auditSeq, hash, at: 1_760_000_000_000 + auditSeq } });
    expect((await send(anchor(1, 5, h('a')))).status).toBe(200);
    expect((await send(anchor(2, 9, h('b')))).status).toBe(200);
    expect((await send(anchor(1, 7, h('c'), 'campus-2'))).status).toBe(200);
    // A later, shorter or different head does not replace what was received: both stay.
    expect((await send(anchor(3, 5, h('d')))).status).toBe(200);
    const heads = await control('heads?campusId=campus-1');
    expect(heads.campusId).toBe('campus-1');
    expect(heads.heads.map((x: { auditSeq: number; hash: string; seq: number }) => [x.auditSeq, x.hash[0], x.seq])).toEqual([[5, 'a', 1], [9, 'b', 2], [5, 'd', 3]]);
    expect((await fetch(`${platform.baseUrl}/_sim/heads`)).status).toBe(400); // campusId required
    // A malformed anchor is refused like any malformed message, naming the field.
    const bad = await send(anchor(4, 0, h('e')));
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { detail: string }).detail).toBe('payload.auditSeq: must be a whole number >= 1');
    const badHash = await send(anchor(4, 10, 'ABC'));
    expect(((await badHash.json()) as { detail: string }).detail).toMatch(/^payload\.hash: /);
  });

  it('appends accepted messages to the --record file as JSON lines', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'county-'));
    const file = join(dir, 'received.jsonl');
    const recorder = new CountyPlatform({ secret: SECRET, record: file, path: '/county/in' });
    await recorder.start();
    try {
      expect(recorder.url).toMatch(/\/county\/in$/);
      const body = JSON.stringify(msg(1));
      const t = nowSeconds();
      const headers = { 'idempotency-key': 'campus-1:1', 'x-gatehouse-signature': signature(SECRET, t, body) };
      expect((await fetch(recorder.url, { method: 'POST', headers, body })).status).toBe(200);
      expect((await fetch(recorder.url, { method: 'POST', headers, body })).status).toBe(200);
      const lines = readFileSync(file, 'utf8').trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ campusId: 'campus-1', seq: 1 });
    } finally {
      await recorder.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('county platform: CLI', () => {
  it('prints READY <port>, serves, and exits 0 on SIGTERM', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'simulators/county-platform/server.ts', '--port', '0', '--secret', SECRET], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    let out = '';
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        const first = out.split('\n')[0]!;
        if (out.includes('\n')) {
          const m = /^READY (\d+)$/.exec(first);
          if (m) resolve(Number(m[1]));
          else reject(new Error(`first line is not READY <port>: ${first}`));
        }
      });
      child.on('exit', () => reject(new Error(`exited before READY: ${out}`)));
    });
    const health = (await (await fetch(`http://127.0.0.1:${port}/_sim/health`)).json()) as { ok: boolean; mode: string };
    expect(health).toMatchObject({ ok: true, mode: 'up' });
    child.kill('SIGTERM');
    expect(await exited).toEqual({ code: 0, signal: null });
  });
});
