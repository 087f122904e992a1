import { performance } from 'node:perf_hooks';
import type { ModbusRtuLink } from '../../core/fieldbus.ts';
import type { TransportContext } from '../transport.ts';
import { describeFailure, interFrameGapMs, parseAnswer, readDiscreteInputs, wireTimeMs, writeSingleCoil, type Answer, type Request } from './rtuFrames.ts';
import { RtuScanner } from './rtuScanner.ts';
import { SerialLine, type LineSettings } from './serialLine.ts';
import { Station } from './station.ts';

/**
 * A Modbus RTU master on one serial line, shared by every unit wired to that
 * RS-485 bus. One request at a time (Modbus over serial line §2.1: a single
 * master, and a unit answers only when asked); a silence of at least 3.5
 * characters before each request (§2.5.1.1); coil writes go ahead of polls.
 *
 * A missed answer is followed, for that unit only, by a quiet period as long
 * as the timeout before it is asked again, so a late answer can never be taken
 * for the answer to the next request (RTU frames carry no transaction id; the
 * same recovery as libmodbus). Other units keep being polled meanwhile.
 *
 * Why not modbus-serial (8.0.25) over this line: its RTU port keeps bytes
 * across transactions, so an answer that arrives after a timeout is returned
 * for the next request to that unit (seen here: a released panic button read
 * as still pressed); it has one transaction slot, so a relay write during a
 * poll loses the poll's callback; and a failed CRC candidate drops the bytes
 * instead of resynchronising one byte on. Queue, gaps and resync are the hard
 * part; two request builders and a CRC are all it would have added.
 */

interface ModbusStation extends Station {
  readonly link: ModbusRtuLink;
  nextDue: number;
  quietUntil: number;
}

interface Job {
  readonly station: ModbusStation;
  readonly request: Request;
  readonly count: number;
  readonly settle?: (answer: Answer | undefined, problem: string | undefined) => void;
}

/** USB adapters deliver bytes in bursts (FTDI latency timer: 16 ms); a spec-exact t3.5 would cut frames in half. */
const HOST_LATENCY_MS = 20;
/** A coil write is idempotent, so a lost answer is worth asking again. */
const COMMAND_ATTEMPTS = 3;

export class ModbusBus {
  readonly line: SerialLine;
  private readonly stations = new Map<string, ModbusStation>();
  private readonly scanner: RtuScanner;
  private readonly gapMs: number;
  private readonly commands: Job[] = [];
  /** Set while a request waits for its answer. */
  private answer: ((frame: Buffer | undefined) => void) | undefined;
  private current: { crc(n: number): void } | undefined;
  private wakeUp: (() => void) | undefined;
  private lastActivity = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;
  noiseBytes = 0;

  constructor(
    settings: LineSettings,
    devices: readonly { readonly id: string; readonly link: ModbusRtuLink }[],
    private readonly ctx: TransportContext,
  ) {
    this.gapMs = interFrameGapMs(settings.baudRate);
    this.scanner = new RtuScanner(Math.max(this.gapMs, HOST_LATENCY_MS));
    for (const d of devices) this.stations.set(d.id, Object.assign(new Station(d.id), { link: d.link, nextDue: 0, quietUntil: 0 }));
    const port = { port: settings.path };
    this.line = new SerialLine(
      settings,
      {
        opened: () => {
          ctx.metrics.serialPortOpen.set(port, 1);
          if (this.line.reopens > 0) ctx.metrics.serialReopens.inc(port);
          for (const s of this.stations.values()) s.nextDue = s.quietUntil = 0;
          this.wake();
        },
        lost: (reason) => this.portLost(reason),
        data: (chunk) => this.onData(chunk),
      },
      ctx.log.child({ port: settings.path }),
      () => ctx.now(),
    );
  }

  serves(deviceId: string): boolean {
    return this.stations.has(deviceId);
  }

  start(): void {
    this.line.start();
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake();
    this.answer?.(undefined);
    await this.loop;
    for (const job of this.commands.splice(0)) job.settle?.(undefined, 'the hub is stopping');
    await this.line.stop();
    this.ctx.metrics.serialPortOpen.set({ port: this.line.settings.path }, 0);
  }

  status(deviceId: string): Record<string, unknown> | undefined {
    const s = this.stations.get(deviceId);
    if (!s) return undefined;
    const { path } = this.line.settings;
    return {
      port: path,
      protocol: 'modbus-rtu',
      unit: s.link.unit,
      open: this.line.isOpen,
      ...(this.line.error ? { error: this.line.error } : {}),
      reopens: this.line.reopens,
      noiseBytes: this.noiseBytes,
      ...s.counters(),
      misses: s.misses,
    };
  }

  /** Switch a coil (function 05) and wait for the unit to echo it; retried on a lost answer. */
  async writeCoil(deviceId: string, coil: number, on: boolean): Promise<void> {
    const station = this.stations.get(deviceId);
    if (!station) throw new Error(`${deviceId} is not on ${this.line.settings.path}`);
    let problem = '';
    for (let attempt = 1; attempt <= COMMAND_ATTEMPTS; attempt++) {
      if (!this.line.isOpen) throw new Error(`${this.line.settings.path} is not open: ${this.line.error ?? 'opening'}`);
      const request = writeSingleCoil(station.link.unit, coil, on);
      const outcome = await new Promise<{ answer: Answer | undefined; problem: string | undefined }>((resolve) => {
        this.commands.push({ station, request, count: 0, settle: (answer, p) => resolve({ answer, problem: p }) });
        this.wake();
      });
      if (outcome.answer?.kind === 'written') return;
      if (outcome.answer?.kind === 'exception') throw new Error(`unit ${station.link.unit} refused coil ${coil}: exception ${outcome.answer.code} (${outcome.answer.text})`);
      problem = outcome.problem ?? 'no answer';
      if (this.stopped) break;
    }
    throw new Error(`unit ${station.link.unit} did not confirm coil ${coil} after ${COMMAND_ATTEMPTS} tries: ${problem}`);
  }

  private onData(chunk: Buffer): void {
    const now = performance.now();
    this.lastActivity = now;
    if (!this.answer) {
      this.countNoise(chunk.length); // nobody asked: noise, or an answer too late to trust
      return;
    }
    const result = this.scanner.push(chunk, now);
    this.countNoise(result.noiseBytes);
    if (result.crcErrors > 0) this.current?.crc(result.crcErrors);
    if (result.frames[0]) this.answer(result.frames[0]);
  }

  private countNoise(bytes: number): void {
    if (bytes === 0) return;
    this.noiseBytes += bytes;
    this.ctx.metrics.serialNoiseBytes.inc({ port: this.line.settings.path }, bytes);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (!this.line.isOpen) {
        await this.sleep(Number.POSITIVE_INFINITY);
        continue;
      }
      const next = this.nextJob();
      if ('waitMs' in next) {
        await this.sleep(next.waitMs);
        continue;
      }
      try {
        await this.execute(next);
      } catch (err) {
        this.ctx.log.error({ err, port: this.line.settings.path }, 'modbus transaction failed');
      }
    }
  }

  private nextJob(): Job | { waitMs: number } {
    const command = this.commands.shift();
    if (command) return command;
    const now = performance.now();
    let best: ModbusStation | undefined;
    let bestAt = Number.POSITIVE_INFINITY;
    for (const s of this.stations.values()) {
      const at = Math.max(s.nextDue, s.quietUntil);
      if (at < bestAt) [best, bestAt] = [s, at];
    }
    if (!best || bestAt > now) return { waitMs: bestAt - now };
    best.nextDue = Math.max(best.nextDue + best.link.pollMs, now);
    return { station: best, request: readDiscreteInputs(best.link.unit, 0, best.link.inputCount), count: best.link.inputCount };
  }

  private async execute(job: Job): Promise<void> {
    const { station, request } = job;
    const idle = this.gapMs - (performance.now() - this.lastActivity);
    if (idle > 0) await new Promise((r) => setTimeout(r, Math.ceil(idle)));
    this.countNoise(this.scanner.expect(request.expect));
    const answered = new Promise<Buffer | undefined>((resolve) => (this.answer = resolve));
    let crcErrors = 0;
    this.current = {
      crc: (n) => {
        crcErrors += n;
        this.countCrc(station, n);
      },
    };
    const sentAt = performance.now();
    let frame: Buffer | undefined;
    try {
      await this.line.write(request.bytes);
      this.lastActivity = performance.now();
      const timer = setTimeout(() => this.answer?.(undefined), station.link.timeoutMs + wireTimeMs(this.line.settings.baudRate, request.bytes.length));
      frame = await answered;
      clearTimeout(timer);
    } catch (err) {
      job.settle?.(undefined, `write failed: ${(err as Error).message}`);
      return;
    } finally {
      this.answer = undefined;
      this.current = undefined;
      this.scanner.expect(undefined);
    }
    if (!this.line.isOpen || this.stopped) {
      job.settle?.(undefined, this.line.error ?? 'the port closed');
      return;
    }
    const receivedAt = this.ctx.now();
    const answer = frame ? parseAnswer(frame, request, job.count) : undefined;
    const problem = describeFailure(station.link.unit, station.link.timeoutMs, answer, crcErrors);
    this.tally(station, answer, performance.now() - sentAt, receivedAt);
    // Presence follows the polls only: a refused command says nothing about whether the inputs are watched.
    if (job.settle) job.settle(answer, problem);
    else if (problem) this.missed(station, problem, !answer);
    else if (answer?.kind === 'inputs') {
      if (station.markUp()) {
        this.ctx.log.info({ deviceId: station.deviceId, port: this.line.settings.path }, `${station.deviceId}: unit ${station.link.unit} answers again`);
        this.ctx.restored(station.deviceId, `unit ${station.link.unit} answers again on ${this.line.settings.path}`);
      }
      this.ctx.submit({ deviceId: station.deviceId, channel: 'inputs', payload: { inputs: answer.inputs }, receivedAt }, (err) => {
        if (err) this.ctx.log.warn({ err, deviceId: station.deviceId }, 'inputs not committed');
      });
    }
  }

  /** Counters for the link status and /metrics. */
  private tally(station: ModbusStation, answer: Answer | undefined, roundTripMs: number, at: number): void {
    const labels = { port: this.line.settings.path, device: station.deviceId };
    if (!answer) {
      station.timeouts++;
      this.ctx.metrics.serialTimeouts.inc(labels);
    } else if (answer.kind === 'exception' || answer.kind === 'mismatch') {
      station.exceptions++;
    } else {
      station.frames++;
      station.lastFrameAt = at;
      station.lastRoundTripMs = Math.round(roundTripMs * 10) / 10;
      this.ctx.metrics.serialFrames.inc(labels);
      this.ctx.metrics.modbusRoundTrip.observe({ port: labels.port }, roundTripMs / 1000);
    }
  }

  private missed(station: ModbusStation, problem: string, timedOut: boolean): void {
    // A late answer must never pass for the answer to the next request: leave the unit alone for one more timeout.
    if (timedOut) station.quietUntil = performance.now() + station.link.timeoutMs;
    station.misses++;
    station.lastProblem = problem;
    if (station.misses >= station.link.offlineAfterMisses && station.markLost()) {
      const reason = `${problem} (${station.misses} polls in a row, ${this.line.settings.path})`;
      this.ctx.log.warn({ deviceId: station.deviceId, port: this.line.settings.path }, `${station.deviceId} lost: ${reason}`);
      this.ctx.lost(station.deviceId, reason);
    }
  }

  private countCrc(station: ModbusStation, n: number): void {
    station.crcErrors += n;
    this.ctx.metrics.serialCrcErrors.inc({ port: this.line.settings.path, device: station.deviceId }, n);
  }

  private portLost(reason: string): void {
    this.ctx.metrics.serialPortOpen.set({ port: this.line.settings.path }, 0);
    this.answer?.(undefined);
    for (const job of this.commands.splice(0)) job.settle?.(undefined, reason);
    for (const s of this.stations.values()) {
      s.misses = 0;
      s.lastProblem = reason;
      if (s.markLost()) this.ctx.lost(s.deviceId, reason);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = Number.isFinite(ms) ? setTimeout(() => this.wake(), Math.max(1, Math.ceil(ms))) : undefined;
      this.wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private wake(): void {
    const w = this.wakeUp;
    this.wakeUp = undefined;
    w?.();
  }
}
