/** The fault switches: what the platform does with each uplink request. */

export const MODES = ['up', 'down', 'slow', 'unauthorized', 'drop', 'reject'] as const;
export type Mode = (typeof MODES)[number];

export interface ModeOptions {
  /** `down`: seconds to send as `Retry-After` (none when unset). */
  readonly retryAfter?: number | undefined;
  /** `slow`: milliseconds each answer is held back (default 1000). */
  readonly delayMs?: number | undefined;
}

export interface ModeState {
  readonly mode: Mode;
  readonly retryAfter: number | undefined;
  readonly delayMs: number;
}

const DEFAULT_SLOW_MS = 1000;

export function checkMode(mode: unknown, options: ModeOptions = {}): ModeState {
  if (typeof mode !== 'string' || !(MODES as readonly string[]).includes(mode)) {
    throw new RangeError(`mode must be one of ${MODES.join(', ')}; got ${JSON.stringify(mode)}`);
  }
  const { retryAfter, delayMs } = options;
  if (retryAfter !== undefined && (typeof retryAfter !== 'number' || !Number.isInteger(retryAfter) || retryAfter < 0)) {
    throw new RangeError('retryAfter must be a whole number of seconds >= 0');
  }
  if (delayMs !== undefined && (typeof delayMs !== 'number' || !Number.isFinite(delayMs) || delayMs < 0)) {
    throw new RangeError('delayMs must be a number of milliseconds >= 0');
  }
  return { mode: mode as Mode, retryAfter, delayMs: delayMs ?? DEFAULT_SLOW_MS };
}

export function describe(state: ModeState): string {
  if (state.mode === 'down') return state.retryAfter === undefined ? 'down' : `down (Retry-After: ${state.retryAfter})`;
  if (state.mode === 'slow') return `slow (${state.delayMs} ms)`;
  return state.mode;
}
