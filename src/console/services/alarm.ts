/**
 * The alarm tone: a warbling two-tone beep, 0.75 s on and 0.75 s off, repeating
 * while a critical incident waits for acknowledgement. It is built entirely in
 * the Web Audio graph (oscillators gating oscillators), with no JavaScript
 * timer: a browser throttles timers in a background tab, not the audio clock.
 * Browsers only let a page start sound after the user has interacted with it;
 * `unlock()` is called on every click and key press, and `blocked` tells the
 * page to ask.
 */
export type SoundState = 'off' | 'playing' | 'muted' | 'blocked';

const VOLUME = 0.2;
const PULSE_HZ = 1 / 1.5;

export class AlarmSound {
  private ctx: AudioContext | undefined;
  private nodes: AudioScheduledSourceNode[] | undefined;
  private wanted = false;
  private mutedFlag = false;
  private readonly listeners = new Set<() => void>();

  get state(): SoundState {
    if (!this.wanted) return 'off';
    if (this.mutedFlag) return 'muted';
    return this.ctx?.state === 'running' ? 'playing' : 'blocked';
  }

  get muted(): boolean {
    return this.mutedFlag;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private emit(): void {
    for (const l of this.listeners) l();
  }

  /** Create or resume the audio context (call from a user gesture). */
  unlock(): void {
    try {
      this.ctx ??= new AudioContext();
      if (this.ctx.state !== 'running') {
        void this.ctx.resume().then(() => {
          this.sync();
          this.emit();
        }, () => undefined);
      }
    } catch {
      // no audio device: the visual alarm stays
    }
  }

  setMuted(muted: boolean): void {
    if (this.mutedFlag === muted) return;
    this.mutedFlag = muted;
    this.sync();
    this.emit();
  }

  /** Whether an alarm should be sounding (a critical incident is unacknowledged). */
  setActive(active: boolean): void {
    if (this.wanted === active) return;
    this.wanted = active;
    if (active && !this.ctx) this.unlock();
    this.sync();
    this.emit();
  }

  private sync(): void {
    const play = this.wanted && !this.mutedFlag;
    if (play && !this.nodes) this.start();
    else if (!play && this.nodes) this.stop();
  }

  private start(): void {
    const ctx = this.ctx;
    if (!ctx) return;
    try {
      const carrier = ctx.createOscillator();
      carrier.type = 'square';
      carrier.frequency.value = 770;
      // ±110 Hz at 4 Hz: the two-tone warble of an alarm panel
      const warble = ctx.createOscillator();
      warble.type = 'square';
      warble.frequency.value = 4;
      const warbleDepth = ctx.createGain();
      warbleDepth.gain.value = 110;
      warble.connect(warbleDepth).connect(carrier.frequency);
      // the gate swings 0 … VOLUME: on for half of each 1.5 s period
      const gate = ctx.createGain();
      gate.gain.value = VOLUME / 2;
      const pulse = ctx.createOscillator();
      pulse.type = 'square';
      pulse.frequency.value = PULSE_HZ;
      const pulseDepth = ctx.createGain();
      pulseDepth.gain.value = VOLUME / 2;
      pulse.connect(pulseDepth).connect(gate.gain);
      carrier.connect(gate).connect(ctx.destination);
      this.nodes = [carrier, warble, pulse];
      for (const n of this.nodes) n.start();
    } catch {
      this.nodes = undefined;
    }
  }

  private stop(): void {
    for (const n of this.nodes ?? []) {
      try {
        n.stop();
        n.disconnect();
      } catch {
        // already stopped
      }
    }
    this.nodes = undefined;
  }
}
