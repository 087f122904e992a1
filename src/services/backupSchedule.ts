import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../observability/logger.ts';

export interface BackupStatus {
  readonly lastSuccess: { readonly at: number; readonly file: string; readonly bytes: number } | null;
  readonly lastFailure: { readonly at: number; readonly message: string } | null;
  readonly nextAt: number | null;
}

export interface BackupScheduleOptions {
  readonly dir: string;
  readonly everyMs: number;
  readonly keep: number;
  readonly campusId: string;
  /** Take one backup into `out` (in its own process: copying a large store must not stall the hub). */
  readonly run: (out: string) => Promise<{ bytes: number }>;
  readonly now: () => number;
  readonly log: Logger;
  readonly onChange?: (status: BackupStatus) => void;
}

/** Archive names sort by time: gatehouse-<campus>-<UTC stamp>.tar.gz. */
function archiveName(campusId: string, at: number): string {
  return `gatehouse-${campusId}-${new Date(at).toISOString().replace(/[:.]/g, '-')}.tar.gz`;
}

/**
 * Scheduled backups (`backup: { dir, every, keep }`): one every `every`, the
 * newest `keep` archives kept (only this campus's, only after a success — a
 * failing schedule never deletes the last good copy). The last success and
 * failure go to /healthz, /metrics and the live feed.
 */
export class BackupSchedule {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private state: BackupStatus = { lastSuccess: null, lastFailure: null, nextAt: null };

  constructor(private readonly options: BackupScheduleOptions) {}

  get status(): BackupStatus {
    return this.state;
  }

  /** First backup after `firstDelayMs` (a minute by default: not during start-up), then every `everyMs`. */
  start(firstDelayMs = 60_000): void {
    this.schedule(firstDelayMs);
  }

  /** Take a backup now (also what the timer calls). Resolves when it is done, failed or not. */
  runNow(): Promise<void> {
    this.running ??= this.backup().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  /** No more backups; one under way runs on in its own process and finishes its archive (waited for up to 3 s). */
  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.running) await Promise.race([this.running, new Promise((r) => setTimeout(r, 3000).unref())]);
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.state = { ...this.state, nextAt: this.options.now() + delayMs };
    this.timer = setTimeout(() => {
      void this.runNow().then(() => {
        if (this.timer) this.schedule(this.options.everyMs);
      });
    }, Math.min(delayMs, 2 ** 31 - 1));
    this.timer.unref();
  }

  private async backup(): Promise<void> {
    const { dir, campusId, log } = this.options;
    const at = this.options.now();
    const file = join(dir, archiveName(campusId, at));
    try {
      const { bytes } = await this.options.run(file);
      this.state = { ...this.state, lastSuccess: { at, file, bytes } };
      log.info({ file, bytes }, `backup written: ${file} (${(bytes / 1048576).toFixed(1)} MiB)`);
      await this.prune();
    } catch (err) {
      const message = (err as Error).message;
      this.state = { ...this.state, lastFailure: { at, message } };
      log.error({ dir, err: message }, `scheduled backup into ${dir} failed: ${message}; the previous backups are kept`);
    }
    this.options.onChange?.(this.state);
  }

  private async prune(): Promise<void> {
    const prefix = `gatehouse-${this.options.campusId}-`;
    const ours = (await readdir(this.options.dir)).filter((n) => n.startsWith(prefix) && n.endsWith('.tar.gz')).sort();
    for (const old of ours.slice(0, Math.max(0, ours.length - this.options.keep))) {
      await rm(join(this.options.dir, old), { force: true });
      this.options.log.info({ file: old }, `removed old backup ${old} (backup.keep ${this.options.keep})`);
    }
  }
}

/** Health lines for /healthz: a failure newer than the last success, or no success for two periods. */
export function backupWarnings(status: BackupStatus, everyMs: number, startedAt: number, now: number): string[] {
  const { lastSuccess, lastFailure } = status;
  if (lastFailure && (!lastSuccess || lastFailure.at > lastSuccess.at)) {
    // The reason (it may name a path) is in the log and the console, not on this unauthenticated page.
    return [`backup: the last scheduled backup failed at ${new Date(lastFailure.at).toISOString()}; the log says why`];
  }
  const since = lastSuccess?.at ?? startedAt;
  if (now - since > 2 * everyMs + 60_000) return [`backup: no backup has succeeded since ${new Date(since).toISOString()}`];
  return [];
}
