/**
 * The simulated campus: every `generic` device of a Gatehouse config, each its
 * own MQTT client speaking the wire protocol as a real device would
 * (DESIGN.md "MQTT contract" and "generic MQTT device payload contract").
 * It imports nothing from src/ or devices/.
 *
 *   node --import tsx simulators/mqtt-devices/campus.ts --config config/gatehouse.yaml --url mqtt://127.0.0.1:1883 [options]
 *
 * Every device: connects with username = client id = its id, password = its
 * secret, clean: false, keep-alive 30 s, last will `offline` (retained, QoS 1)
 * on devices/{id}/status; publishes a retained {"online":true,"battery","rssi"}
 * status on connecting and every 60 s; subscribes to devices/{id}/commands and
 * logs what arrives; sends events to devices/{id}/events at QoS 1 as
 * {"kind","ts" (epoch ms),"seq" (per device),"data"}.
 *
 * What each device does, by id prefix:
 *   reader-*   gate card readers. A school day compressed into 20 minutes:
 *              a morning rush from the start (60 s at ~6 swipes/s across all
 *              readers), a lunch bump at 9 min, a dismissal rush at 17 min,
 *              a trickle (~0.3/s) in between. ~5% are access.denied with an
 *              unknown card (0098xxxxxx); the rest access.granted with a
 *              built-in card holder {card: "00123456NN", name}. At 45 s and
 *              then every 150–210 s a stranger tries 4 cards at one reader
 *              within 20 s (4 access.denied).
 *   panic-*    panic buttons: silent, except that one random button is pressed
 *              (alarm.panic) 20 s after start (or after --panic-every if that
 *              is shorter) and then every --panic-every s; alarm.cleared 10 s
 *              later.
 *   door-*     door contacts: door.closed every ~40 s per door; door.held_open
 *              about every 15 min per door (closed again 10–40 s later);
 *              door.forced about once an hour per door.
 *   patrol-*   patrol.checkpoint {guard} 10–60 s after start, then every 2–5 min.
 *   cam-*      camera.motion {confidence} every ~45 s per camera.
 *   other      status heartbeats only.
 * --rate N multiplies the reader, door, patrol and camera rates (not the
 * panic presses, which --panic-every sets, nor the stranger bursts).
 *
 * Faults: --wrong-password, --malformed-rate, --silent/--silent-after (see
 * args.ts USAGE). SIGINT/SIGTERM (or --duration): every device publishes a
 * retained `offline` status and disconnects cleanly; one summary line; exit 0.
 */
import { ArgsError, parseOptions, USAGE, type SimOptions } from './args.ts';
import { campusBehaviours, roleOf, type Behaviour, type CampusContext } from './behaviours.ts';
import { ConfigError, readCampusConfig, type SimDeviceSpec } from './config.ts';
import { SimDevice, type DeviceContext } from './device.ts';
import { createLog, type Log } from './log.ts';
import { Malformer } from './payloads.ts';
import { createRandom } from './random.ts';
import { Stats } from './stats.ts';

const TICK_MS = 250;
const SUMMARY_MS = 30_000;

function fail(message: string, code: number): never {
  process.stderr.write(`[sim] ${message}\n`);
  process.exit(code);
}

function chooseDevices(all: readonly SimDeviceSpec[], options: SimOptions): SimDeviceSpec[] {
  const known = new Set(all.map((d) => d.id));
  for (const [flag, ids] of [
    ['--only', options.only],
    ['--wrong-password', options.wrongPassword],
    ['--silent', options.silent],
  ] as const) {
    const unknown = ids.filter((id) => !known.has(id));
    if (unknown.length > 0) throw new ArgsError(`${flag}: no generic device ${unknown.join(', ')} in ${options.config}`);
  }
  return options.only.length > 0 ? all.filter((d) => options.only.includes(d.id)) : [...all];
}

class Campus {
  private readonly started = Date.now();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly stats = new Stats();
  private readonly devices: SimDevice[];
  private readonly behaviours: Behaviour[];
  private stopping = false;

  constructor(
    specs: readonly SimDeviceSpec[],
    private readonly url: string,
    private readonly options: SimOptions,
    private readonly log: Log,
  ) {
    const rng = createRandom(options.seed);
    const deviceContext: DeviceContext = { url, rng, stats: this.stats, log, malformer: new Malformer(options.malformedRate, rng) };
    this.devices = specs.map((spec) => new SimDevice(spec, options.wrongPassword.includes(spec.id), deviceContext));
    const campusContext: CampusContext = {
      rng,
      rate: options.rate,
      panicEvery: options.panicEvery,
      log,
      elapsed: () => this.elapsed(),
      later: (ms, fn) => this.later(ms, fn),
    };
    this.behaviours = campusBehaviours(this.devices, campusContext);
  }

  private elapsed(): number {
    return (Date.now() - this.started) / 1000;
  }

  private later(ms: number, fn: () => void): void {
    if (this.stopping) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private every(ms: number, fn: () => void): void {
    const timer = setInterval(fn, ms);
    this.timers.add(timer);
  }

  async start(): Promise<void> {
    const roles = new Map<string, number>();
    for (const d of this.devices) roles.set(roleOf(d.id), (roles.get(roleOf(d.id)) ?? 0) + 1);
    const faults = [
      this.options.wrongPassword.length > 0 ? `wrong password: ${this.options.wrongPassword.join(', ')}` : '',
      this.options.silent.length > 0 ? `silent after ${this.options.silentAfter} s: ${this.options.silent.join(', ')}` : '',
      this.options.malformedRate > 0 ? `malformed rate ${this.options.malformedRate}` : '',
      this.options.rate !== 1 ? `rate x${this.options.rate}` : '',
      this.options.seed !== undefined ? `seed ${this.options.seed}` : '',
    ].filter((s) => s);
    this.log.info(
      `simulating ${this.devices.length} devices (${[...roles].map(([r, n]) => `${n} ${r}`).join(', ')}) against ${this.url}` +
        (faults.length > 0 ? `; ${faults.join('; ')}` : ''),
    );

    let last = Date.now();
    this.every(TICK_MS, () => {
      const now = Date.now();
      const dt = (now - last) / 1000;
      last = now;
      for (const b of this.behaviours) b.tick(dt);
    });
    this.every(SUMMARY_MS, () => this.log.info(`summary: ${this.summary()}`));
    if (this.options.silent.length > 0) {
      this.later(this.options.silentAfter * 1000, () => {
        for (const d of this.devices) if (this.options.silent.includes(d.id)) d.silence();
      });
    }

    const outcomes = await Promise.all(this.devices.map(async (d) => ({ id: d.id, outcome: await d.start() })));
    if (this.stopping) return;
    const by = (o: string): string[] => outcomes.filter((x) => x.outcome === o).map((x) => x.id);
    const refused = by('refused');
    const unreachable = by('unreachable');
    this.log.info(
      `${by('connected').length}/${this.devices.length} devices connected` +
        (refused.length > 0 ? `; refused: ${refused.join(', ')}` : '') +
        (unreachable.length > 0 ? `; unreachable: ${unreachable.join(', ')}` : ''),
    );
  }

  private summary(): string {
    const s = this.stats;
    const online = this.devices.filter((d) => d.online).length;
    return (
      `${online}/${this.devices.length} online; events sent ${s.sent}, acked ${s.acked}` +
      (s.failed > 0 ? `, failed ${s.failed}` : '') +
      ` (${s.byKind()}); status ${s.statusSent}; commands ${s.commands}; refused connects ${s.refusedConnects}`
    );
  }

  async stop(why: string): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all(this.devices.map((d) => d.stop()));
    const s = this.stats;
    this.log.always(
      `stopped (${why}) after ${Math.round(this.elapsed())} s: events sent ${s.sent}, acked ${s.acked}, ` +
        `malformed ${s.malformedSent()}, refused connects ${s.refusedConnects}`,
    );
  }
}

async function main(): Promise<void> {
  let options: SimOptions;
  let specs: SimDeviceSpec[];
  let url: string;
  try {
    options = parseOptions(process.argv.slice(2));
    if (options.help) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    const config = readCampusConfig(options.config);
    specs = chooseDevices(config.devices, options);
    url = options.url ?? config.brokerUrl;
    for (const s of config.skipped) process.stderr.write(`[sim] skipping ${s}\n`);
  } catch (err) {
    if (err instanceof ArgsError) fail(`${err.message}\n\n${USAGE}`, 2);
    if (err instanceof ConfigError) fail(err.message, 1);
    throw err;
  }
  if (specs.length === 0) fail(`no generic MQTT devices to simulate in ${options.config}`, 1);

  const log = createLog(options);
  const campus = new Campus(specs, url, options, log);
  let signalled = false;
  const stop = (why: string): void => {
    if (signalled) process.exit(0); // a second signal: leave now
    signalled = true;
    void campus.stop(why).then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  // Started by `gatehouse demo` with an IPC channel: when the demo goes (even killed), so do we.
  if (process.connected) process.on('disconnect', () => stop('SIGTERM'));
  if (options.duration !== undefined) setTimeout(() => stop(`--duration ${options.duration} s`), options.duration * 1000);
  await campus.start();
}

main().catch((err: unknown) => fail((err as Error).stack ?? String(err), 1));
