import { singleEventRule } from '../rule.ts';

/** A device stopped answering; `device.online` is recorded on the incident, which a person closes. */
export const deviceOfflineRule = singleEventRule({
  name: 'deviceOffline',
  on: 'device.offline',
  opens: 'device_offline',
  severity: 'medium',
  // A bridge's devices go offline with it: the incident (one per zone, folded) names the bridge, not the first device.
  title: (e) => (typeof e.data['bridge'] === 'string' ? `Zigbee2MQTT bridge ${e.data['bridge']} offline: its devices cannot be reached` : `Device ${e.deviceId} offline`),
  recordedOn: 'device.online',
});
