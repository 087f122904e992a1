/**
 * What the serial transport knows about one device on a line: counters for
 * the link status (`link` in GET /api/v1/devices) and whether the device is
 * reachable, so the hub hears of each loss and recovery once.
 */
export class Station {
  frames = 0;
  crcErrors = 0;
  timeouts = 0;
  exceptions = 0;
  lastFrameAt: number | undefined;
  lastRoundTripMs: number | undefined;
  /** Why the last request failed, until one succeeds. */
  lastProblem: string | undefined;
  /** Missed polls in a row. */
  misses = 0;
  /** undefined until the first answer or loss. */
  up: boolean | undefined;

  constructor(readonly deviceId: string) {}

  /** Returns true when this is news (the device was not already known to be lost). */
  markLost(): boolean {
    const news = this.up !== false;
    this.up = false;
    return news;
  }

  /** Returns true when the device was lost before (the hub should hear it is back). */
  markUp(): boolean {
    const wasLost = this.up === false;
    this.up = true;
    this.misses = 0;
    this.lastProblem = undefined;
    return wasLost;
  }

  counters(): Record<string, unknown> {
    return {
      frames: this.frames,
      crcErrors: this.crcErrors,
      timeouts: this.timeouts,
      exceptions: this.exceptions,
      ...(this.lastFrameAt !== undefined ? { lastFrameAt: this.lastFrameAt } : {}),
      ...(this.lastRoundTripMs !== undefined ? { lastRoundTripMs: this.lastRoundTripMs } : {}),
      ...(this.lastProblem !== undefined ? { lastProblem: this.lastProblem } : {}),
    };
  }
}
