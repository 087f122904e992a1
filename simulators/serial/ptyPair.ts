import { spawn, type ChildProcess } from 'node:child_process';
import { lstat } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A pair of connected pseudo-terminals made by socat: what one end writes, the
 * other reads — a null-modem cable between the hub and a simulated device.
 * `link=` names them at fixed paths, so killing the pair is an unplugged
 * adapter and starting it again at the same paths is the adapter replugged.
 *
 *   socat pty,rawer,echo=0,link=DIR/hub pty,rawer,echo=0,link=DIR/device
 */
export class PtyPair {
  private child: ChildProcess | undefined;

  constructor(
    /** The end the hub opens (`serial.path`). */
    readonly hubPath: string,
    /** The end the simulated device opens. */
    readonly devicePath: string,
  ) {}

  static inDir(dir: string, name = 'ttyGH'): PtyPair {
    return new PtyPair(join(dir, `${name}-hub`), join(dir, `${name}-device`));
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Start socat and wait until both links exist. */
  async plug(timeoutMs = 5000): Promise<void> {
    if (this.child) return;
    const child = spawn('socat', [`pty,rawer,echo=0,link=${this.hubPath}`, `pty,rawer,echo=0,link=${this.devicePath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const spawned = new Promise<void>((resolve, reject) => {
      child.once('error', (err) => reject(new Error(`cannot start socat (apt install socat): ${err.message}`)));
      child.once('spawn', () => resolve());
    });
    await spawned;
    const deadline = Date.now() + timeoutMs;
    while (!(await exists(this.hubPath)) || !(await exists(this.devicePath))) {
      if (child.exitCode !== null) throw new Error(`socat exited: ${stderr.trim()}`);
      if (Date.now() > deadline) throw new Error(`socat did not create ${this.hubPath} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  /** Kill socat: both ends go away, as when a USB adapter is pulled. socat removes its links on SIGTERM. */
  async unplug(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch {
    return false;
  }
}
