import { createSocket } from 'node:dgram';
import { randomUUID } from 'node:crypto';
import { find, findAll, parseXml, text } from './xml.ts';

/**
 * WS-Discovery client (OASIS WS-Discovery 2005/04, as ONVIF Core §7 "Device
 * discovery" uses it): a Probe for dn:NetworkVideoTransmitter sent over
 * SOAP-over-UDP to the multicast group 239.255.255.250:3702 — or unicast to one
 * `target` (a known address, tests) — collecting the ProbeMatches that come
 * back within the timeout. SOAP-over-UDP repeats a UDP message once, since
 * datagrams get lost; answers are de-duplicated by endpoint address.
 */
export interface DiscoveredCamera {
  /** host:port of the first device service address. */
  readonly address: string;
  readonly host: string;
  readonly port: number;
  readonly xaddrs: readonly string[];
  /** The device's stable endpoint reference (urn:uuid:…). */
  readonly endpoint: string;
  readonly model?: string | undefined;
  readonly name?: string | undefined;
  readonly scopes: readonly string[];
}

const MULTICAST = { host: '239.255.255.250', port: 3702 };

export function probeMessage(messageId: string): string {
  return (
    `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"` +
    ` xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl"><s:Header>` +
    `<a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action><a:MessageID>${messageId}</a:MessageID>` +
    `<a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>` +
    `<a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header>` +
    `<s:Body><d:Probe><d:Types>dn:NetworkVideoTransmitter</d:Types></d:Probe></s:Body></s:Envelope>`
  );
}

/** One ProbeMatches message → cameras (usually one). */
export function parseProbeMatches(xml: string, messageId?: string): DiscoveredCamera[] {
  const env = parseXml(xml);
  if (!env || !find(env, 'ProbeMatches')) return [];
  const relatesTo = text(find(find(env, 'Header'), 'RelatesTo'));
  if (messageId && relatesTo && relatesTo !== messageId) return []; // an answer to someone else's probe
  const out: DiscoveredCamera[] = [];
  for (const match of findAll(env, 'ProbeMatch')) {
    const xaddrs = (text(find(match, 'XAddrs')) ?? '').split(/\s+/).filter(Boolean);
    const scopes = (text(find(match, 'Scopes')) ?? '').split(/\s+/).filter(Boolean);
    const first = xaddrs.map((x) => safeUrl(x)).find((u) => u !== undefined);
    if (!first) continue;
    const scope = (kind: string) => {
      const s = scopes.find((x) => x.startsWith(`onvif://www.onvif.org/${kind}/`));
      return s ? decodeURIComponent(s.slice(`onvif://www.onvif.org/${kind}/`.length)) : undefined;
    };
    const port = Number(first.port || 80);
    out.push({
      address: `${first.hostname}:${port}`,
      host: first.hostname,
      port,
      xaddrs,
      endpoint: text(find(find(match, 'EndpointReference'), 'Address')) ?? first.href,
      model: scope('hardware'),
      name: scope('name'),
      scopes,
    });
  }
  return out;
}

function safeUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}

export async function discover(options: { target?: { host: string; port: number } | undefined; timeoutMs: number }): Promise<DiscoveredCamera[]> {
  const socket = createSocket({ type: 'udp4', reuseAddr: true });
  const messageId = `urn:uuid:${randomUUID()}`;
  const found = new Map<string, DiscoveredCamera>();
  socket.on('message', (msg) => {
    for (const cam of parseProbeMatches(msg.toString('utf8'), messageId)) if (!found.has(cam.endpoint)) found.set(cam.endpoint, cam);
  });
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, resolve));
  const to = options.target ?? MULTICAST;
  const probe = Buffer.from(probeMessage(messageId));
  socket.send(probe, to.port, to.host);
  setTimeout(() => socket.send(probe, to.port, to.host), 100).unref();
  await new Promise((r) => setTimeout(r, options.timeoutMs));
  socket.close();
  return [...found.values()].sort((a, b) => a.address.localeCompare(b.address));
}
