import { afterAll, describe, expect, it } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanup, run, tempDir, waitLine } from '../bench/lib/procs.ts';
import { ROOT, devices, startBare, startGatehouse } from '../bench/lib/targets.ts';

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
});
