import type { Agent } from 'node:http';
import onvif from 'onvif';
import type { Cam as CamType, CamOptions } from 'onvif';
import { MAX_RESPONSE_BYTES, OnvifError, type CameraEndpoint } from './soap.ts';
import { boundedAgent } from './boundedAgent.ts';

/**
 * What the camera is and where its services are, through the `onvif` library's
 * individual calls: GetCapabilities (service addresses, PullPoint support),
 * GetDeviceInformation, GetProfiles and GetSnapshotUri (ONVIF Media Service).
 * Its `connect()` is not used: it throws from inside callbacks on odd media
 * configurations, and it learns the clock offset once for good (the stack notes, ../shared/STACK.md).
 * Here the offset comes from our own reading, set before every call.
 */
// The stack notes (../shared/STACK.md): the package's named exports type-check but are undefined at run time; destructure the default.
const { Cam } = onvif as unknown as { Cam: new (options: CamOptions) => CamType };

export interface CameraIdentity {
  readonly manufacturer?: string | undefined;
  readonly model?: string | undefined;
  readonly firmware?: string | undefined;
  readonly serial?: string | undefined;
  /** The events service address the camera gave (GetCapabilities), if any. */
  readonly eventsAddress?: string | undefined;
  /** tt:EventCapabilities/WSPullPointSupport; undefined when the camera did not say. */
  readonly pullPoint?: boolean | undefined;
  readonly snapshotUri?: string | undefined;
  readonly profileToken?: string | undefined;
}

const AUTH = /not\s*authori[sz]ed|unauthori[sz]ed|authentication failed|authority failure/i;

function classify(err: unknown, what: string): OnvifError {
  if (err instanceof OnvifError) return err;
  const e = err as NodeJS.ErrnoException;
  const message = `${what}: ${e?.message ?? String(err)}`;
  if (AUTH.test(message)) return new OnvifError('auth', message);
  if (/Network timeout/i.test(message)) return new OnvifError('timeout', message);
  if (e?.code && /^E[A-Z]+$/.test(e.code)) return new OnvifError('unreachable', `${what}: ${e.code} ${e.message}`);
  return new OnvifError('fault', message);
}

/** One library call as a promise that settles once, within `timeoutMs`, whatever the library does. */
function call<T>(cam: CamType, what: string, timeoutMs: number, invoke: (cb: (err: Error | null, data?: T) => void) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => settle(new OnvifError('timeout', `${what}: no answer within ${timeoutMs} ms`)), timeoutMs);
    function settle(err: unknown, data?: T): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) reject(classify(err, what));
      else resolve(data as T);
    }
    try {
      invoke.call(cam, (err, data) => settle(err, data));
    } catch (err) {
      settle(err);
    }
  });
}

export async function readIdentity(endpoint: CameraEndpoint, clockOffsetMs: number, timeoutMs: number, wantedProfile?: string): Promise<CameraIdentity> {
  // The library reads answers whole and unbounded: its connections are capped in size and time underneath it.
  const agent = boundedAgent(MAX_RESPONSE_BYTES, timeoutMs);
  try {
    return await identify(endpoint, clockOffsetMs, timeoutMs, agent, wantedProfile);
  } finally {
    agent.destroy(); // and whatever a call given up on still holds open
  }
}

async function identify(endpoint: CameraEndpoint, clockOffsetMs: number, timeoutMs: number, agent: Agent, wantedProfile?: string): Promise<CameraIdentity> {
  const cam = new Cam({
    agent,
    hostname: endpoint.host,
    port: endpoint.port,
    ...(endpoint.username ? { username: endpoint.username } : {}),
    ...(endpoint.password !== undefined ? { password: endpoint.password } : {}),
    timeout: timeoutMs,
    autoconnect: false,
    preserveAddress: true,
  });
  // The library writes Created as process.uptime() + timeShift: make that our clock plus the camera's offset.
  const setShift = (): void => void (cam.timeShift = Date.now() + clockOffsetMs - process.uptime() * 1000);
  const lib = cam as unknown as Record<string, (...args: unknown[]) => void> & { capabilities?: Record<string, unknown>; uri?: Record<string, { href?: string }> };
  setShift();
  await call(cam, 'GetCapabilities', timeoutMs, (cb) => lib['getCapabilities']!.call(cam, cb));
  setShift();
  // The first call that needs credentials: a wrong password shows here.
  const info = await call<Record<string, unknown>>(cam, 'GetDeviceInformation', timeoutMs, (cb) => lib['getDeviceInformation']!.call(cam, cb));
  const events = lib.capabilities?.['events'] as Record<string, unknown> | undefined;
  const pullPoint = typeof events?.['WSPullPointSupport'] === 'boolean' ? (events['WSPullPointSupport'] as boolean) : undefined;
  let profileToken: string | undefined;
  let snapshotUri: string | undefined;
  try {
    setShift();
    const profiles = await call<{ $?: { token?: string }; name?: string }[]>(cam, 'GetProfiles', timeoutMs, (cb) => lib['getProfiles']!.call(cam, cb));
    const chosen = profiles.find((p) => p.$?.token === wantedProfile || p.name === wantedProfile) ?? profiles[0];
    profileToken = chosen?.$?.token;
    if (profileToken) {
      setShift();
      const media = await call<{ uri?: string }>(cam, 'GetSnapshotUri', timeoutMs, (cb) => lib['getSnapshotUri']!.call(cam, { profileToken }, cb));
      snapshotUri = typeof media?.uri === 'string' ? media.uri : undefined;
    }
  } catch (err) {
    // A camera without media profiles or snapshots still gives events; only credentials are fatal.
    if (err instanceof OnvifError && err.kind === 'auth') throw err;
  }
  return {
    manufacturer: str(info?.['manufacturer']),
    model: str(info?.['model']),
    firmware: str(info?.['firmwareVersion']),
    serial: str(info?.['serialNumber']),
    eventsAddress: lib.uri?.['events']?.href,
    pullPoint,
    snapshotUri,
    profileToken,
  };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' || typeof v === 'number' ? String(v) : undefined;
}
