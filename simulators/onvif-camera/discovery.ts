import { createSocket, type Socket } from 'node:dgram';
import { randomUUID } from 'node:crypto';
import { escapeXml as x, find, NS, parseXml, text } from './xml.ts';

/**
 * WS-Discovery target service (OASIS WS-Discovery 2005/04, as ONVIF Core §7
 * "Device discovery" requires): answers a Probe for dn:NetworkVideoTransmitter
 * with a ProbeMatch carrying the device's EndpointReference, Scopes and XAddrs,
 * sent unicast to the prober. By default it listens on loopback only (tests and
 * `gatehouse discover --target`); `multicast: true` joins 239.255.255.250:3702.
 */
export interface DiscoveryInfo {
  readonly xaddr: string;
  readonly uuid: string;
  readonly scopes: readonly string[];
}

export class DiscoveryResponder {
  private socket: Socket | undefined;
  private bound = 0;
  probes = 0;

  constructor(
    private readonly info: () => DiscoveryInfo,
    private readonly options: { host: string; port: number; multicast: boolean },
  ) {}

  get port(): number | undefined {
    return this.socket ? this.bound : undefined;
  }

  async start(): Promise<void> {
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    socket.on('message', (msg, rinfo) => this.onProbe(msg.toString('utf8'), rinfo.address, rinfo.port));
    socket.on('error', () => undefined);
    const port = this.options.multicast ? 3702 : this.options.port;
    const host = this.options.multicast ? '0.0.0.0' : this.options.host;
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, host, () => resolve());
    });
    if (this.options.multicast) socket.addMembership('239.255.255.250');
    this.bound = socket.address().port;
    this.socket = socket;
  }

  async stop(): Promise<void> {
    const s = this.socket;
    this.socket = undefined;
    if (s) await new Promise((r) => s.close(() => r(undefined)));
  }

  private onProbe(body: string, address: string, port: number): void {
    const env = parseXml(body);
    const probe = find(env, 'Probe');
    if (!env || !probe) return;
    const types = text(find(probe, 'Types')) ?? '';
    if (types && !/NetworkVideoTransmitter|Device\b/.test(types)) return;
    this.probes++;
    const messageId = text(find(find(env, 'Header'), 'MessageID')) ?? '';
    const info = this.info();
    const reply =
      `<?xml version="1.0" encoding="UTF-8"?><s:Envelope xmlns:s="${NS.soap}" xmlns:a="${NS.wsa04}" xmlns:d="${NS.wsd}" xmlns:dn="${NS.dn}">` +
      `<s:Header><a:Action>http://schemas.xmlsoap.org/ws/2005/04/discovery/ProbeMatches</a:Action><a:MessageID>urn:uuid:${randomUUID()}</a:MessageID>` +
      `<a:RelatesTo>${x(messageId)}</a:RelatesTo><a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To></s:Header>` +
      `<s:Body><d:ProbeMatches><d:ProbeMatch><a:EndpointReference><a:Address>${x(info.uuid)}</a:Address></a:EndpointReference>` +
      `<d:Types>dn:NetworkVideoTransmitter</d:Types><d:Scopes>${info.scopes.map(x).join(' ')}</d:Scopes>` +
      `<d:XAddrs>${x(info.xaddr)}</d:XAddrs><d:MetadataVersion>1</d:MetadataVersion></d:ProbeMatch></d:ProbeMatches></s:Body></s:Envelope>`;
    this.socket?.send(reply, port, address);
  }
}
