import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import type { Logger } from './logger.ts';

/**
 * The service manager's notification protocol (sd_notify): READY=1 once the hub
 * listens, WATCHDOG=1 from the supervision loop (so a wedged event loop stops
 * feeding it and systemd restarts the hub), STOPPING=1 on shutdown, STATUS= lines.
 *
 * Node cannot send a unix datagram, so one long-lived `socat` in the service's
 * own cgroup carries each message to $NOTIFY_SOCKET (the unit says
 * NotifyAccess=all): one process, not one per message, so systemd never loses a
 * watchdog ping to the race of a sender that exits before it is identified.
 * Without NOTIFY_SOCKET (not under systemd, or Type=simple) nothing is sent.
 */
export class SystemdNotifier {
  private child: ChildProcess | undefined;
  private lastWatchdog = 0;
  /** Half the watchdog period, as sd_watchdog_enabled advises; 0: no watchdog. */
  readonly watchdogEveryMs: number;

  constructor(
    private readonly log: Logger,
    env: NodeJS.ProcessEnv = process.env,
    private readonly now: () => number = () => performance.now(),
  ) {
    const socket = env['NOTIFY_SOCKET'];
    const usec = Number(env['WATCHDOG_USEC'] ?? 0);
    const forUs = env['WATCHDOG_PID'] === undefined || Number(env['WATCHDOG_PID']) === process.pid;
    this.watchdogEveryMs = socket && forUs && usec > 0 ? Math.max(1, Math.floor(usec / 2000)) : 0;
    if (!socket) return;
    const address = socket.startsWith('@') ? `ABSTRACT-SENDTO:${socket.slice(1)}` : `UNIX-SENDTO:${socket}`;
    if (spawnSync('socat', ['-V'], { stdio: 'ignore' }).error) {
      log.error({ notifySocket: socket }, 'NOTIFY_SOCKET is set but socat is not installed: systemd will not hear that the hub is ready (apt install socat)');
      return;
    }
    const child = spawn('socat', ['-u', 'STDIN', address], { stdio: ['pipe', 'ignore', 'pipe'] });
    child.stderr!.on('data', (b: Buffer) => log.warn({ detail: b.toString('utf8').trim().slice(0, 300) }, 'systemd notification failed'));
    child.on('error', (err) => log.warn({ err }, 'systemd notifier failed'));
    child.stdin!.on('error', () => undefined);
    child.unref();
    (child.stdin as unknown as { unref?: () => void }).unref?.();
    this.child = child;
  }

  get active(): boolean {
    return this.child !== undefined;
  }

  ready(status: string): void {
    this.send(`READY=1\nSTATUS=${status}\nMAINPID=${process.pid}`);
  }

  status(status: string): void {
    this.send(`STATUS=${status}`);
  }

  /** Called from the supervision loop: sends WATCHDOG=1 at most every half period. */
  alive(): void {
    if (this.watchdogEveryMs === 0) return;
    const now = this.now();
    if (now - this.lastWatchdog < this.watchdogEveryMs) return;
    this.lastWatchdog = now;
    this.send('WATCHDOG=1');
  }

  stopping(): void {
    this.send('STOPPING=1');
  }

  close(): void {
    this.child?.stdin?.end();
    this.child = undefined;
  }

  private send(message: string): void {
    // One write, one datagram (socat sends what each read returns; the protocol takes several lines in one).
    this.child?.stdin?.write(`${message}\n`);
  }
}
