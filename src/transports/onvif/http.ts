import { request, type Dispatcher } from 'undici';
import { digestAuthorization, parseChallenges } from './digest.ts';
import { OnvifError, type CameraEndpoint } from './soap.ts';

/**
 * The one way the hub speaks HTTP to a camera (SOAP calls and snapshot
 * fetches): within a deadline, reading at most `maxBytes` of the answer,
 * answering a 401 with HTTP Digest (RFC 7616) — or Basic, where the caller
 * allows it and that is all the camera offers — once, and turning every
 * failure into an OnvifError of the right kind (timeout, stopped, unreachable,
 * protocol). What the status means is the caller's to judge.
 */
export interface CameraAnswer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export interface CameraRequest {
  readonly method: 'GET' | 'POST';
  readonly body?: string | undefined;
  readonly headers?: Readonly<Record<string, string>> | undefined;
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly dispatcher: Dispatcher;
  readonly signal?: AbortSignal | undefined;
  /** Offer Basic credentials when the camera asks for nothing better (snapshots: some cameras only do Basic there). */
  readonly basicIfOnlyOffer?: boolean | undefined;
  /** Names the exchange in errors (`snapshot`); SOAP calls leave it out. */
  readonly what?: string | undefined;
}

export async function cameraRequest(url: URL, endpoint: CameraEndpoint, req: CameraRequest): Promise<CameraAnswer> {
  const timeout = AbortSignal.timeout(Math.max(1, Math.round(req.timeoutMs)));
  const signal = req.signal ? AbortSignal.any([timeout, req.signal]) : timeout;
  const prefix = req.what ? `${req.what}: ` : '';
  const send = async (authorization?: string): Promise<CameraAnswer> => {
    const res = await request(url, {
      method: req.method,
      ...(req.body !== undefined ? { body: req.body } : {}),
      signal,
      dispatcher: req.dispatcher,
      headers: { ...req.headers, ...(authorization ? { authorization } : {}) },
    });
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of res.body) {
      size += (chunk as Buffer).length;
      if (size > req.maxBytes) {
        res.body.destroy();
        throw new OnvifError('protocol', `${req.what ?? 'answer'} larger than ${req.maxBytes} bytes`);
      }
      chunks.push(chunk as Buffer);
    }
    return { status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) };
  };
  try {
    let answer = await send();
    if (answer.status === 401 && endpoint.username && endpoint.password !== undefined) {
      const header = answer.headers['www-authenticate'];
      const challenge = parseChallenges(header)[0];
      const basic = req.basicIfOnlyOffer === true && [header ?? []].flat().some((h) => /^\s*Basic/i.test(h));
      const authorization = challenge
        ? digestAuthorization(challenge, req.method, `${url.pathname}${url.search}`, endpoint.username, endpoint.password)
        : basic
          ? `Basic ${Buffer.from(`${endpoint.username}:${endpoint.password}`).toString('base64')}`
          : undefined;
      if (authorization) answer = await send(authorization);
    }
    return answer;
  } catch (err) {
    if (err instanceof OnvifError) throw err;
    if (req.signal?.aborted) throw new OnvifError('stopped', 'stopped');
    if (timeout.aborted) throw new OnvifError('timeout', `${prefix}no answer within ${req.timeoutMs} ms`);
    const e = err as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
    throw new OnvifError('unreachable', `${prefix}${`${e.code ?? e.cause?.code ?? ''} ${e.cause?.message ?? e.message}`.trim()}`);
  }
}
