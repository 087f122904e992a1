import { Agent } from 'undici';
import type { ResolvedDevice } from '../../config/types.ts';
import type { Transport, TransportContext } from '../transport.ts';
import { CameraLink } from './cameraLink.ts';
import type { OnvifEndpoint } from '../../core/connection.ts';

/**
 * The ONVIF transport: one supervised link per camera in the config (devices
 * with an `onvif:` block, validated by their profile). Moves notifications in
 * and reports health; knows nothing of incidents (STYLE.md §2). Snapshots are
 * taken on request.
 */
export class OnvifTransport implements Transport {
  readonly name = 'onvif';
  private readonly links = new Map<string, CameraLink>();
  // Long-polls are ended by our own deadlines, so undici's idle timers are set beyond them.
  private readonly dispatcher = new Agent({ keepAliveTimeout: 10_000, headersTimeout: 120_000, bodyTimeout: 120_000 });

  constructor(cameras: readonly { id: string; offlineAfter: number; settings: OnvifEndpoint }[], ctx: TransportContext) {
    for (const c of cameras) this.links.set(c.id, new CameraLink(c.id, c.settings, c.offlineAfter * 1000, ctx, this.dispatcher));
  }

  async start(): Promise<void> {
    for (const link of this.links.values()) link.start();
  }

  async stop(): Promise<void> {
    await Promise.allSettled([...this.links.values()].map((l) => l.stop()));
    await this.dispatcher.close().catch(() => undefined);
  }

  serves(deviceId: string): boolean {
    return this.links.has(deviceId);
  }

  status(deviceId: string): Readonly<Record<string, unknown>> | undefined {
    return this.links.get(deviceId)?.status();
  }

  async snapshot(deviceId: string, options: { timeoutMs: number; maxBytes: number }): Promise<Buffer> {
    const link = this.links.get(deviceId);
    if (!link) throw new Error(`${deviceId} is not an ONVIF camera`);
    return link.snapshot(options.timeoutMs, options.maxBytes);
  }
}

/** Cameras from the config: devices whose profile validated an `onvif:` block. */
export function onvifTransport(devices: readonly ResolvedDevice[], ctx: TransportContext): OnvifTransport | undefined {
  const cameras = devices.flatMap((d) => (d.connection.kind === 'onvif' ? [{ id: d.id, offlineAfter: d.offlineAfter, settings: d.connection.endpoint }] : []));
  return cameras.length > 0 ? new OnvifTransport(cameras, ctx) : undefined;
}
