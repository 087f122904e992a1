// Serial alarm latency: `node --import tsx tests/bench/serialPanic.ts [--presses 30] [--peer sim|pymodbus]`.
// A hub in this process polls one modbus-di unit (defaults: pollMs 100, debounce 50) over a socat pty pair;
// the input is closed at a random phase of the poll cycle and the time until alarm.panic is committed is
// measured (Recorder.onStored), plus the poll round trip. The last line is one JSON object.
import { parseArgs } from 'node:util';
import { ModbusSlave } from '../../simulators/serial/modbusSlave.ts';
import { PtyPair } from '../../simulators/serial/ptyPair.ts';
import { tempDir } from '../helpers/hub.ts';
import { PymodbusSlave, startSerialHub } from '../helpers/serial.ts';

const { values } = parseArgs({ options: { presses: { type: 'string', default: '30' }, peer: { type: 'string', default: 'sim' } } });
const presses = Number(values.presses);
const dir = tempDir('gh-bench-serial-');
const pair = PtyPair.inDir(dir.path);
await pair.plug();
const sim = values.peer === 'sim' ? new ModbusSlave({ path: pair.devicePath, units: [1] }) : undefined;
const py = values.peer === 'pymodbus' ? new PymodbusSlave(pair.devicePath, [1]) : undefined;
await (sim ? sim.open() : py!.start());
const setInput = async (closed: boolean): Promise<void> => (sim ? sim.setInput(0, closed) : py!.setInput(1, 0, closed ? 1 : 0));
const t = await startSerialHub([`{ id: io-1, profile: modbus-di, zone: building-a, serial: { path: "${pair.hubPath}" }, modbus: { unit: 1 } }`]);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
let waiting: { kind: string; resolve: () => void } | undefined;
t.hub.recorder.onStored((stored) => {
  if (waiting && stored.some((e) => e.kind === waiting!.kind)) waiting.resolve();
});
const stored = (kind: string): Promise<void> => new Promise((resolve) => (waiting = { kind, resolve }));
await sleep(1000);
const latencies: number[] = [];
for (let i = 0; i < presses; i++) {
  await sleep(200 + Math.random() * 100); // a random phase of the 100 ms poll cycle
  const panic = stored('alarm.panic');
  const at = performance.now();
  await setInput(true);
  await panic;
  latencies.push(performance.now() - at);
  const cleared = stored('alarm.cleared');
  await setInput(false);
  await cleared;
}
const metrics = await t.hub.metrics.registry.getSingleMetricAsString('gatehouse_modbus_round_trip_seconds');
const sum = Number(/_sum\{[^}]*\} ([\d.e-]+)/.exec(metrics)?.[1]);
const count = Number(/_count\{[^}]*\} (\d+)/.exec(metrics)?.[1]);
await t.stop();
await (sim ? sim.close() : py!.stop());
await pair.unplug();
dir.remove();
latencies.sort((a, b) => a - b);
const pct = (p: number): number => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))]!);
const result = { peer: values.peer, presses, panicCommittedMs: { p50: pct(0.5), p90: pct(0.9), max: pct(1) }, pollRoundTripMs: Math.round((sum / count) * 10000) / 10, polls: count };
console.log(`input closed → alarm.panic committed: p50 ${result.panicCommittedMs.p50} ms, p90 ${result.panicCommittedMs.p90} ms, max ${result.panicCommittedMs.max} ms (${presses} presses, ${values.peer})`);
console.log(`poll round trip (request written → valid answer): mean ${result.pollRoundTripMs} ms over ${count} polls`);
console.log(JSON.stringify(result));
