import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Element } from '@xmldom/xmldom';
import { EventService } from './events.ts';
import { HttpDigestVerifier, UsernameTokenVerifier, type Credentials } from './security.ts';
import * as S from './services.ts';
import { children, find, parseDuration, parseXml, text } from './xml.ts';
import { makeJpeg } from './jpeg.ts';
import { DiscoveryResponder } from './discovery.ts';
import { accessControlAnswer, accessServiceCapabilities, type AccessInventory, type SimAccessPoint, type SimDoor } from './accessControl.ts';

/**
 * A simulated ONVIF camera, written from the ONVIF specs (Core: device,
 * events, WS-Security, WS-Discovery; Media: profiles, snapshot URI), with fault
 * switches: wrong credentials, clock offset, short terminations that need
 * Renew, dying and reviving, slow snapshots, no PullPoint support, and raising
 * motion / tamper / video loss / intrusion / inputs / door and access events.
 * Independent of the hub: it speaks only the wire protocols.
 */
export interface SimulatorOptions {
  readonly host?: string;
  readonly port?: number;
  readonly username?: string;
  readonly password?: string;
  readonly clockOffsetMs?: number;
  readonly maxTerminationS?: number;
  readonly requireRenew?: boolean;
  readonly topicPrefix?: string;
  readonly pullPoint?: boolean;
  readonly info?: Partial<S.DeviceInfo>;
  /** UDP port for WS-Discovery probes on loopback (0: any free port; false: none). */
  readonly discoveryPort?: number | false;
  readonly multicast?: boolean;
  /** A Profile C access controller: its doors and access points (Door Control and Access Control services). */
  readonly access?: { readonly doors: readonly SimDoor[]; readonly accessPoints: readonly SimAccessPoint[]; readonly maxLimit?: number };
}

// ONVIF Core §5.12: the access class PRE_AUTH — answered without credentials.
const PRE_AUTH = new Set(['GetSystemDateAndTime', 'GetCapabilities', 'GetServices', 'GetServiceCapabilities', 'GetWsdlUrl', 'GetHostname', 'GetEndpointReference']);

export class OnvifCameraSimulator {
  readonly events: EventService;
  readonly stats = { requests: 0, authFailures: 0, snapshots: 0, snapshotsInFlight: 0 };
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly held = new Set<ServerResponse>();
  private readonly tokens = new UsernameTokenVerifier();
  private readonly digest = new HttpDigestVerifier('Gatehouse Simulated Camera');
  private readonly discovery: DiscoveryResponder | undefined;
  private boundPort: number;
  private frame = 0;
  private silent = false;
  credentials: Credentials;
  refuseCredentials = false;
  clockOffsetMs: number;
  slowSnapshotMs = 0;
  pullPoint: boolean;
  readonly host: string;
  readonly info: S.DeviceInfo;
  readonly topicPrefix: string;
  readonly inventory: AccessInventory | undefined;

  constructor(options: SimulatorOptions = {}) {
    this.host = options.host ?? '127.0.0.1';
    this.boundPort = options.port ?? 0;
    this.credentials = { username: options.username ?? 'admin', password: options.password ?? 'admin123' };
    this.clockOffsetMs = options.clockOffsetMs ?? 0;
    this.pullPoint = options.pullPoint ?? true;
    this.topicPrefix = options.topicPrefix ?? 'tns1';
    this.info = { manufacturer: 'Gatehouse', model: 'SimCam 1000', firmware: '1.0.0', serial: 'SIM0001', hardwareId: 'sim-1', ...options.info };
    this.inventory = options.access ? { doors: options.access.doors, accessPoints: options.access.accessPoints, maxLimit: options.access.maxLimit ?? 10 } : undefined;
    this.events = new EventService(() => this.cameraNow(), { maxTerminationMs: (options.maxTerminationS ?? 3600) * 1000, requireRenew: options.requireRenew ?? false });
    this.defineProperties();
    this.discovery = options.discoveryPort === false ? undefined : new DiscoveryResponder(() => this.discoveryInfo(), { host: this.host, port: options.discoveryPort ?? 0, multicast: options.multicast ?? false });
  }

  get port(): number {
    return this.boundPort;
  }
  get url(): string {
    return `http://${this.host}:${this.boundPort}`;
  }
  get discoveryPort(): number | undefined {
    return this.discovery?.port;
  }
  get alive(): boolean {
    return this.server !== undefined && !this.silent;
  }
  cameraNow(): number {
    return Date.now() + this.clockOffsetMs;
  }

  async start(): Promise<number> {
    await this.listen();
    await this.discovery?.start();
    this.events.start();
    return this.boundPort;
  }

  async stop(): Promise<void> {
    this.events.stop();
    this.events.reset();
    await this.discovery?.stop();
    await this.close();
  }

  /** Unplugged: `refuse` closes the port (connections refused); `silent` accepts and never answers (a hung camera, a cut cable). Subscriptions are lost either way. */
  async die(mode: 'refuse' | 'silent' = 'refuse'): Promise<void> {
    this.events.reset();
    if (mode === 'silent') this.silent = true;
    else await this.close();
  }

  /** Plugged back in: it boots (no subscriptions), optionally with a different clock. */
  async revive(options: { clockOffsetMs?: number } = {}): Promise<void> {
    if (options.clockOffsetMs !== undefined) this.clockOffsetMs = options.clockOffsetMs;
    this.events.reset();
    this.silent = false;
    for (const res of this.held) res.destroy();
    this.held.clear();
    if (!this.server) await this.listen();
  }

  // ---- raising events (ONVIF topics as Hikvision-style cameras spell them) ----
  motion(on: boolean): void {
    this.events.setProperty('tns1:RuleEngine/CellMotionDetector/Motion', { VideoSourceConfigurationToken: 'VideoSourceConfig_1', Rule: 'MyMotionDetectorRule' }, 'IsMotion', String(on));
  }
  tamper(on: boolean): void {
    this.events.setProperty('tns1:RuleEngine/TamperDetector/Tamper', { VideoSourceConfigurationToken: 'VideoSourceConfig_1', Rule: 'MyTamperDetectorRule' }, 'IsTamper', String(on));
  }
  videoLoss(on: boolean): void {
    this.events.setProperty('tns1:VideoSource/SignalLoss', { Source: 'VideoSource_1' }, 'State', String(on));
  }
  intrusion(on: boolean): void {
    this.events.setProperty('tns1:RuleEngine/FieldDetector/ObjectsInside', { VideoSourceConfigurationToken: 'VideoSourceConfig_1', Rule: 'MyFieldDetectorRule' }, 'IsInside', String(on));
  }
  input(token: string, on: boolean): void {
    this.events.setProperty('tns1:Device/Trigger/DigitalInput', { InputToken: token }, 'LogicalState', String(on));
  }
  door(state: 'Normal' | 'DoorForcedOpen' | 'DoorOpenTooLong', token = 'Door_1'): void {
    this.events.setProperty('tns1:Door/State/DoorAlarm', { DoorToken: token }, 'State', state);
  }
  /** Door Control spec: `tns1:Door/State/DoorPhysicalState`, State Open | Closed | Unknown | Fault. */
  doorPhysical(state: 'Open' | 'Closed', token = 'Door_1'): void {
    this.events.setProperty('tns1:Door/State/DoorPhysicalState', { DoorToken: token }, 'State', state);
  }
  lineCrossed(): void {
    this.events.occur('tns1:RuleEngine/LineDetector/Crossed', { VideoSourceConfigurationToken: 'VideoSourceConfig_1', Rule: 'MyLineDetectorRule' }, { ObjectId: String(Date.now() % 1000) });
  }
  access(granted: boolean, card: string, accessPoint = 'AccessPoint_1', holder?: string): void {
    if (granted) this.events.occur('tns1:AccessControl/AccessGranted/Credential', { AccessPointToken: accessPoint }, { CredentialToken: card, ...(holder ? { CredentialHolderName: holder } : {}) });
    else this.events.occur('tns1:AccessControl/Denied/CredentialNotFound/Card', { AccessPointToken: accessPoint }, { Card: card });
  }
  /** Any topic, e.g. one the hub does not know. */
  raw(topic: string, source: Record<string, string>, data: Record<string, string>): void {
    this.events.occur(topic, source, data);
  }

  private defineProperties(): void {
    const e = this.events;
    e.defineProperty('tns1:RuleEngine/CellMotionDetector/Motion', { VideoSourceConfigurationToken: 'VideoSourceConfig_1', Rule: 'MyMotionDetectorRule' }, 'IsMotion', 'false');
    e.defineProperty('tns1:RuleEngine/TamperDetector/Tamper', { VideoSourceConfigurationToken: 'VideoSourceConfig_1', Rule: 'MyTamperDetectorRule' }, 'IsTamper', 'false');
    e.defineProperty('tns1:VideoSource/SignalLoss', { Source: 'VideoSource_1' }, 'State', 'false');
    e.defineProperty('tns1:Device/Trigger/DigitalInput', { InputToken: 'DI_1' }, 'LogicalState', 'false');
    e.defineProperty('tns1:Door/State/DoorAlarm', { DoorToken: 'Door_1' }, 'State', 'Normal');
    for (const d of this.inventory?.doors ?? []) {
      if (d.token !== 'Door_1') e.defineProperty('tns1:Door/State/DoorAlarm', { DoorToken: d.token }, 'State', 'Normal');
      e.defineProperty('tns1:Door/State/DoorPhysicalState', { DoorToken: d.token }, 'State', 'Closed');
    }
  }

  private discoveryInfo(): { xaddr: string; scopes: string[]; uuid: string } {
    return {
      xaddr: `${this.url}/onvif/device_service`,
      uuid: `urn:uuid:5f5a69c2-0000-4000-8000-${this.info.serial.padStart(12, '0').slice(-12).replace(/[^0-9a-f]/gi, '0')}`,
      scopes: ['onvif://www.onvif.org/type/video_encoder', `onvif://www.onvif.org/hardware/${encodeURIComponent(this.info.model)}`, `onvif://www.onvif.org/name/${encodeURIComponent(this.info.manufacturer)}`, 'onvif://www.onvif.org/Profile/Streaming'],
    };
  }

  private listen(): Promise<void> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.on('connection', (s) => {
      this.sockets.add(s);
      s.on('close', () => this.sockets.delete(s));
    });
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.boundPort, this.host, () => {
        this.boundPort = (server.address() as { port: number }).port;
        this.server = server;
        resolve();
      });
    });
  }

  private async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (!server) return;
    for (const s of this.sockets) s.destroy();
    await new Promise((r) => server.close(() => r(undefined)));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.stats.requests++;
    if (this.silent) {
      this.held.add(res); // never answered, like a hung camera
      return;
    }
    const url = new URL(req.url ?? '/', this.url);
    if (req.method === 'GET' && url.pathname === '/onvif/snapshot.jpg') return this.snapshot(req, res);
    if (req.method !== 'POST') return void res.writeHead(405).end();
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const c of req) {
      size += (c as Buffer).length;
      if (size > 1 << 20) return void res.writeHead(413).end();
      chunks.push(c as Buffer);
    }
    const env = parseXml(Buffer.concat(chunks).toString('utf8'));
    const op = env && children(find(env, 'Body') ?? env)[0];
    if (!env || !op) return this.reply(res, 400, S.fault('env:Sender', 'ter:WellFormed', 'not a SOAP envelope'));
    const action = op.localName ?? '';
    if (!PRE_AUTH.has(action)) {
      const check = this.refuseCredentials ? 'refused' : this.tokens.check(env, this.credentials, this.cameraNow());
      if (check !== 'ok') {
        this.stats.authFailures++;
        // ONVIF Core §5.12: a refused UsernameToken is a Sender fault ter:NotAuthorized (HTTP 400).
        return this.reply(res, 400, S.fault('env:Sender', 'ter:NotAuthorized', `Sender not Authorized (${check})`));
      }
    }
    const answer = await this.dispatch(action, op, url);
    if (answer === undefined) return this.reply(res, 400, S.fault('env:Receiver', 'ter:ActionNotSupported', `${action} is not supported`));
    this.reply(res, answer.status ?? 200, answer.body);
  }

  private ctx(): S.Context {
    return { base: this.url, info: this.info, cameraNow: this.cameraNow(), topicPrefix: this.topicPrefix, pullPoint: this.pullPoint, accessControl: this.inventory !== undefined };
  }

  private async dispatch(action: string, op: Element, url: URL): Promise<{ status?: number; body: string } | undefined> {
    const ok = (body: string) => ({ body });
    switch (action) {
      case 'GetSystemDateAndTime': return ok(S.systemDateAndTime(this.cameraNow()));
      case 'GetDeviceInformation': return ok(S.deviceInformation(this.info));
      case 'GetCapabilities': return ok(S.capabilities(this.ctx()));
      case 'GetServices': return ok(S.services(this.ctx()));
      case 'GetProfiles': return ok(S.profiles());
      case 'GetVideoSources': return ok(S.videoSources());
      case 'GetSnapshotUri': return ok(S.snapshotUri(this.ctx()));
      case 'GetServiceCapabilities': {
        const access = this.inventory && accessServiceCapabilities(url.pathname, this.inventory);
        return ok(access ?? S.eventServiceCapabilities(this.ctx()));
      }
      case 'GetDoorInfoList': case 'GetAccessPointInfoList': case 'GetDoorInfo': case 'GetAccessPointInfo': {
        const answer = this.inventory && accessControlAnswer(action, op, this.inventory);
        if (answer === 'bad-reference') return { status: 400, body: S.fault('env:Sender', 'ter:InvalidArgVal', 'InvalidStartReference: StartReference is not valid') };
        return answer === undefined ? undefined : ok(answer);
      }
      case 'CreatePullPointSubscription': {
        if (!this.pullPoint) return undefined;
        const sub = this.events.create(termination(text(find(op, 'InitialTerminationTime')), this.cameraNow()));
        return ok(S.createPullPointResponse(this.ctx(), sub.id, sub.terminationAt));
      }
    }
    // Subscription manager operations: the subscription is named by the address it was given.
    const sub = this.events.get(url.searchParams.get('id') ?? '');
    if (['PullMessages', 'Renew', 'Unsubscribe', 'SetSynchronizationPoint'].includes(action) && !sub) {
      // WS-BaseNotification / WS-ResourceFramework: the subscription no longer exists.
      return { status: 400, body: S.fault('env:Sender', 'wsrf-rw:ResourceUnknownFault', 'no such subscription (expired or the camera restarted)') };
    }
    if (!sub) return undefined;
    switch (action) {
      case 'PullMessages': {
        const timeout = parseDuration(text(find(op, 'Timeout')) ?? 'PT10S') ?? 10_000;
        const limit = Number(text(find(op, 'MessageLimit')) ?? 10) || 10;
        const messages = await this.events.pull(sub, timeout, limit);
        if (messages === 'expired') return { status: 400, body: S.fault('env:Sender', 'wsrf-rw:ResourceUnknownFault', 'the subscription expired while pulling') };
        return ok(S.pullMessagesResponse(this.ctx(), sub.terminationAt, messages));
      }
      case 'Renew':
        this.events.renew(sub, termination(text(find(op, 'TerminationTime')), this.cameraNow()));
        return ok(S.renewResponse(this.ctx(), sub.terminationAt));
      case 'Unsubscribe':
        this.events.unsubscribe(sub);
        return ok('<wsnt:UnsubscribeResponse/>');
      case 'SetSynchronizationPoint':
        this.events.synchronize(sub);
        return ok('<tev:SetSynchronizationPointResponse/>');
    }
    return undefined;
  }

  private reply(res: ServerResponse, status: number, body: string): void {
    if (res.destroyed) return;
    res.writeHead(status, { 'content-type': 'application/soap+xml; charset=utf-8' }).end(S.envelope(body, this));
  }

  private async snapshot(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (this.refuseCredentials || !this.digest.verify(req.headers.authorization, 'GET', this.credentials)) {
      res.writeHead(401, { 'www-authenticate': this.digest.challenge(Date.now()) }).end();
      return;
    }
    this.stats.snapshotsInFlight++;
    if (this.slowSnapshotMs > 0) await new Promise((r) => setTimeout(r, this.slowSnapshotMs));
    this.stats.snapshotsInFlight--;
    if (res.destroyed) return;
    this.stats.snapshots++;
    res.writeHead(200, { 'content-type': 'image/jpeg' }).end(makeJpeg({ frame: this.frame++, comment: `${this.info.model} ${new Date(this.cameraNow()).toISOString()}` }));
  }
}

/** InitialTerminationTime / TerminationTime: an xs:duration (relative) or an xs:dateTime (absolute, camera clock). */
function termination(value: string | undefined, cameraNow: number): { relativeMs?: number; absoluteAt?: number } {
  if (!value) return {};
  const relative = parseDuration(value);
  if (relative !== undefined) return { relativeMs: relative };
  const absolute = Date.parse(value);
  return Number.isNaN(absolute) ? {} : { absoluteAt: Math.max(absolute, cameraNow) };
}
