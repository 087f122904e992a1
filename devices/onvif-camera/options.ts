import Type, { type Static } from 'typebox';
import type { EventKind } from '../../src/core/event.ts';
import { inBlockOrder, readBlock } from '../../src/core/optionsBlock.ts';

/**
 * Per-camera options, from the device's `onvif:` block (DESIGN.md config contract):
 *
 *   onvif: { host: 10.0.0.21, port: 80, username: admin, password: "${env:CAM_PW}",
 *            inputs: [ { token: DI_1, kind: alarm.panic } ],   # camera alarm inputs → event kinds
 *            termination: 60, pullTimeout: 20, profile: MainStream }
 *
 * Validated here by its schema (the one place that knows the block's shape); the
 * ONVIF transport reads the connection part of the result.
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

/** The `onvif:` block: validation, defaults and the type, in one place. */
export const OnvifBlock = Type.Object(
  {
    host: Type.String({ minLength: 1, pattern: '^[^\\s/]+$', description: 'must be a host name or IP address (no scheme, no path)' }),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, default: 80, description: 'must be a port number 1–65535' })),
    username: Type.Optional(Type.String({ description: 'must be a string' })),
    password: Type.Optional(Type.String({ description: 'must be a string' })),
    inputs: Type.Optional(
      Type.Array(
        Type.Object(
          {
            // YAML reads `token: 1` as a number: both mean the camera's input "1".
            token: Type.Union([Type.String({ minLength: 1 }), Type.Integer({ minimum: 0 })], { description: "must be the camera's input token (e.g. DI_1)" }),
            kind: Type.Enum([...INPUT_KINDS], { description: `must be one of ${INPUT_KINDS.join(', ')}` }),
            clears: Type.Optional(Type.Enum([...INPUT_KINDS], { description: `must be one of ${INPUT_KINDS.join(', ')}` })),
          },
          { additionalProperties: false, description: 'must be { token, kind, clears? }' },
        ),
        { default: [], description: 'must be a list like [ { token: DI_1, kind: alarm.panic } ]' },
      ),
    ),
    termination: Type.Optional(Type.Number({ minimum: 10, maximum: 3600, default: 60, description: 'must be 10–3600 seconds' })),
    pullTimeout: Type.Optional(Type.Number({ minimum: 1, maximum: 60, default: 20, description: 'must be 1–60 seconds' })),
    profile: Type.Optional(Type.String({ description: 'must be a string' })),
  },
  { additionalProperties: false },
);
export type OnvifBlock = Static<typeof OnvifBlock>;

export function parseCameraOptions(device: Readonly<Record<string, unknown>>): { options: OnvifCameraOptions } | { errors: string[] } {
  // Missing: the config check already says `onvif: is required …` for every camera profile.
  if (device['onvif'] === undefined) return { errors: [] };
  const read = readBlock('onvif', device['onvif'], OnvifBlock);
  if (read.value === undefined) return { errors: read.errors };
  const o = read.value;
  const errors = [...read.errors];
  if ((o.username === undefined) !== (o.password === undefined)) errors.push('onvif: give both username and password, or neither');
  const inputs: InputMapping[] = [];
  const tokens = new Set<string>();
  for (const [i, entry] of (Array.isArray(o.inputs) ? o.inputs : []).entries()) {
    if (entry === null || typeof entry !== 'object') continue;
    const token = String(entry.token);
    if (tokens.has(token)) errors.push(`onvif.inputs[${i}].token: input ${token} is mapped twice`);
    tokens.add(token);
    const kind = entry.kind as EventKind;
    inputs.push({ token, kind, clears: (entry.clears as EventKind | undefined) ?? DEFAULT_CLEARS[kind] });
  }
  if (errors.length > 0) return { errors: inBlockOrder('onvif', OnvifBlock, errors) };
  return {
    options: { host: o.host, port: o.port ?? 80, username: o.username, password: o.password, inputs, termination: o.termination ?? 60, pullTimeout: o.pullTimeout ?? 20, profile: o.profile },
  };
}
