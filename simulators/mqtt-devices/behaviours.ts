import type { Log } from './log.ts';
import type { EventData } from './payloads.ts';
import { between, digits, pick, poisson, type Random } from './random.ts';

/**
 * What each kind of device does, by id prefix (see campus.ts for the table).
 * A behaviour is ticked a few times a second with the seconds since the last
 * tick; events go out through the device, which knows whether it may publish.
 */

export interface Publisher {
  readonly id: string;
  readonly ready: boolean;
  send(kind: string, data?: EventData): boolean;
}

export interface CampusContext {
  readonly rng: Random;
  /** --rate: multiplies the routine event rates. */
  readonly rate: number;
  /** --panic-every seconds; 0 disables presses. */
  readonly panicEvery: number;
  readonly log: Log;
  /** Seconds since the simulation started. */
  elapsed(): number;
  /** Run `fn` after `ms` unless the simulation stops first. */
  later(ms: number, fn: () => void): void;
}

export interface Behaviour {
  tick(dt: number): void;
}

// ---------------------------------------------------------------- gate readers

/** Card holders the readers grant (cards 00123456NN; the first two match the config's `cards`). */
const HOLDERS: readonly { card: string; name: string }[] = [
  { card: '0012345678', name: '张三' },
  { card: '0012345679', name: '李四' },
  { card: '0012345601', name: '王芳' },
  { card: '0012345602', name: '刘洋' },
  { card: '0012345603', name: '陈静' },
  { card: '0012345605', name: '杨磊' },
  { card: '0012345608', name: '赵敏' },
  { card: '0012345611', name: '黄婷' },
  { card: '0012345613', name: '周杰' },
  { card: '0012345617', name: '吴昊' },
  { card: '0012345621', name: '徐丽' },
  { card: '0012345624', name: '孙强' },
  { card: '0012345630', name: '马超' },
  { card: '0012345635', name: '朱琳' },
  { card: '0012345642', name: '胡斌' },
  { card: '0012345656', name: '郭晓' },
];

// 1 %: at rush rates (about a swipe a second per reader) 5 % alone would trip the
// repeated-denials rule (3 within 60 s) — the stranger bursts are meant to.
const DENIED_SHARE = 0.01;
const TRICKLE = 0.3; // access events per second across all readers, between rushes

/**
 * A school day compressed into 20 minutes (then it repeats): a morning rush
 * from the start, a lunch bump, a dismissal rush. Values are access events per
 * second across all readers at --rate 1.
 */
const DAY_SECONDS = 20 * 60;
const RUSHES: readonly { name: string; start: number; length: number; peak: number }[] = [
  { name: 'morning rush', start: 0, length: 60, peak: 6 },
  { name: 'lunch', start: 9 * 60, length: 40, peak: 2.5 },
  { name: 'dismissal rush', start: 17 * 60, length: 60, peak: 5 },
];
const RAMP_UP = 10;
const RAMP_DOWN = 20;

export function accessRate(elapsed: number): number {
  const t = elapsed % DAY_SECONDS;
  let rate = TRICKLE;
  for (const r of RUSHES) {
    let level = 0;
    if (t >= r.start && t < r.start + r.length) level = 1;
    else if (t >= r.start - RAMP_UP && t < r.start) level = (t - (r.start - RAMP_UP)) / RAMP_UP;
    else if (t >= r.start + r.length && t < r.start + r.length + RAMP_DOWN) level = 1 - (t - r.start - r.length) / RAMP_DOWN;
    rate = Math.max(rate, r.peak * level);
  }
  return rate;
}

function rushAt(elapsed: number): string | undefined {
  const t = elapsed % DAY_SECONDS;
  return RUSHES.find((r) => t >= r.start && t < r.start + r.length)?.name;
}

function unknownCard(rng: Random): string {
  return `0098${digits(rng, 6)}`;
}

/** Every ~3 minutes a stranger tries 4 cards at one reader within 20 s. */
const FIRST_STRANGER = 45;
const STRANGER_EVERY: readonly [number, number] = [150, 210];
const STRANGER_TRIES = 4;

class GateReaders implements Behaviour {
  private nextStranger = FIRST_STRANGER;
  private rush: string | undefined;

  constructor(
    private readonly readers: readonly Publisher[],
    private readonly ctx: CampusContext,
  ) {}

  tick(dt: number): void {
    const now = this.ctx.elapsed();
    const rush = rushAt(now);
    if (rush !== this.rush) {
      if (rush) this.ctx.log.info(`${rush} at the gates (${accessRate(now) * this.ctx.rate} card swipes/s across readers)`);
      this.rush = rush;
    }
    const ready = this.readers.filter((r) => r.ready);
    if (ready.length > 0) {
      const mean = (accessRate(now) * this.ctx.rate * dt) / ready.length;
      for (const reader of ready) {
        for (let n = poisson(this.ctx.rng, mean); n > 0; n--) this.swipe(reader);
      }
    }
    if (now >= this.nextStranger) {
      this.nextStranger = now + between(this.ctx.rng, STRANGER_EVERY[0], STRANGER_EVERY[1]);
      this.stranger(ready);
    }
  }

  private swipe(reader: Publisher): void {
    const { rng, log } = this.ctx;
    if (rng() < DENIED_SHARE) {
      const card = unknownCard(rng);
      if (reader.send('access.denied', { card })) log.info(`${reader.id} denied unknown card ${card}`);
      return;
    }
    const holder = pick(rng, HOLDERS);
    if (holder && reader.send('access.granted', { card: holder.card, name: holder.name })) log.detail(`${reader.id} granted ${holder.name} (${holder.card})`);
  }

  private stranger(ready: readonly Publisher[]): void {
    const reader = pick(this.ctx.rng, ready);
    if (!reader) return;
    this.ctx.log.info(`${reader.id}: a stranger is trying cards (${STRANGER_TRIES} denials within 20 s)`);
    let at = 0;
    for (let i = 0; i < STRANGER_TRIES; i++) {
      const card = unknownCard(this.ctx.rng);
      const attempt = (): void => {
        if (reader.send('access.denied', { card })) this.ctx.log.detail(`${reader.id} denied stranger's card ${card}`);
      };
      if (i === 0) attempt();
      else this.ctx.later(at * 1000, attempt);
      at += between(this.ctx.rng, 3, 5.5);
    }
  }
}

// ---------------------------------------------------------------- panic buttons

const FIRST_PANIC = 20;
const PANIC_CLEAR_MS = 10_000;

class PanicButtons implements Behaviour {
  private nextPress: number;
  private readonly pressed = new Set<string>();

  constructor(
    private readonly buttons: readonly Publisher[],
    private readonly ctx: CampusContext,
  ) {
    this.nextPress = Math.min(FIRST_PANIC, ctx.panicEvery);
  }

  tick(): void {
    if (this.ctx.panicEvery <= 0 || this.ctx.elapsed() < this.nextPress) return;
    this.nextPress += this.ctx.panicEvery;
    const button = pick(
      this.ctx.rng,
      this.buttons.filter((b) => b.ready && !this.pressed.has(b.id)),
    );
    if (!button || !button.send('alarm.panic')) return;
    this.pressed.add(button.id);
    this.ctx.log.info(`${button.id} pressed the panic button`);
    this.ctx.later(PANIC_CLEAR_MS, () => {
      this.pressed.delete(button.id);
      if (button.send('alarm.cleared')) this.ctx.log.info(`${button.id} panic button reset (alarm.cleared)`);
    });
  }
}

// ---------------------------------------------------------------- door contacts

const DOOR_CLOSED_EVERY = 40; // mean seconds between routine door.closed, per door
const DOOR_HELD_EVERY = 15 * 60;
const DOOR_FORCED_EVERY = 60 * 60;

class DoorContact implements Behaviour {
  constructor(
    private readonly door: Publisher,
    private readonly ctx: CampusContext,
  ) {}

  tick(dt: number): void {
    const { rng, rate, log } = this.ctx;
    if (!this.door.ready) return;
    for (let n = poisson(rng, (rate * dt) / DOOR_CLOSED_EVERY); n > 0; n--) {
      if (this.door.send('door.closed')) log.detail(`${this.door.id} closed`);
    }
    if (poisson(rng, (rate * dt) / DOOR_HELD_EVERY) > 0) {
      const seconds = Math.round(between(rng, 30, 90));
      if (this.door.send('door.held_open', { seconds })) {
        log.info(`${this.door.id} held open for ${seconds} s`);
        this.ctx.later(between(rng, 10, 40) * 1000, () => {
          if (this.door.send('door.closed')) log.info(`${this.door.id} closed again after being held open`);
        });
      }
    }
    if (poisson(rng, (rate * dt) / DOOR_FORCED_EVERY) > 0 && this.door.send('door.forced')) {
      log.info(`${this.door.id} forced open!`);
      this.ctx.later(between(rng, 5, 15) * 1000, () => {
        if (this.door.send('door.closed')) log.info(`${this.door.id} closed after being forced`);
      });
    }
  }
}

// ---------------------------------------------------------------- patrol points

const GUARDS = ['王师傅', '李师傅', '周师傅'] as const;

class PatrolPoint implements Behaviour {
  private next: number;

  constructor(
    private readonly point: Publisher,
    private readonly ctx: CampusContext,
  ) {
    this.next = between(ctx.rng, 10, 60) / ctx.rate;
  }

  tick(): void {
    const now = this.ctx.elapsed();
    if (now < this.next) return;
    this.next = now + between(this.ctx.rng, 120, 300) / this.ctx.rate;
    const guard = pick(this.ctx.rng, GUARDS) ?? GUARDS[0];
    if (this.point.send('patrol.checkpoint', { guard })) this.ctx.log.info(`${this.point.id} checkpoint scanned by ${guard}`);
  }
}

// ---------------------------------------------------------------- cameras

const MOTION_EVERY = 45;

class Camera implements Behaviour {
  constructor(
    private readonly camera: Publisher,
    private readonly ctx: CampusContext,
  ) {}

  tick(dt: number): void {
    const { rng, rate, log } = this.ctx;
    if (!this.camera.ready) return;
    for (let n = poisson(rng, (rate * dt) / MOTION_EVERY); n > 0; n--) {
      const confidence = Math.round(between(rng, 0.55, 0.99) * 100) / 100;
      if (this.camera.send('camera.motion', { confidence })) log.detail(`${this.camera.id} saw motion (${confidence})`);
    }
  }
}

// ----------------------------------------------------------------

export type Role = 'reader' | 'panic' | 'door' | 'patrol' | 'camera' | 'heartbeat only';

export function roleOf(id: string): Role {
  if (id.startsWith('reader-')) return 'reader';
  if (id.startsWith('panic-')) return 'panic';
  if (id.startsWith('door-')) return 'door';
  if (id.startsWith('patrol-')) return 'patrol';
  if (id.startsWith('cam-')) return 'camera';
  return 'heartbeat only';
}

export function campusBehaviours(devices: readonly Publisher[], ctx: CampusContext): Behaviour[] {
  const byRole = (role: Role): Publisher[] => devices.filter((d) => roleOf(d.id) === role);
  const behaviours: Behaviour[] = [];
  const readers = byRole('reader');
  if (readers.length > 0) behaviours.push(new GateReaders(readers, ctx));
  const buttons = byRole('panic');
  if (buttons.length > 0) behaviours.push(new PanicButtons(buttons, ctx));
  for (const d of byRole('door')) behaviours.push(new DoorContact(d, ctx));
  for (const d of byRole('patrol')) behaviours.push(new PatrolPoint(d, ctx));
  for (const d of byRole('camera')) behaviours.push(new Camera(d, ctx));
  return behaviours;
}
