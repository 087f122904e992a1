import type { AnyProfile } from './device.ts';
import type { EventKind } from './event.ts';

/**
 * What a device is on the campus, and so which event kinds it may raise: a card
 * reader whose secret leaks must not be able to raise `alarm.panic` (or clear
 * one). The table narrows profiles that accept any kind (`generic` JSON); a
 * profile with its own list (a card-reader protocol, a camera) is bounded by it.
 */
export const DEVICE_ROLES = ['panic-button', 'card-reader', 'door-contact', 'camera', 'checkpoint', 'io-module', 'other'] as const;
export type DeviceRole = (typeof DEVICE_ROLES)[number];

const DOOR: readonly EventKind[] = ['door.forced', 'door.held_open', 'door.opened', 'door.closed'];

/** `undefined`: no fixed list — an I/O module raises what its inputs are wired to; say so with `kinds`. */
export const ROLE_KINDS: Readonly<Record<DeviceRole, readonly EventKind[] | undefined>> = {
  'panic-button': ['alarm.panic', 'alarm.cleared'],
  // an access controller reports its door as well as the cards
  'card-reader': ['access.granted', 'access.denied', ...DOOR],
  'door-contact': DOOR,
  camera: ['camera.motion', 'camera.tamper', 'camera.video_loss', 'camera.intrusion'],
  checkpoint: ['patrol.checkpoint'],
  'io-module': undefined,
  other: undefined,
};

/** A device reports on itself whatever it is. */
const ALWAYS: readonly EventKind[] = ['device.online', 'device.offline', 'device.fault'];

export interface KindPolicy {
  /** `undefined`: any kind the profile emits (a generic device with neither role nor kinds). */
  readonly allowed: ReadonlySet<EventKind> | undefined;
  /** Why, for a rejection's detail: `role card-reader`, `kinds`, `profile wiegand-ascii`. */
  readonly source: string;
}

/**
 * The kinds a device may raise: its `kinds` if given; else, for a profile that
 * accepts any kind, its role's; else the profile's own list. Never more than the
 * profile emits; `device.*` always.
 */
export function kindPolicy(profile: AnyProfile, device: { readonly role?: DeviceRole | undefined; readonly kinds?: readonly EventKind[] | undefined }): KindPolicy {
  let chosen: readonly EventKind[] | undefined;
  let source: string;
  if (device.kinds) {
    chosen = device.kinds;
    source = 'kinds';
  } else if (profile.narrowedByRole) {
    chosen = device.role ? ROLE_KINDS[device.role] : undefined;
    source = device.role ? `role ${device.role}` : 'no role';
  } else {
    chosen = profile.emits;
    source = `profile ${profile.id}`;
  }
  if (chosen === undefined) return { allowed: undefined, source };
  const emits = new Set(profile.emits);
  return { allowed: new Set([...chosen.filter((k) => emits.has(k)), ...ALWAYS]), source };
}

/** A short list for messages: `access.granted, access.denied, door.forced, …`. */
export function describeKinds(kinds: ReadonlySet<EventKind>): string {
  return [...kinds].filter((k) => !ALWAYS.includes(k)).join(', ') || 'device.* only';
}
