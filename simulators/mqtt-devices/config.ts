import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/**
 * The little the simulator needs from a Gatehouse config file, read on its
 * own (no hub code): the `generic` devices with their secrets, and where the
 * broker listens.
 */
export interface SimDeviceSpec {
  readonly id: string;
  readonly zone: string;
  readonly secret: string;
  readonly name: string | undefined;
}

export interface CampusConfig {
  readonly campus: string;
  readonly devices: readonly SimDeviceSpec[];
  /** mqtt://127.0.0.1:{port} from `mqtt.port` (GATEHOUSE_MQTT_PORT overrides), or `mqtt.url`. */
  readonly brokerUrl: string;
  /** Devices skipped, with why (e.g. a secret from an unset environment variable). */
  readonly skipped: readonly string[];
}

export class ConfigError extends Error {}

const ENV_REF = /^\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}$/;

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** `${env:NAME}` reads the environment, as the hub does. */
function secretOf(value: unknown): string | { missing: string } | undefined {
  if (typeof value !== 'string') return undefined;
  const m = ENV_REF.exec(value);
  if (!m) return value;
  const name = m[1] ?? '';
  const found = process.env[name];
  return found === undefined || found === '' ? { missing: name } : found;
}

export function readCampusConfig(file: string): CampusConfig {
  let doc: unknown;
  try {
    doc = parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ConfigError(`${file}: ${(err as Error).message}`);
  }
  const root = record(doc);
  if (!Array.isArray(root['devices'])) throw new ConfigError(`${file}: no devices list`);

  const devices: SimDeviceSpec[] = [];
  const skipped: string[] = [];
  for (const entry of root['devices'] as unknown[]) {
    const d = record(entry);
    if (d['profile'] !== 'generic' || typeof d['id'] !== 'string') continue;
    const secret = secretOf(d['secret']);
    if (secret === undefined) {
      // a secretHash cannot be turned back into the secret, as intended
      skipped.push(`${d['id']}: ${typeof d['secretHash'] === 'string' ? 'its secret is stored only as secretHash' : 'no secret'}`);
      continue;
    }
    if (typeof secret !== 'string') {
      skipped.push(`${d['id']}: environment variable ${secret.missing} is not set`);
      continue;
    }
    devices.push({
      id: d['id'],
      zone: typeof d['zone'] === 'string' ? d['zone'] : '',
      secret,
      name: typeof d['name'] === 'string' ? d['name'] : undefined,
    });
  }

  const mqtt = record(root['mqtt']);
  const envPort = process.env['GATEHOUSE_MQTT_PORT'];
  let brokerUrl: string;
  if (envPort !== undefined && envPort !== '') brokerUrl = `mqtt://127.0.0.1:${envPort}`;
  else if (typeof mqtt['url'] === 'string') brokerUrl = mqtt['url'];
  else brokerUrl = `mqtt://127.0.0.1:${typeof mqtt['port'] === 'number' ? mqtt['port'] : 1883}`;

  const campus = record(root['campus']);
  return {
    campus: typeof campus['name'] === 'string' ? campus['name'] : typeof campus['id'] === 'string' ? campus['id'] : 'campus',
    devices,
    brokerUrl,
    skipped,
  };
}
