import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, run, tempDir, waitLine } from '../bench/lib/procs.ts';
import { BENCH_METRICS_AUTH, ROOT, devices, startBare, startGatehouse } from '../bench/lib/targets.ts';

// A smoke test of the benchmark harness (no timings asserted): its load generator
// delivers exactly what it says to bare aedes and to Gatehouse, and Gatehouse
// committed every event it acknowledged.
async function loadgen(url: string, n: number): Promise<{ sent: number; acked: number }> {
  const file = join(tempDir('bench-smoke-'), 'options.json');
  writeFileSync(file, JSON.stringify({ url, devices: devices(2), mode: 'max', count: n, warmup: 50, window: 10 }));
  const child = run(process.execPath, ['--import', 'tsx', join(ROOT, 'tests/bench/loadgen.ts'), file]);
  await waitLine(child, /"type":"ready"/);
  const done = waitLine(child, /^(\{"type":"done".*)$/);
  child.stdin!.write('go\n');
  const result = JSON.parse((await done)[1]!) as { sent: number; acked: number };
  child.stdin!.write('exit\n');
  return result;
}

/** Run the reconnect-storm process to completion; its connections stay open until `release`. */
async function storm(url: string, devs: { id: string; password: string }[], deadlineMs: number): Promise<{ result: { connected: number; ms: number | null; retries: number; dropped: number }; release: () => void }> {
  const file = join(tempDir('bench-smoke-'), 'storm.json');
  writeFileSync(file, JSON.stringify({ url, devices: devs, progressAt: 10, deadlineMs }));
  const child = run(process.execPath, ['--import', 'tsx', join(ROOT, 'tests/bench/storm.ts'), file]);
  await waitLine(child, /"type":"ready"/);
  const done = waitLine(child, /^(\{"type":"done".*)$/, deadlineMs + 30_000);
  child.stdin!.write('go\n');
  const result = JSON.parse((await done)[1]!) as { connected: number; ms: number | null; retries: number; dropped: number };
  return { result, release: () => child.stdin!.write('exit\n') };
}

describe('benchmark harness', () => {
  afterAll(() => cleanup());

  it('drives bare aedes and Gatehouse; what is acknowledged landed', async () => {
    const bare = await startBare();
    const b = await loadgen(bare.mqttUrl, 200);
    expect(b).toMatchObject({ sent: 200, acked: 200 });
    expect(await bare.count()).toBe(250); // 50 unmeasured warm-up events, then the 200 measured
    await bare.stop();

    const gh = await startGatehouse({ devices: devices(2) });
    const a = await loadgen(gh.mqttUrl, 200);
    expect(a).toMatchObject({ sent: 200, acked: 200 });
    expect(gh.committed()).toBe(250);
    await gh.stop();
  });

  it('the reconnect storm connects every configured device at once, and reports one that cannot connect', { timeout: 120_000 }, async () => {
    const devs = devices(50, 'storm');
    const gh = await startGatehouse({ devices: devs });
    const ok = await storm(gh.mqttUrl, devs, 30_000);
    expect(ok.result).toMatchObject({ connected: 50, retries: 0, dropped: 0 });
    expect(ok.result.ms).toBeGreaterThan(0);
    const metrics = await (await fetch(`${gh.http}/metrics`, BENCH_METRICS_AUTH)).text();
    expect(metrics).toMatch(/^gatehouse_mqtt_clients_connected 50$/m);
    ok.release();

    // a device the hub does not know: refused, retried, never connected — the storm never "finishes"
    const bad = await storm(gh.mqttUrl, [...devices(5, 'storm'), { id: 'storm-unknown', password: 'nope' }], 2500);
    expect(bad.result.connected).toBe(5);
    expect(bad.result.ms).toBeNull();
    expect(bad.result.retries).toBeGreaterThan(0);
    bad.release();
    await gh.stop();
  });
});
