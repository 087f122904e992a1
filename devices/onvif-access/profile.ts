import type { DecodeResult, DeviceProfile } from '../../src/core/device.ts';
import type { EventKind } from '../../src/core/event.ts';
import { onvifCamera, type CameraState } from '../onvif-camera/profile.ts';
import { parseCameraOptions, type OnvifCameraOptions } from '../onvif-camera/options.ts';
import { nameEventData, readNames, type AccessNames } from './names.ts';
import { samples } from './samples.ts';

/**
 * `onvif-access`: ONVIF Profile C access controllers (door controllers with
 * card readers). Their events are the camera topic table's door and access
 * topics (tns1:Door/State/*, tns1:AccessControl/*); what this profile adds is
 * the names: the transport reads the door and access point lists at connect
 * (tdc:GetDoorInfoList, tac:GetAccessPointInfoList) and hands them over on
 * channel `inventory`, so that a forced door reads "北门 (Door_1)".
 */
export interface AccessOptions extends OnvifCameraOptions {
  /** Tells the ONVIF transport to read the door and access point lists. */
  readonly accessInventory: true;
}

export interface AccessState {
  readonly events?: CameraState | undefined;
  readonly names?: AccessNames | undefined;
}

export const ACCESS_KINDS: readonly EventKind[] = ['door.forced', 'door.held_open', 'door.closed', 'access.granted', 'access.denied'];

function parseOptions(device: Readonly<Record<string, unknown>>): { options: AccessOptions } | { errors: string[] } {
  const parsed = parseCameraOptions(device);
  return 'options' in parsed ? { options: { ...parsed.options, accessInventory: true } } : parsed;
}

function decode(raw: Parameters<DeviceProfile['decode']>[0], options: AccessOptions, deviceId: string, state: AccessState | undefined): DecodeResult<AccessState> {
  if (raw.channel === 'inventory') {
    const names = readNames(raw.payload);
    if (typeof names === 'string') return { ok: false, reason: 'bad_field', detail: names };
    return { ok: true, events: [], state: { ...state, names } };
  }
  const result = onvifCamera.decode(raw, { deviceId, options, state: state?.events });
  if (!result.ok) return result;
  return {
    ...result,
    events: result.events.map((e) => ({ ...e, data: nameEventData(e.data ?? {}, state?.names) })),
    state: { ...state, events: result.state ?? state?.events },
  };
}

export const onvifAccess: DeviceProfile<AccessOptions, AccessState> = {
  id: 'onvif-access',
  vendor: 'ONVIF',
  model: 'ONVIF Profile C access controller',
  description: 'Door controllers speaking ONVIF Profile C: door forced / held open / closed and access granted / denied from a PullPoint subscription, each naming its door and access point from the lists the controller gives at connect.',
  transport: 'onvif',
  emits: ACCESS_KINDS,
  parseOptions,
  connectionOf: (options) => ({ kind: 'onvif', endpoint: options }),
  decode: (raw, ctx) => decode(raw, ctx.options, ctx.deviceId, ctx.state),
  samples,
};
