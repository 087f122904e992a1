import { createHash, randomBytes } from 'node:crypto';
import type { Dispatcher } from 'undici';
import { children, escapeXml, find, parseXml, text, type Element } from './xml.ts';
import { cameraRequest } from './http.ts';

/**
 * A SOAP 1.2 client for one camera, with WS-Security UsernameToken digest
 * (OASIS WSS UsernameToken Profile 1.0 §3.1, required by ONVIF Core §5.12):
 * Digest = Base64(SHA-1(nonce + Created + password)). `Created` is written by
 * the camera's clock (ours plus the measured offset), because cameras refuse
 * stale tokens and their clocks drift and reset on reboot. HTTP Digest
 * (ONVIF Core §5.9.1) is answered when a camera asks for it with a 401.
 */

export type OnvifErrorKind = 'auth' | 'unreachable' | 'timeout' | 'fault' | 'protocol' | 'stopped';

export class OnvifError extends Error {
  constructor(
    readonly kind: OnvifErrorKind,
    message: string,
    /** The SOAP fault subcode(s), e.g. `ter:NotAuthorized`, `wsrf-rw:ResourceUnknownFault`. */
    readonly subcode?: string,
  ) {
    super(message);
    this.name = 'OnvifError';
  }
}

export interface CameraEndpoint {
  readonly host: string;
  readonly port: number;
  readonly username?: string | undefined;
  readonly password?: string | undefined;
}

export const NS = {
  soap: 'http://www.w3.org/2003/05/soap-envelope',
  wsa: 'http://www.w3.org/2005/08/addressing',
  wsse: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd',
  wsu: 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd',
  tds: 'http://www.onvif.org/ver10/device/wsdl',
  tev: 'http://www.onvif.org/ver10/events/wsdl',
  wsnt: 'http://docs.oasis-open.org/wsn/b-2',
} as const;

/** The largest SOAP answer read from a camera; beyond it the connection is closed. */
export const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const AUTH_WORDS = /not\s*authori[sz]ed|unauthori[sz]ed|authority failure|authentication failed|sender not authorized/i;

export interface CallOptions {
  readonly timeoutMs: number;
  /** Send the UsernameToken (default true; GetSystemDateAndTime goes without, ONVIF Core §5.12 PRE_AUTH). */
  readonly auth?: boolean;
  /** Extra header blocks (WS-Addressing To and reference parameters for a subscription). */
  readonly header?: string;
  readonly signal?: AbortSignal;
}

export class SoapClient {
  /** Camera clock minus ours (ms), from GetSystemDateAndTime. */
  clockOffsetMs = 0;

  constructor(
    readonly endpoint: CameraEndpoint,
    private readonly dispatcher: Dispatcher,
  ) {}

  /** A service address the camera gave, pointed at the configured host and port (cameras behind NAT report addresses we cannot reach). */
  serviceUrl(address: string | undefined, fallbackPath: string): string {
    let path = fallbackPath;
    if (address) {
      try {
        const u = new URL(address);
        path = `${u.pathname}${u.search}`;
      } catch {
        // not a URL: keep the default path
      }
    }
    return `http://${this.endpoint.host}:${this.endpoint.port}${path}`;
  }

  private security(): string {
    const { username, password } = this.endpoint;
    if (!username || password === undefined) return '';
    const nonce = randomBytes(16);
    const created = new Date(Date.now() + this.clockOffsetMs).toISOString();
    const digest = createHash('sha1').update(Buffer.concat([nonce, Buffer.from(created, 'utf8'), Buffer.from(password, 'utf8')])).digest('base64');
    return (
      `<wsse:Security s:mustUnderstand="1" xmlns:wsse="${NS.wsse}" xmlns:wsu="${NS.wsu}"><wsse:UsernameToken>` +
      `<wsse:Username>${escapeXml(username)}</wsse:Username>` +
      `<wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#PasswordDigest">${digest}</wsse:Password>` +
      `<wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">${nonce.toString('base64')}</wsse:Nonce>` +
      `<wsu:Created>${created}</wsu:Created></wsse:UsernameToken></wsse:Security>`
    );
  }

  /** POST one operation; resolves with the Body's first element (the response), or throws an OnvifError. */
  async call(url: string, body: string, options: CallOptions): Promise<Element> {
    const envelope = (): string =>
      `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.soap}" xmlns:wsa="${NS.wsa}">` +
      `<s:Header>${options.auth === false ? '' : this.security()}${options.header ?? ''}</s:Header><s:Body>${body}</s:Body></s:Envelope>`;
    const answer = await cameraRequest(new URL(url), this.endpoint, {
      method: 'POST',
      body: envelope(),
      headers: { 'content-type': 'application/soap+xml; charset=utf-8' },
      timeoutMs: options.timeoutMs,
      maxBytes: MAX_RESPONSE_BYTES,
      dispatcher: this.dispatcher,
      signal: options.signal,
    });
    const res = { status: answer.status, text: answer.body.toString('utf8') };
    if (res.status === 401 || res.status === 403) throw new OnvifError('auth', `HTTP ${res.status}`);
    const root = parseXml(res.text);
    const first = children(find(root, 'Body'))[0];
    if (!root || !first) throw new OnvifError('protocol', `HTTP ${res.status}: not a SOAP answer (${JSON.stringify(res.text.slice(0, 80))})`);
    if (first.localName === 'Fault') {
      const subcodes = [text(find(find(first, 'Code'), 'Value')), ...collectSubcodes(find(first, 'Subcode'))].filter(Boolean).join(' ');
      const reason = text(find(first, 'Reason')) ?? '';
      const auth = /NotAuthorized/i.test(subcodes) || AUTH_WORDS.test(reason);
      throw new OnvifError(auth ? 'auth' : 'fault', `SOAP fault ${subcodes}${reason ? `: ${reason}` : ''}`, subcodes);
    }
    if (res.status >= 300) throw new OnvifError('protocol', `HTTP ${res.status}`);
    return first;
  }
}

function collectSubcodes(el: Element | undefined): string[] {
  if (!el) return [];
  const value = children(el).find((c) => c.localName === 'Value');
  return [text(value) ?? '', ...collectSubcodes(children(el).find((c) => c.localName === 'Subcode'))];
}

/**
 * The camera's clock, read with the device service's GetSystemDateAndTime
 * (access class PRE_AUTH in ONVIF Core §5.12, so it works before the offset is known).
 * Returns camera minus ours in ms. The camera answers in whole seconds: the
 * midpoint of the exchange and half a second stand for the missing fraction.
 */
export async function readCameraClock(soap: SoapClient, timeoutMs: number, signal?: AbortSignal): Promise<number> {
  const url = soap.serviceUrl(undefined, '/onvif/device_service');
  const body = `<tds:GetSystemDateAndTime xmlns:tds="${NS.tds}"/>`;
  const t0 = Date.now();
  let answer: Element;
  try {
    answer = await soap.call(url, body, { timeoutMs, auth: false, ...(signal ? { signal } : {}) });
  } catch (err) {
    // Some cameras (Panasonic, per the onvif library's notes) want a token even here.
    if (!(err instanceof OnvifError) || err.kind !== 'auth') throw err;
    answer = await soap.call(url, body, { timeoutMs, ...(signal ? { signal } : {}) });
  }
  const t1 = Date.now();
  const utc = find(answer, 'UTCDateTime') ?? find(answer, 'LocalDateTime');
  const n = (name: string): number => Number(text(find(utc, name)));
  const camera = Date.UTC(n('Year'), n('Month') - 1, n('Day'), n('Hour'), n('Minute'), n('Second'));
  if (!utc || Number.isNaN(camera)) throw new OnvifError('protocol', 'GetSystemDateAndTime: no UTCDateTime in the answer');
  return camera + 500 - Math.round((t0 + t1) / 2);
}
