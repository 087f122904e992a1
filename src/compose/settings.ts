import { profileRegistry } from '../../devices/index.ts';
import type { GatehouseConfig, ResolvedDevice } from '../config/types.ts';
import type { EngineConfig } from '../core/incidents/engine.ts';
import type { Logger } from '../observability/logger.ts';
import type { HazardSettings } from '../services/hazards.ts';
import { unrestrictedDevices } from '../config/deviceKinds.ts';
import { ruleWarnings } from '../config/ruleWarnings.ts';

/* What each part of the hub takes from the config: pure functions of it, so a reloaded config is applied by calling them again. */

/** A certificate that has expired, or soon will, locks every client out: say so at each start. */
export function warnOfExpiringCertificates(config: GatehouseConfig, now: number, log: Logger): void {
  const mqttTls = config.mqtt.mode === 'embedded' ? config.mqtt.tls : undefined;
  for (const [at, files] of [['http.tls', config.http.tls], ['mqtt.tls', mqttTls]] as const) {
    if (!files) continue;
    const days = Math.floor((files.notAfter - now) / 86_400_000);
    if (days < 30) {
      log.warn(
        { certFile: files.certFile, notAfter: new Date(files.notAfter).toISOString() },
        days < 0 ? `${at}.cert ${files.certFile} has expired: clients will refuse the hub; renew it (gatehouse cert server)` : `${at}.cert ${files.certFile} expires in ${days} days; renew it (gatehouse cert server)`,
      );
    }
  }
}

/** The engine's view of the config. */
export function engineConfigFrom(config: GatehouseConfig): EngineConfig {
  return {
    rules: config.rules,
    escalateAfter: config.incidents.escalateAfter,
    procedures: config.procedures,
    calendar: config.calendar,
    openHours: config.openHours,
    patrols: config.patrols,
    deviceZones: new Map(config.devices.map((d) => [d.id, d.zone])),
    panicButtons: new Set(config.devices.filter((d) => d.role === 'panic-button').map((d) => d.id)),
  };
}

/** Devices that may raise any event kind (no role or kinds), and rule settings probably not meant: said once at start, as `check-config` does. */
export function warnUnrestricted(config: GatehouseConfig, log: Logger): void {
  const warning = unrestrictedDevices(config.devices, profileRegistry);
  if (warning) log.warn({ devices: warning.ids.length }, warning.message);
  for (const line of ruleWarnings(config)) log.warn(line);
}

export function patrolCheckpoints(config: GatehouseConfig): string[] {
  return [...new Set(config.patrols.flatMap((p) => p.checkpoints))];
}

/** A serial or ONVIF device's link: its port or address and what its profile made of them (not the card list it decodes with). */
export function linkOf(device: ResolvedDevice): unknown {
  // MQTT and Zigbee devices have no link of their own: they come in through the broker.
  if (device.connection.kind === 'broker') return undefined;
  return { profile: device.profile, serial: device.serial, modbus: device.modbus, onvif: device.onvif, connection: device.connection };
}

export function hazardSettings(config: GatehouseConfig): HazardSettings {
  return { ...config.hazards, zones: config.zones, timezone: config.calendar.timezone };
}

export function panicButtons(config: GatehouseConfig): { id: string; zoneId: string }[] {
  return config.devices.filter((d) => d.role === 'panic-button').map((d) => ({ id: d.id, zoneId: d.zone }));
}

/** The ready line's account of the MQTT listeners. */
export function mqttListeners(plainPort: number, tlsPort: number, config?: GatehouseConfig): string {
  if (config?.mqtt.mode === 'external') return `MQTT through the broker at ${config.mqtt.url.replace(/\/\/[^@/]*@/, '//')}`;
  const listeners = [plainPort ? `MQTT port ${plainPort}` : '', tlsPort ? `MQTT over TLS port ${tlsPort}` : ''].filter(Boolean);
  return listeners.length > 0 ? listeners.join(', ') : 'no MQTT listener (mqtt.port is 0 and there is no mqtt.tls)';
}
