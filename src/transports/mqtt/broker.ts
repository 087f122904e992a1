import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { once } from 'node:events';
import { Aedes, type Client, type AuthenticateError, type PublishPacket, type Subscription } from 'aedes';
import type { RawMessage } from '../../core/device.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { FrameScanner } from './frameScanner.ts';
import { Qos2Inflight } from './qos2Inflight.ts';
import { certificateVerdict, clientCertificateOf, type ClientCertificate } from './clientCertificate.ts';
import { TLS_SERVER_OPTIONS } from '../../config/tlsFiles.ts';
import { mayPublish, maySubscribe, commandTopic, shortTopic } from './topics.ts';
import { PublishLimiter, type FloodingView, type RateLimit } from './publishLimiter.ts';
import { Admission, defaultMaxConnections, openFileLimit, sourceAddress } from './admission.ts';
import { RefusalLog } from './refusalLog.ts';
import type { MqttAuthBackoff, MqttRateLimit } from '../../config/types.ts';
import type { MqttDoor } from './door.ts';
import type { BridgeTopic } from '../zigbee2mqtt/topics.ts';

/**
 * Accounts that speak for many devices (Zigbee2MQTT bridges): their own topic
 * ACL under a base topic, and their messages routed by friendly name
 * (src/transports/zigbee2mqtt/bridges.ts).
 */
export interface BridgeAccounts {
  isBridge(id: string): boolean;
  publishVerdict(bridgeId: string, topic: string): BridgeTopic;
  subscribeVerdict(bridgeId: string, filter: string): { readonly ok: true } | { readonly ok: false; readonly reason: string };
  handle(bridgeId: string, topic: Extract<BridgeTopic, { ok: true }>, payload: Buffer, receivedAt: number, done: (err: Error | null) => void): void;
}

/**
 * A bridge's packet limit: Zigbee2MQTT publishes `bridge/devices` and
 * `bridge/definitions` (retained) with every paired device's definition, easily
 * hundreds of KiB; refusing them would close its connection on every start.
 */
export const BRIDGE_MAX_PACKET_BYTES = 16 * 1024 * 1024;

export interface EmbeddedBrokerOptions {
  /** The plain listener's port (0: any free one), or null for none. */
  readonly port: number | null;
  readonly host: string;
  /** The MQTT-over-TLS listener; with `ca`, it asks devices for a client certificate. */
  readonly tls?: { readonly port: number; readonly cert: string; readonly key: string; readonly ca?: string | undefined } | undefined;
  readonly maxPacketBytes: number;
  readonly connectTimeout: number;
  readonly keepaliveLimit: number;
  // Flood control (mqtt.rateLimit, maxConnections, connectRate, authBackoff; see admission.ts and publishLimiter.ts).
  readonly rateLimit: MqttRateLimit;
  readonly maxConnections?: number | undefined;
  readonly connectRate: RateLimit;
  readonly authBackoff: MqttAuthBackoff;
}

/** What the broker needs from the hub: who may connect, and where messages go. */
export interface MqttHooks {
  /** Whether `password` is the device's secret (src/auth/deviceSecrets.ts); the verdict is the refusal's reason. */
  verifySecret(deviceId: string, password: Buffer | undefined): 'ok' | 'unknown device' | 'wrong password';
  /** Is this a configured MQTT device (one that may sign in by certificate)? */
  knows(deviceId: string): boolean;
  /** Hand a device's message over; `done` runs once it is durably committed. */
  submit(raw: RawMessage, done: (err: Error | null) => void): void;
  connected(deviceId: string): void;
  /** The hub's clock (epoch ms) for receive times. */
  now(): number;
  /** A device's own publish allowance (devices[].rateLimit). */
  rateLimitOf?(deviceId: string): RateLimit | undefined;
  /** A device went over its allowance or was cut off for flooding (its `flooding` view changed). */
  flooding?(deviceId: string): void;
  /** Zigbee2MQTT bridge accounts (username = bridge id, password = its secret). */
  readonly bridges?: BridgeAccounts;
}

// MQTT 3.1.1 §3.2.2.3 CONNACK return codes (aedes' AuthErrorCode is type-only).
const IDENTIFIER_REJECTED = 2;
const BAD_USERNAME_OR_PASSWORD = 4;
const NOT_AUTHORIZED = 5;
const SERVER_UNAVAILABLE = 3;

/** Why a CONNECT is refused: the CONNACK code, the logged reason, and a bounded metric label. */
interface Refusal {
  readonly code: number;
  readonly reason: string;
  readonly label: string;
}

function refusal(code: number, message: string): AuthenticateError {
  const err = new Error(message) as AuthenticateError;
  err.returnCode = code;
  return err;
}

/**
 * The embedded aedes broker with Gatehouse's authentication and topic ACL.
 * A QoS 1 PUBACK is written by aedes only after `authorizePublish` calls back,
 * so the durable commit happens there (aedes acknowledges before `published`).
 */
export class EmbeddedBroker implements MqttDoor {
  private broker: Aedes | undefined;
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private boundPort = 0;
  private boundTlsPort = 0;
  /** What each TLS connection's client certificate says, read once at the handshake. */
  private readonly certificates = new WeakMap<Socket, ClientCertificate>();
  private readonly keepalives = new WeakMap<Client, number>();
  private readonly scanners = new WeakMap<Socket, FrameScanner>();
  /** Clients past authenticate: only their PUBRELs release QoS 2 packet ids. */
  private readonly authenticated = new WeakSet<Client>();
  private readonly qos2 = new Qos2Inflight();
  /** Set while stopping: the broker's own closing of connections must not fire last wills into the store. */
  private closing = false;
  /** Clients the hub closed on purpose (see disconnect). */
  private readonly closedByHub = new WeakSet<Client>();
  private readonly limiter: PublishLimiter;
  private readonly admission: Admission<Socket>;
  private readonly refusals: RefusalLog;
  readonly maxConnections: number;

  constructor(
    private readonly options: EmbeddedBrokerOptions,
    private readonly hooks: MqttHooks,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {
    // Real time, never the hub's (test) clock: an allowance refills as seconds pass. Monotonic, on the epoch scale.
    const now = (): number => performance.timeOrigin + performance.now();
    this.refusals = new RefusalLog(log, { now });
    const rl = options.rateLimit;
    this.limiter = new PublishLimiter({
      defaults: { rate: rl.rate, burst: rl.burst },
      limitOf: (id) => hooks.rateLimitOf?.(id),
      floodSeconds: rl.floodSeconds,
      maxHeld: rl.maxHeld,
      backoffMs: rl.backoffSeconds * 1000,
      now,
      onChange: (id) => hooks.flooding?.(id),
      onFlood: (id, until, reason) => {
        metrics.mqttFloodDisconnects.inc({ device: id });
        metrics.mqttHeld.set(this.limiter.heldCount);
        log.warn({ deviceId: id, reason, backoffUntil: new Date(until).toISOString() }, `disconnected ${id} for flooding: ${reason}; refused at CONNECT until ${new Date(until).toISOString()}`);
      },
    });
    this.maxConnections = options.maxConnections ?? defaultMaxConnections(openFileLimit());
    this.admission = new Admission<Socket>({ maxConnections: this.maxConnections, connectRate: options.connectRate, authBackoff: options.authBackoff, now });
  }

  /** What the devices API shows of a device that went over its publish allowance. */
  flooding(deviceId: string): FloodingView | undefined {
    return this.limiter.view(deviceId);
  }

  /** The plain listener's port (0 when it is off). */
  get port(): number {
    return this.boundPort;
  }

  /** The TLS listener's port (0 when there is none). */
  get tlsPort(): number {
    return this.boundTlsPort;
  }

  async start(): Promise<void> {
    const broker = await Aedes.createBroker({
      id: 'gatehouse',
      connectTimeout: this.options.connectTimeout * 1000,
      // The keep-alive limit is checked in authenticate (below), not by aedes: aedes
      // answers with CONNACK 6, which MQTT 3.1.1 does not define, and tells no one.
      maxClientsIdLength: 64,
      preConnect: (client, packet, cb) => {
        this.keepalives.set(client, packet.keepalive ?? 0);
        cb(null, true);
      },
      authenticate: (client, username, password, cb) => this.admitConnect(client, username, password, cb),
      authorizePublish: (client, packet, cb) => this.authorizePublish(client, packet, cb),
      authorizeSubscribe: (client, sub, cb) => this.authorizeSubscribe(client, sub, cb),
    });
    broker.on('client', (client) => {
      this.admission.authenticated(client.conn as Socket);
      this.metrics.mqttClients.inc();
      this.log.info({ deviceId: client.id }, `device ${client.id} connected`);
      this.hooks.connected(client.id);
    });
    broker.on('clientDisconnect', (client) => {
      this.metrics.mqttClients.dec();
      this.log.info({ deviceId: client.id }, `device ${client.id} disconnected`);
    });
    broker.on('clientError', (client, err) => {
      this.log.debug({ deviceId: client.id, err: err.message }, 'client error');
    });
    broker.on('connectionError', (client, err) => {
      this.log.debug({ deviceId: client.id, err: err.message }, 'connection error before CONNACK');
    });
    this.broker = broker;
    try {
      if (this.options.port !== null) {
        this.boundPort = await this.listen(createServer((socket) => this.accept(socket)), this.options.port, 'MQTT broker');
      }
      if (this.options.tls) this.boundTlsPort = await this.listen(this.tlsServer(this.options.tls), this.options.tls.port, 'MQTT broker (TLS)');
    } catch (err) {
      await this.stop(); // the other listener may be up
      throw err;
    }
    this.metrics.mqttMaxConnections.set(this.maxConnections);
    this.log.info({ maxConnections: this.maxConnections }, `MQTT accepts at most ${this.maxConnections} connections (mqtt.maxConnections)`);
  }

  private tlsServer(tls: NonNullable<EmbeddedBrokerOptions['tls']>): Server {
    const server = createTlsServer(
      {
        cert: tls.cert,
        key: tls.key,
        ...TLS_SERVER_OPTIONS,
        // A socket gets as long to finish the handshake as to authenticate.
        handshakeTimeout: this.options.connectTimeout * 1000,
        // With a CA, ask for a certificate but let devices without one in (they
        // use their password); authenticate() refuses a certificate the CA did not sign.
        ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: false } : {}),
      },
      (socket) => {
        if (tls.ca) this.certificates.set(socket, clientCertificateOf(socket));
        this.accept(socket);
      },
    );
    // Sockets still in the handshake are closed on stop too.
    server.on('connection', (socket: Socket) => this.track(socket));
    server.on('tlsClientError', (err, socket) => {
      // Scanners, TLS 1.1 clients, devices that distrust our certificate: counted, not logged at warn (a flood would fill the log).
      this.metrics.mqttRefusals.inc({ operation: 'connect', reason: 'tls handshake' });
      this.log.debug({ remote: socket.remoteAddress, err: err.message }, 'TLS handshake failed');
    });
    return server;
  }

  private async listen(server: Server, port: number, what: string): Promise<number> {
    server.listen(port, this.options.host);
    this.servers.push(server);
    await Promise.race([
      once(server, 'listening'),
      once(server, 'error').then(([err]) => {
        throw new Error(`${what} cannot listen on ${this.options.host}:${port}: ${(err as Error).message}`);
      }),
    ]);
    const address = server.address();
    return typeof address === 'object' && address ? address.port : port;
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  /** Connection caps before aedes reads a byte: the socket is admitted, or closed at once. */
  private admitSocket(socket: Socket): boolean {
    const address = sourceAddress(socket.remoteAddress);
    const verdict = this.admission.accept(socket, address);
    if (!verdict.ok) {
      this.metrics.mqttRefusals.inc({ operation: 'connect', reason: verdict.reason });
      this.refusals.refused('CONNECT', address, verdict.reason, `closed a connection from ${address} at once: ${verdict.reason === 'connect rate' ? `more than mqtt.connectRate (${this.options.connectRate.rate}/s, burst ${this.options.connectRate.burst}) from this address` : `mqtt.maxConnections (${this.maxConnections}) reached`}`);
      socket.destroy();
      return false;
    }
    if (verdict.evicted) {
      const evicted = sourceAddress(verdict.evicted.remoteAddress);
      this.metrics.mqttRefusals.inc({ operation: 'connect', reason: 'idle evicted' });
      this.refusals.refused('CONNECT', evicted, 'idle evicted', `closed an unauthenticated connection from ${evicted} to make room: mqtt.maxConnections (${this.maxConnections}) reached`);
      verdict.evicted.destroy();
    }
    this.metrics.mqttSockets.set(this.admission.openCount);
    socket.once('close', () => {
      this.admission.closed(socket);
      this.metrics.mqttSockets.set(this.admission.openCount);
      const client = (socket as Socket & { client?: Client }).client;
      if (client?.id) this.limiter.closed(client.id, client);
      this.metrics.mqttHeld.set(this.limiter.heldCount);
    });
    return true;
  }

  /**
   * Back-offs refuse a CONNECT before its password is looked at (after failed
   * authentication, or for a device cut off for flooding); the outcome of
   * `authenticate` feeds the back-off.
   */
  private admitConnect(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    cb: (err: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const address = sourceAddress((client.conn as Socket | undefined)?.remoteAddress);
    const deviceId = username?.slice(0, 64);
    const flooded = deviceId === undefined ? undefined : this.limiter.refusedUntil(deviceId);
    const blocked =
      flooded !== undefined
        ? { code: SERVER_UNAVAILABLE, reason: 'flood back-off', detail: `${deviceId} was disconnected for flooding; refused until ${new Date(flooded).toISOString()}` }
        : ((b) => b && { code: NOT_AUTHORIZED, reason: b.reason, detail: b.detail })(this.admission.backoff(deviceId, address));
    if (blocked) {
      this.metrics.mqttRefusals.inc({ operation: 'connect', reason: blocked.reason });
      this.refusals.refused('CONNECT', address, blocked.reason, `refused MQTT CONNECT from ${address} as ${deviceId || '(no username)'} without checking its password: ${blocked.detail}`, { deviceId });
      cb(refusal(blocked.code, blocked.detail), false);
      return;
    }
    this.authenticate(client, username, password, (err, success) => {
      if (!err && success) this.admission.succeeded(client.id, address);
      else if (err?.returnCode === BAD_USERNAME_OR_PASSWORD) this.admission.failed(deviceId, address);
      cb(err, success);
    });
  }

  /** Guard the socket before aedes reads it: refuse packets declaring more than the limit. */
  private accept(socket: Socket | TLSSocket): void {
    if (!this.admitSocket(socket)) return;
    this.track(socket);
    socket.setNoDelay(true);
    const scanner = new FrameScanner(this.options.maxPacketBytes, (packetId) => {
      const client = (socket as Socket & { client?: Client }).client;
      if (client && this.authenticated.has(client)) this.qos2.release(client.id, packetId);
    });
    this.scanners.set(socket, scanner);
    const read = socket.read.bind(socket);
    // aedes pulls bytes with conn.read() on 'readable'; check them on the way.
    socket.read = ((size?: number) => {
      const chunk = read(size) as Buffer | string | null;
      if (chunk === null || typeof chunk === 'string') return chunk;
      const verdict = scanner.feed(chunk);
      if (verdict.ok) return chunk;
      this.metrics.mqttRefusals.inc({ operation: 'packet', reason: verdict.reason });
      const who = (socket as Socket & { client?: Client }).client?.id ?? sourceAddress(socket.remoteAddress);
      this.refusals.refused(
        'packet',
        who,
        verdict.reason,
        verdict.reason === 'too_large'
          ? `closed connection of ${who}: packet of ${verdict.declared} bytes exceeds mqtt.maxPacketBytes ${this.options.maxPacketBytes}`
          : `closed connection of ${who}: malformed MQTT remaining length`,
        { deviceId: who, declared: verdict.declared, limit: this.options.maxPacketBytes },
      );
      socket.destroy();
      return null;
    }) as typeof socket.read;
    this.broker!.handle(socket);
  }

  private authenticate(
    client: Client,
    username: string | undefined,
    password: Buffer | undefined,
    cb: (err: AuthenticateError | null, success: boolean | null) => void,
  ): void {
    const refused = this.checkCredentials(client, username, password) ?? this.checkSession(client, username!);
    if (refused === undefined) {
      this.authenticated.add(client);
      cb(null, true);
      return;
    }
    const deviceId = (username ?? '').slice(0, 64);
    this.metrics.mqttRefusals.inc({ operation: 'connect', reason: refused.label });
    const remote = sourceAddress((client.conn as Socket | undefined)?.remoteAddress);
    this.refusals.refused('CONNECT', remote, refused.label, `refused MQTT CONNECT from ${deviceId || '(no username)'}: ${refused.reason}`, { deviceId, clientId: client.id.slice(0, 64), remote });
    cb(refusal(refused.code, refused.reason), false);
  }

  /** Who the client is: its TLS client certificate decides when it shows one, else its password. */
  private checkCredentials(client: Client, username: string | undefined, password: Buffer | undefined): Refusal | undefined {
    const certificate = certificateVerdict(this.certificates.get(client.conn as Socket), username);
    if (certificate.verdict === 'refused') return { code: NOT_AUTHORIZED, reason: certificate.reason, label: certificate.label };
    if (certificate.verdict === 'accepted') {
      return this.hooks.knows(username!) ? undefined : { code: BAD_USERNAME_OR_PASSWORD, reason: 'unknown device', label: 'unknown device' };
    }
    return this.checkPassword(username, password);
  }

  private checkPassword(username: string | undefined, password: Buffer | undefined): Refusal | undefined {
    if (username === undefined) return { code: BAD_USERNAME_OR_PASSWORD, reason: 'no username', label: 'no username' };
    const verdict = this.hooks.verifySecret(username, password);
    if (verdict === 'ok') return undefined;
    if (verdict === 'unknown device' && this.hooks.knows(username)) {
      return { code: BAD_USERNAME_OR_PASSWORD, reason: 'no password: this device signs in with its client certificate', label: 'no password' };
    }
    return { code: BAD_USERNAME_OR_PASSWORD, reason: verdict, label: verdict };
  }

  /** What the session must be once the device is known: client id = device id, a keep-alive the hub honours. */
  private checkSession(client: Client, deviceId: string): Refusal | undefined {
    if (this.hooks.bridges?.isBridge(deviceId)) {
      // Zigbee2MQTT picks its own client id (MQTT.js's random mqttjs_… unless
      // mqtt.client_id is set). The session takes the bridge's id — aedes reads
      // client.id only after authenticate — so everything keyed by account (rate
      // limits, refusals, disconnect) sees the bridge, and a second instance with
      // its credentials takes the first one's place, as a reconnecting device does.
      client.id = deviceId;
      const scanner = this.scanners.get(client.conn as Socket);
      scanner?.raise(BRIDGE_MAX_PACKET_BYTES);
    } else if (client.id !== deviceId) {
      return { code: IDENTIFIER_REJECTED, reason: `client id ${JSON.stringify(client.id)} is not the device id`, label: 'client id mismatch' };
    }
    const keepalive = this.keepalives.get(client) ?? 0;
    if (keepalive === 0 || keepalive > this.options.keepaliveLimit) {
      // [MQTT-3.1.2-24]: a server may close a client whose keep-alive it will not honour.
      const reason = `keep-alive ${keepalive === 0 ? '0 (disabled)' : `${keepalive} s`} is not allowed: mqtt.keepaliveLimit is ${this.options.keepaliveLimit} s`;
      return { code: NOT_AUTHORIZED, reason, label: 'keep-alive' };
    }
    return undefined;
  }

  private authorizePublish(client: Client | null, packet: PublishPacket, cb: (err?: Error | null) => void): void {
    if (!client) {
      cb(null); // the hub's own publishes (commands)
      return;
    }
    if (this.closing) {
      cb(new Error('the hub is shutting down')); // e.g. last wills fired by our own close
      return;
    }
    if (this.closedByHub.has(client)) {
      cb(new Error('connection closed by the hub')); // its last will too: the device was removed or must sign in again, not lost
      return;
    }
    const deliver = this.route(client.id, packet);
    if ('refused' in deliver) {
      this.metrics.mqttRefusals.inc({ operation: 'publish', reason: 'acl' });
      this.refusals.refused('PUBLISH', client.id, 'acl', `refused publish: ${deliver.refused}`, { deviceId: client.id, topic: shortTopic(packet.topic) });
      // aedes disconnects a client whose publish is refused (MQTT 3.1.1 has no negative PUBACK).
      cb(new Error(deliver.refused));
      return;
    }
    const payload = packet.payload as Buffer;
    const submit = (): void => {
      if (packet.qos === 2 && packet.messageId !== undefined) {
        const resent = this.qos2.publish(client.id, packet.messageId, packet.dup, payload, deliver.to, (err) => cb(err));
        if (resent) this.log.debug({ deviceId: client.id, packetId: packet.messageId }, 'QoS 2 PUBLISH resent (DUP): answered without storing it again');
        return;
      }
      deliver.to((err) => cb(err));
    };
    this.limitPublish(client, packet, submit, cb);
  }

  /** Where a publish goes, by the topic ACL of its account (a device's, or a bridge's), or why it is refused. */
  private route(id: string, packet: PublishPacket): { readonly to: (done: (err: Error | null) => void) => void } | { readonly refused: string } {
    const receivedAt = this.hooks.now();
    const payload = packet.payload as Buffer;
    const bridges = this.hooks.bridges;
    if (bridges?.isBridge(id)) {
      const verdict = bridges.publishVerdict(id, packet.topic);
      if (!verdict.ok) return { refused: verdict.reason };
      return { to: (done) => bridges.handle(id, verdict, payload, receivedAt, done) };
    }
    const verdict = mayPublish(id, packet.topic);
    if (!verdict.ok) return { refused: verdict.reason };
    const raw = { deviceId: id, channel: verdict.channel, payload, receivedAt };
    return { to: (done) => this.hooks.submit(raw, done) };
  }

  /** The device's publish allowance: pass, drop (QoS 0), hold until a token (QoS 1, PUBACK waits) or cut off. */
  private limitPublish(client: Client, packet: PublishPacket, submit: () => void, cb: (err?: Error | null) => void): void {
    const verdict = this.limiter.admit(client.id, packet.qos, { owner: client, proceed: submit, refuse: (err) => cb(err) });
    if (verdict === 'pass') submit();
    else if (verdict === 'drop') {
      this.metrics.mqttDropped.inc({ device: client.id, reason: 'rate' });
      cb(null); // nothing is stored; aedes hands it to subscribers, and devices may not subscribe to events
    } else if (verdict === 'hold') {
      this.metrics.mqttDelayed.inc({ device: client.id });
      this.metrics.mqttHeld.set(this.limiter.heldCount);
    } else cb(new Error(`${client.id} disconnected for flooding`)); // aedes closes the connection
  }

  private authorizeSubscribe(client: Client | null, sub: Subscription, cb: (err: Error | null, sub: Subscription | null) => void): void {
    if (!client) {
      cb(null, sub);
      return;
    }
    const bridges = this.hooks.bridges;
    const verdict = bridges?.isBridge(client.id) ? bridges.subscribeVerdict(client.id, sub.topic) : maySubscribe(client.id, sub.topic);
    if (verdict.ok) {
      cb(null, sub);
      return;
    }
    this.metrics.mqttRefusals.inc({ operation: 'subscribe', reason: 'acl' });
    this.refusals.refused('SUBSCRIBE', client.id, 'acl', `refused subscribe: ${verdict.reason}`, { deviceId: client.id, topic: shortTopic(sub.topic) });
    cb(null, null); // SUBACK 0x80 for this filter; the connection stays up
  }

  /**
   * Close a device's connection because its registration changed (removed, a new
   * secret, another role): it must sign in again and is refused if it no longer
   * may. Its last will is not published — the device was not lost.
   */
  disconnect(deviceId: string, reason: string): boolean {
    // aedes keeps its connected clients by id (untyped): the one place we reach in.
    const client = (this.broker as unknown as { clients?: Record<string, Client | undefined> } | undefined)?.clients?.[deviceId];
    if (!client) return false;
    this.closedByHub.add(client);
    this.log.info({ deviceId, reason }, `closing the connection of ${deviceId}: ${reason}`);
    client.close();
    return true;
  }

  /** Send a command to a device (QoS 1). */
  publishCommand(deviceId: string, payload: Buffer | string): Promise<void> {
    return new Promise((resolvePromise, reject) => {
      this.broker!.publish(
        { cmd: 'publish', topic: commandTopic(deviceId), payload: Buffer.from(payload), qos: 1, retain: false, dup: false },
        (err) => (err ? reject(err) : resolvePromise()),
      );
    });
  }

  async stop(): Promise<void> {
    this.closing = true;
    this.limiter.stop();
    this.refusals.stop();
    for (const server of this.servers.splice(0)) server.close();
    const broker = this.broker;
    this.broker = undefined;
    if (broker) await new Promise<void>((r) => broker.close(() => r()));
    for (const socket of this.sockets) socket.destroy();
  }
}
