import type { AnyProfile } from '../src/core/device.ts';
import { generic } from './generic/profile.ts';
import { onvifCamera } from './onvif-camera/profile.ts';
import { onvifAccess } from './onvif-access/profile.ts';
import { wiegandAscii } from './wiegand-ascii/profile.ts';
import { modbusDi } from './modbus-di/profile.ts';
import { zigbeeSos } from './zigbee-sos/profile.ts';
import { zigbeeContact } from './zigbee-contact/profile.ts';

/**
 * The explicit registry of device profiles. Adding a device model means adding
 * its module under devices/ and one line here — nothing in the core changes.
 */
export const PROFILES: readonly AnyProfile[] = [generic, onvifCamera, onvifAccess, wiegandAscii, modbusDi, zigbeeSos, zigbeeContact];

export const profileRegistry: ReadonlyMap<string, AnyProfile> = new Map(PROFILES.map((p) => [p.id, p]));
