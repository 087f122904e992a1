import type { Dispatcher } from 'undici';
import { cameraRequest } from './http.ts';
import { OnvifError, type CameraEndpoint } from './soap.ts';

/**
 * Fetch a JPEG from the camera's snapshot URI (ONVIF Media GetSnapshotUri):
 * HTTP Digest when the camera asks for it (RFC 7616), Basic only if that is
 * all it offers, within a deadline and a size limit, checked to be a JPEG.
 */
export async function fetchSnapshot(
  uri: string,
  endpoint: CameraEndpoint,
  options: { timeoutMs: number; maxBytes: number; dispatcher: Dispatcher; signal?: AbortSignal },
): Promise<Buffer> {
  const url = new URL(uri);
  // Cameras report their own idea of their address; the configured host is the one we can reach.
  url.hostname = endpoint.host;
  const res = await cameraRequest(url, endpoint, {
    method: 'GET',
    timeoutMs: options.timeoutMs,
    maxBytes: options.maxBytes,
    dispatcher: options.dispatcher,
    signal: options.signal,
    basicIfOnlyOffer: true,
    what: 'snapshot',
  });
  if (res.status === 401 || res.status === 403) throw new OnvifError('auth', `snapshot refused: HTTP ${res.status}`);
  if (res.status !== 200) throw new OnvifError('protocol', `snapshot: HTTP ${res.status}`);
  const bytes = res.body;
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes[2] !== 0xff) throw new OnvifError('protocol', 'snapshot is not a JPEG');
  return bytes;
}
