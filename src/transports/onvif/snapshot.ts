import { request, type Dispatcher } from 'undici';
import { digestAuthorization, parseChallenges } from './digest.ts';
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
  const timeout = AbortSignal.timeout(Math.max(1, Math.round(options.timeoutMs)));
  const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
  const get = async (authorization?: string) =>
    request(url, { method: 'GET', signal, dispatcher: options.dispatcher, headers: authorization ? { authorization } : {} });
  try {
    let res = await get();
    if (res.statusCode === 401 && endpoint.username && endpoint.password !== undefined) {
      const header = res.headers['www-authenticate'];
      await res.body.dump();
      const challenge = parseChallenges(header)[0];
      const basic = [header ?? []].flat().some((h) => /^\s*Basic/i.test(h));
      const authorization = challenge
        ? digestAuthorization(challenge, 'GET', `${url.pathname}${url.search}`, endpoint.username, endpoint.password)
        : basic
          ? `Basic ${Buffer.from(`${endpoint.username}:${endpoint.password}`).toString('base64')}`
          : undefined;
      if (authorization) res = await get(authorization);
    }
    if (res.statusCode === 401 || res.statusCode === 403) {
      await res.body.dump();
      throw new OnvifError('auth', `snapshot refused: HTTP ${res.statusCode}`);
    }
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new OnvifError('protocol', `snapshot: HTTP ${res.statusCode}`);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > options.maxBytes) {
        res.body.destroy();
        throw new OnvifError('protocol', `snapshot larger than ${options.maxBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    const bytes = Buffer.concat(chunks);
    if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8 || bytes[2] !== 0xff) throw new OnvifError('protocol', 'snapshot is not a JPEG');
    return bytes;
  } catch (err) {
    if (err instanceof OnvifError) throw err;
    if (timeout.aborted) throw new OnvifError('timeout', `snapshot: no answer within ${options.timeoutMs} ms`);
    if (options.signal?.aborted) throw new OnvifError('stopped', 'stopped');
    throw new OnvifError('unreachable', `snapshot: ${(err as Error).message}`);
  }
}
