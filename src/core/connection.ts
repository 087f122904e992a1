import type { SerialLink } from './fieldbus.ts';

/**
 * How the hub reaches a device, as its profile declares it from the device's
 * validated options (`DeviceProfile.connectionOf`). The transports read this,
 * typed, instead of guessing at the shape of a profile's options.
 */

/** An ONVIF device's endpoint and subscription settings (cameras, Profile C door controllers). */
export interface OnvifEndpoint {
  readonly host: string;
  readonly port: number;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  /** Seconds of relative InitialTerminationTime to ask for. */
  readonly termination: number;
  /** Longest PullMessages wait (s). */
  readonly pullTimeout: number;
  /** Media profile token for snapshots. */
  readonly profile?: string | undefined;
  /** A Profile C access controller: read its doors and access points at every connect (onvif-access). */
  readonly accessInventory?: boolean | undefined;
}

export type Connection =
  /** It publishes to the MQTT broker itself, or through a Zigbee2MQTT bridge. */
  | { readonly kind: 'broker' }
  /** On a serial line (RS-485, RS-232), spoken as the link says. */
  | { readonly kind: 'serial'; readonly link: SerialLink }
  | { readonly kind: 'onvif'; readonly endpoint: OnvifEndpoint };

export const BROKER: Connection = { kind: 'broker' };
