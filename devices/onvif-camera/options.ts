import { isEventKind, type EventKind } from '../../src/core/event.ts';

/**
 * Per-camera options, from the device's `onvif:` block (DESIGN.md config contract):
 *
 *   onvif: { host: 10.0.0.21, port: 80, username: admin, password: "${env:CAM_PW}",
 *            inputs: [ { token: DI_1, kind: alarm.panic } ],   # camera alarm inputs → event kinds
 *            termination: 60, pullTimeout: 20, profile: MainStream }
 *
 * Validated here (the one place that knows the block's shape); the ONVIF transport
 * reads the connection part of the result.
 */
export interface InputMapping {
  /** The camera's InputToken (`tns1:Device/Trigger/DigitalInput` source item), e.g. `DI_1` or `1`. */
  readonly token: string;
  /** Emitted when the input becomes active. */
  readonly kind: EventKind;
  /** Emitted when it is released, if anything (a panic's `alarm.cleared`). */
  readonly clears?: EventKind | undefined;
}

export interface OnvifCameraOptions {
  readonly host: string;
  readonly port: number;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
  readonly inputs: readonly InputMapping[];
  /** Seconds asked for as the pull point's relative InitialTerminationTime (ONVIF Core §9.1). */
  readonly termination: number;
  /** Longest PullMessages long-poll, seconds (shortened further to fit the subscription's time left). */
  readonly pullTimeout: number;
  /** Media profile token for snapshots; default the camera's first profile. */
  readonly profile?: string | undefined;
}

/** What releasing an input emits when the mapping does not say. */
const DEFAULT_CLEARS: Partial<Record<EventKind, EventKind>> = {
  'alarm.panic': 'alarm.cleared',
  'door.forced': 'door.closed',
  'door.held_open': 'door.closed',
};

/** What a camera's alarm input may stand for. */
export const INPUT_KINDS: readonly EventKind[] = ['alarm.panic', 'alarm.cleared', 'door.forced', 'door.held_open', 'door.closed', 'camera.intrusion', 'camera.tamper', 'camera.motion'];
const isInputKind = (k: unknown): k is EventKind => isEventKind(k) && INPUT_KINDS.includes(k);

const KNOWN_KEYS = new Set(['host', 'port', 'username', 'password', 'inputs', 'termination', 'pullTimeout', 'profile']);

export function parseCameraOptions(device: Readonly<Record<string, unknown>>): { options: OnvifCameraOptions } | { errors: string[] } {
  const block = device['onvif'];
  // Missing: the config check already says `onvif: is required …` for every camera profile.
  if (block === undefined) return { errors: [] };
  if (block === null || typeof block !== 'object' || Array.isArray(block)) return { errors: ['onvif: must be a mapping'] };
  const o = block as Record<string, unknown>;
  const errors: string[] = [];
  for (const key of Object.keys(o)) if (!KNOWN_KEYS.has(key)) errors.push(`onvif.${key}: unknown field (known: ${[...KNOWN_KEYS].join(', ')})`);
  const host = o['host'];
  if (typeof host !== 'string' || host.length === 0 || /[\s/]/.test(host)) errors.push('onvif.host: must be a host name or IP address (no scheme, no path)');
  const port = o['port'] ?? 80;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) errors.push('onvif.port: must be a port number 1–65535');
  for (const key of ['username', 'password', 'profile'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'string') errors.push(`onvif.${key}: must be a string`);
  }
  if ((o['username'] === undefined) !== (o['password'] === undefined)) errors.push('onvif: give both username and password, or neither');
  const termination = o['termination'] ?? 60;
  if (typeof termination !== 'number' || termination < 10 || termination > 3600) errors.push('onvif.termination: must be 10–3600 seconds');
  const pullTimeout = o['pullTimeout'] ?? 20;
  if (typeof pullTimeout !== 'number' || pullTimeout < 1 || pullTimeout > 60) errors.push('onvif.pullTimeout: must be 1–60 seconds');
  const inputs: InputMapping[] = [];
  const rawInputs = o['inputs'] ?? [];
  if (!Array.isArray(rawInputs)) errors.push('onvif.inputs: must be a list like [ { token: DI_1, kind: alarm.panic } ]');
  else {
    for (const [i, entry] of rawInputs.entries()) {
      const at = `onvif.inputs[${i}]`;
      const e = (entry ?? {}) as Record<string, unknown>;
      const token = typeof e['token'] === 'number' ? String(e['token']) : e['token'];
      if (typeof token !== 'string' || token.length === 0) errors.push(`${at}.token: must be the camera's input token (e.g. DI_1)`);
      if (!isInputKind(e['kind'])) errors.push(`${at}.kind: must be one of ${INPUT_KINDS.join(', ')}`);
      if (e['clears'] !== undefined && !isInputKind(e['clears'])) errors.push(`${at}.clears: must be one of ${INPUT_KINDS.join(', ')}`);
      if (typeof token === 'string' && isInputKind(e['kind'])) {
        if (inputs.some((x) => x.token === token)) errors.push(`${at}.token: input ${token} is mapped twice`);
        const clears = isInputKind(e['clears']) ? e['clears'] : DEFAULT_CLEARS[e['kind']];
        inputs.push({ token, kind: e['kind'], clears });
      }
    }
  }
  if (errors.length > 0) return { errors };
  return {
    options: {
      host: host as string,
      port: port as number,
      username: o['username'] as string | undefined,
      password: o['password'] as string | undefined,
      inputs,
      termination: termination as number,
      pullTimeout: pullTimeout as number,
      profile: o['profile'] as string | undefined,
    },
  };
}
