import { performance } from 'node:perf_hooks';
import type { AsciiLinesLink } from '../../core/fieldbus.ts';
import type { TransportContext } from '../transport.ts';
import { LineSplitter } from './lineSplitter.ts';
import { SerialLine, type LineSettings } from './serialLine.ts';
import { Station } from './station.ts';

/**
 * A device that writes ASCII lines (a card reader behind a Wiegand
 * converter) on a port of its own. Each line goes to the profile, which
 * decides what it means and rejects garbage.
 *
 * A bare reader says nothing between cards, so the open port is its sign of
 * life: while the port is open the device is kept online (nights are quiet,
 * not offline); an unplugged adapter takes it offline with the cause.
 */

/** A partial line left hanging this long is ended (see LineSplitter). */
const LINE_GAP_MS = 250;

export class LineReader {
  readonly line: SerialLine;
  private readonly station: Station;
  private readonly splitter: LineSplitter;
  private keepAlive: NodeJS.Timeout | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private droppedBytes = 0;

  constructor(
    settings: LineSettings,
    private readonly deviceId: string,
    link: AsciiLinesLink,
    offlineAfterS: number,
    private readonly ctx: TransportContext,
  ) {
    this.station = new Station(deviceId);
    this.splitter = new LineSplitter(link.maxLineBytes, LINE_GAP_MS);
    const port = { port: settings.path };
    // `restored` marks the device seen; well inside offlineAfter so supervision never calls a quiet reader silent.
    const keepAliveMs = Math.max(1000, Math.min(30_000, (offlineAfterS * 1000) / 3));
    this.line = new SerialLine(
      settings,
      {
        opened: () => {
          ctx.metrics.serialPortOpen.set(port, 1);
          if (this.line.reopens > 0) ctx.metrics.serialReopens.inc(port);
          this.station.markUp();
          ctx.restored(deviceId, `${settings.path} open`);
          clearInterval(this.keepAlive);
          this.keepAlive = setInterval(() => ctx.restored(deviceId, `${settings.path} open`), keepAliveMs);
          this.keepAlive.unref();
        },
        lost: (reason) => {
          ctx.metrics.serialPortOpen.set(port, 0);
          clearInterval(this.keepAlive);
          this.splitter.flush(); // a line cut by the unplug is not a card read
          this.station.lastProblem = reason;
          if (this.station.markLost()) ctx.lost(deviceId, reason);
        },
        data: (chunk) => this.onData(chunk),
      },
      ctx.log.child({ port: settings.path, deviceId }),
      () => ctx.now(),
    );
  }

  start(): void {
    this.line.start();
  }

  async stop(): Promise<void> {
    clearInterval(this.keepAlive);
    clearTimeout(this.flushTimer);
    await this.line.stop();
    this.ctx.metrics.serialPortOpen.set({ port: this.line.settings.path }, 0);
  }

  status(): Record<string, unknown> {
    return {
      port: this.line.settings.path,
      protocol: 'ascii-lines',
      open: this.line.isOpen,
      ...(this.line.error ? { error: this.line.error } : {}),
      reopens: this.line.reopens,
      noiseBytes: this.droppedBytes,
      ...this.station.counters(),
    };
  }

  private onData(chunk: Buffer): void {
    const result = this.splitter.push(chunk, performance.now());
    if (result.droppedBytes > 0) {
      this.droppedBytes += result.droppedBytes;
      this.ctx.metrics.serialNoiseBytes.inc({ port: this.line.settings.path }, result.droppedBytes);
    }
    this.submit(result.lines);
    clearTimeout(this.flushTimer);
    this.flushTimer = setTimeout(() => this.submit(this.splitter.flush()), LINE_GAP_MS);
    this.flushTimer.unref();
  }

  private submit(lines: readonly Buffer[]): void {
    for (const payload of lines) {
      const receivedAt = this.ctx.now();
      this.station.frames++;
      this.station.lastFrameAt = receivedAt;
      this.ctx.metrics.serialFrames.inc({ port: this.line.settings.path, device: this.deviceId });
      this.ctx.submit({ deviceId: this.deviceId, channel: 'line', payload, receivedAt }, (err) => {
        if (err) this.ctx.log.warn({ err, deviceId: this.deviceId }, 'card read not committed');
      });
    }
  }
}
