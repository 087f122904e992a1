import type { Logger } from '../observability/logger.ts';

/** The disk under storage.dir has less free space than storage.minFreeMiB. */
export interface DiskLow {
  readonly freeBytes: number;
  readonly minFreeBytes: number;
  readonly dir: string;
  readonly since: number;
}

const mib = (n: number): string => `${Math.floor(n / 1048576)} MiB`;

/**
 * Tells the guard room of a filling disk before commits start failing (see
 * Recorder.storageFault), not after: fed the free space under storage.dir each
 * time it is measured (src/series/jobs.ts), it is low below storage.minFreeMiB.
 */
export class DiskWatch {
  private lowState: DiskLow | undefined;

  constructor(
    private readonly dir: string,
    private readonly minFreeBytes: number,
    private readonly log: Logger,
    private readonly onChange: (low: DiskLow | undefined) => void,
  ) {}

  get low(): DiskLow | undefined {
    return this.lowState;
  }

  observe(freeBytes: number, now: number): void {
    if (freeBytes < this.minFreeBytes) {
      const first = this.lowState === undefined;
      this.lowState = { freeBytes, minFreeBytes: this.minFreeBytes, dir: this.dir, since: this.lowState?.since ?? now };
      if (!first) return;
      this.log.warn(
        { freeBytes, minFreeBytes: this.minFreeBytes, dir: this.dir },
        `disk nearly full: ${mib(freeBytes)} free under ${this.dir}, below storage.minFreeMiB (${mib(this.minFreeBytes)}); shorten storage.retention or free space before commits fail`,
      );
      this.onChange(this.lowState);
    } else if (this.lowState) {
      this.log.info({ freeBytes, dir: this.dir }, `disk space back above storage.minFreeMiB: ${mib(freeBytes)} free under ${this.dir}`);
      this.lowState = undefined;
      this.onChange(undefined);
    }
  }
}
