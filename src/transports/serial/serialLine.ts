import { stat } from 'node:fs/promises';
import { backoffMs } from '../../core/backoff.ts';
import { SerialPort } from 'serialport';
import type { Logger } from '../../observability/logger.ts';

/**
 * One serial port, kept open through the real world: a port that is missing
 * at start, an adapter unplugged and replugged, a port another program holds.
 * It opens, reports what goes wrong in words an installer can act on, and
 * retries with backoff forever. It moves bytes; it does not frame them.
 */

export interface LineSettings {
  readonly path: string;
  readonly baudRate: number;
  readonly parity: 'none' | 'even' | 'odd';
  readonly stopBits: 1 | 2;
  readonly dataBits: 7 | 8;
}

export interface LineEvents {
  opened(): void;
  /** The port is gone or cannot be opened (again, at every failed retry); `reason` says why and what to do. */
  lost(reason: string): void;
  data(chunk: Buffer): void;
}

/** Retry delays: quick at first (a replugged adapter is back within a second), then every 2 s. */
const BACKOFF_FIRST_MS = 250;
const BACKOFF_MAX_MS = 2000;
/**
 * How often an open port's path is checked. A USB adapter replugged while
 * the old handle lingers, or a pty recreated at the same link, is a new
 * device behind the same name: reopen it.
 */
const WATCH_MS = 1000;

export function describeOpenError(path: string, err: Error & { code?: string }): string {
  const text = err.message;
  if (/cannot lock port/i.test(text)) {
    return `${path} is held by another process (another program has it open and locked; \`fuser -v ${path}\` shows which)`;
  }
  if (err.code === 'ENOENT' || /no such file/i.test(text)) return `${path} not found (adapter unplugged, or the wrong path? /dev/serial/by-id/ names survive replugging)`;
  if (err.code === 'EACCES' || /permission denied/i.test(text)) return `permission denied opening ${path} (add the hub's user to the dialout group)`;
  if (/busy/i.test(text)) return `${path} is busy (held by another process)`;
  return `cannot open ${path}: ${text}`;
}

export class SerialLine {
  private port: SerialPort | undefined;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private watchTimer: NodeJS.Timeout | undefined;
  /** Failed opens in a row (the retry waits longer each time). */
  private failures = 0;
  private identity: string | undefined;
  private everOpened = false;
  /** Successful opens after the first (adapter replugged, port recovered). */
  reopens = 0;
  /** Why the port is not open, while it is not. */
  error: string | undefined;
  openedAt: number | undefined;

  constructor(
    readonly settings: LineSettings,
    private readonly events: LineEvents,
    private readonly log: Logger,
    private readonly now: () => number,
  ) {}

  get isOpen(): boolean {
    return this.port?.isOpen === true;
  }

  start(): void {
    this.open();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.watchTimer);
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
  }

  /** Write a whole frame; resolves once the OS has taken it. Rejects when the port is not open. */
  write(bytes: Buffer): Promise<void> {
    const port = this.port;
    if (!port?.isOpen) return Promise.reject(new Error(`${this.settings.path} is not open${this.error ? `: ${this.error}` : ''}`));
    return new Promise((resolve, reject) => {
      port.write(bytes, (err) => (err ? reject(err) : resolve()));
    });
  }

  private open(): void {
    if (this.stopped) return;
    const { path, baudRate, parity, stopBits, dataBits } = this.settings;
    // lock: flock(2) on the port, so two programs (or two hubs) never share one line unknowingly.
    const port = new SerialPort({ path, baudRate, parity, stopBits, dataBits, autoOpen: false, lock: true });
    this.port = port;
    port.on('data', (chunk: Buffer) => {
      if (this.port === port) this.events.data(chunk);
    });
    port.on('error', (err) => this.log.debug({ err, path }, 'serial port error'));
    port.on('close', (err: (Error & { disconnected?: boolean }) | null) => {
      if (this.port !== port || this.stopped) return;
      // A vanished device ends the read with EIO/EBADF (err.disconnected) or with end-of-file (no error): both are an unplug.
      this.fail(`${path} disconnected (adapter unplugged or cable fault)${err ? `: ${err.message}` : ''}`);
    });
    port.open((err) => {
      if (this.port !== port || this.stopped) {
        if (!err) port.close();
        return;
      }
      if (err) {
        this.fail(describeOpenError(path, err as Error & { code?: string }));
        return;
      }
      this.failures = 0;
      this.error = undefined;
      this.openedAt = this.now();
      if (this.everOpened) this.reopens++;
      this.everOpened = true;
      this.log.info({ path, reopens: this.reopens }, `serial port ${path} open`);
      void this.remember();
      this.events.opened();
    });
  }

  private fail(reason: string): void {
    const retryInMs = backoffMs(++this.failures, { firstMs: BACKOFF_FIRST_MS, maxMs: BACKOFF_MAX_MS });
    if (this.error !== reason) this.log.warn({ path: this.settings.path, retryInMs }, `serial port: ${reason}; retrying`);
    this.error = reason;
    this.openedAt = undefined;
    clearInterval(this.watchTimer);
    const port = this.port;
    this.port = undefined;
    if (port?.isOpen) port.close();
    this.events.lost(reason);
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.open(), retryInMs);
    this.retryTimer.unref();
  }

  /** Note which device node the path leads to, and watch for it to vanish or change. */
  private async remember(): Promise<void> {
    this.identity = await identityOf(this.settings.path);
    clearInterval(this.watchTimer);
    this.watchTimer = setInterval(() => void this.check(), WATCH_MS);
    this.watchTimer.unref();
  }

  private async check(): Promise<void> {
    if (!this.isOpen || this.stopped) return;
    const now = await identityOf(this.settings.path);
    if (!this.isOpen || now === this.identity) return;
    this.fail(now === undefined ? `${this.settings.path} vanished (adapter unplugged)` : `${this.settings.path} now leads to another device (adapter replugged)`);
  }
}

async function identityOf(path: string): Promise<string | undefined> {
  try {
    const s = await stat(path);
    return `${s.dev}:${s.ino}:${s.rdev}`;
  } catch {
    return undefined;
  }
}
