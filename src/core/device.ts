import type { Connection } from './connection.ts';
import type { EventData, EventKind } from './event.ts';

/**
 * What a transport hands over: bytes (or an already-parsed notification, for
 * ONVIF) from one device on one channel. Transports know nothing else.
 */
export interface RawMessage {
  readonly deviceId: string;
  /** `events` and `status` for MQTT; transports may add their own (e.g. `line`, `inputs`, `notification`). */
  readonly channel: string;
  readonly payload: Buffer | Readonly<Record<string, unknown>>;
  /** Hub clock, epoch ms. */
  readonly receivedAt: number;
}

/** One event as a profile decodes it; the hub adds id, deviceId, zoneId and receivedAt. */
export interface DecodedEvent {
  readonly kind: EventKind;
  readonly ts?: number | undefined;
  readonly seq?: number | undefined;
  readonly data?: EventData | undefined;
}

/** Numbers and flags a device reports about itself (battery, rssi, …). */
export type DeviceHealth = Readonly<Record<string, number | string | boolean>>;

export type DecodeResult<State> =
  | {
      readonly ok: true;
      readonly events: readonly DecodedEvent[];
      /** Present when the message says the device is online or offline (status channel). */
      readonly online?: boolean | undefined;
      readonly health?: DeviceHealth | undefined;
      /** The profile's state after this message, for profiles that keep one (debouncing, last inputs). */
      readonly state?: State | undefined;
      /** Worth telling an installer once per device (an unknown camera event topic); the hub logs each key once. */
      readonly notices?: readonly DecodeNotice[] | undefined;
      /**
       * Faults that reject a routine message, worked around because this one must
       * not be lost (an alarm, a forced door): its events are stored without the bad
       * field — the hub's receive time instead of a bad `ts` — and the hub counts
       * and logs each fault as it would a rejection.
       */
      readonly repairs?: readonly DecodeRepair[] | undefined;
    }
  | { readonly ok: false; readonly reason: RejectReason; readonly detail: string };

/** Something the hub logs once per device and key, e.g. with a sample an installer can paste into a test. */
export interface DecodeNotice {
  readonly key: string;
  readonly message: string;
  /** A ProfileSample-shaped object reproducing the message. */
  readonly fixture?: unknown;
}

export interface DecodeRepair {
  readonly reason: RejectReason;
  readonly detail: string;
}

/** Stable reason codes: they label metrics and appear in the device status. */
export type RejectReason =
  | 'not_json'
  | 'not_object'
  | 'unknown_kind'
  | 'bad_field'
  | 'too_large'
  | 'unknown_channel'
  | 'garbage'
  /** A kind this device may not raise (its role, `kinds` or profile; src/core/deviceRoles.ts). */
  | 'kind_not_allowed';

export interface DecodeContext<Options, State> {
  readonly deviceId: string;
  readonly options: Options;
  readonly state: State | undefined;
}

export interface ProfileSample {
  readonly name: string;
  readonly channel: string;
  readonly payload: string | Readonly<Record<string, unknown>>;
  /** Kinds it must decode to, in order; or `reject` with the reason code. */
  readonly expect: readonly EventKind[] | { readonly reject: RejectReason };
  readonly options?: unknown;
  /** The campus `cards` list the sample's options are parsed with (readers that decide access). */
  readonly cards?: ProfileSite['cards'];
}

/** Campus-wide config a profile's options may draw on besides the device's own entry. */
export interface ProfileSite {
  /** `config.cards`: who may pass bare card readers. */
  readonly cards: readonly { readonly card: string; readonly name: string }[];
}

/** `zigbee2mqtt`: the device reports through a bridge's MQTT account (`bridges[]`), not its own. */
export type TransportKind = 'mqtt' | 'serial' | 'onvif' | 'zigbee2mqtt';

/**
 * A device profile: data plus pure functions (STYLE.md §1). It never touches the
 * network, files, timers or the logger; what it remembers between messages is
 * handed back to it as `state`.
 */
export interface DeviceProfile<Options = unknown, State = unknown> {
  readonly id: string;
  readonly vendor: string;
  readonly model: string;
  readonly description: string;
  readonly transport: TransportKind;
  /** Every kind `decode` may emit. A test checks the samples against it. */
  readonly emits: readonly EventKind[];
  /**
   * A profile for any kind of device (generic JSON): each device's `role` or
   * `kinds` says which of `emits` it may raise (src/core/deviceRoles.ts).
   */
  readonly narrowedByRole?: boolean;
  /**
   * Seconds of silence before such a device counts as offline unless the device
   * sets its own `offlineAfter` (instead of `supervision.offlineAfter`): battery
   * Zigbee sensors sleep and check in about hourly, so the campus default (180 s)
   * would call them offline all day.
   */
  readonly offlineAfter?: number;
  /** Health keys the profile may report (for `device_health` series). */
  readonly healthKeys?: readonly string[];
  /** Turn the per-device config object into this profile's options, or explain what is wrong. */
  readonly parseOptions?: (device: Readonly<Record<string, unknown>>, site: ProfileSite) => { options: Options } | { errors: string[] };
  /** How the hub reaches such a device, from its parsed options (without it: through the MQTT broker). */
  readonly connectionOf?: (options: Options) => Connection;
  readonly decode: (raw: RawMessage, ctx: DecodeContext<Options, State>) => DecodeResult<State>;
  readonly samples: readonly ProfileSample[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyProfile = DeviceProfile<any, any>;
