import { connect, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import type { RawMessage } from '../../core/device.ts';
import type { ExternalMqttConfig } from '../../config/types.ts';
import type { Logger } from '../../observability/logger.ts';
import type { Metrics } from '../../observability/metrics.ts';
import { commandTopic } from './topics.ts';
import type { MqttDoor } from './door.ts';

/**
 * The hub as the durable consumer of an external broker (mosquitto, EMQX):
 * DESIGN.md "External MQTT broker" contract. One MQTT 5 connection with a
 * persistent session (clean start off, a week's session expiry) subscribed to
 * devices/+/events and devices/+/status at QoS 1, so what devices publish
 * while the hub is stopped or killed waits in the broker.
 *
 * Each message is acknowledged only after it is committed. MQTT.js sends the
 * PUBACK when handleMessage calls back and reads no further packet until then —
 * one commit per message. Instead handleMessage hands the message to the
 * store and tells MQTT.js it was not handled (so it sends nothing and reads on);
 * the PUBACK goes out when the commit's callback runs. Commits are in arrival
 * order, so PUBACKs are too (MQTT 5 §4.6). A message whose commit failed is never
 * acknowledged: the connection is dropped so that the broker delivers it again
 * (the store drops the copy it already has: events are unique per device, seq, ts).
 */

/** How long the broker keeps the hub's session (and what devices publish meanwhile) while the hub is away. */
export const SESSION_EXPIRY_S = 7 * 24 * 3600;
/** How many unacknowledged messages the broker may have in flight to the hub (a commit batch's worth). */
const RECEIVE_MAXIMUM = 1000;
const RECONNECT_MS = 2000;

export interface BrokerClientHooks {
  /** Hand a device's message over; `done` runs once it is committed (or at once when rejected). */
  submit(raw: RawMessage, done: (err: Error | null) => void): void;
  now(): number;
  /** The link came up or went down; `reason` says why it went down. */
  linkChanged(up: boolean, reason: string): void;
  /** The hub is stopping the link (an outage timer must not fire into a closed store). */
  stopped?(): void;
}

export interface BrokerLinkStatus {
  readonly url: string;
  readonly clientId: string;
  readonly connected: boolean;
  /** Since when it is in its present state (epoch ms). */
  readonly since: number;
  readonly lastError?: string | undefined;
  /** Messages received and not yet committed (their PUBACK waits). */
  readonly awaitingCommit: number;
}

/** Thrown by start() when the broker refuses the hub's account: a config error, not an outage. */
export class BrokerSignInError extends Error {}

const NOT_HANDLED_HERE = new Error('acknowledged after the commit'); // see the class comment

export class BrokerClient implements MqttDoor {
  readonly port = 0;
  readonly tlsPort = 0;
  private client: MqttClient | undefined;
  private connected = false;
  private since = 0;
  private lastError: string | undefined;
  private generation = 0;
  private pending = 0;
  private everConnected = false;
  private stopping = false;

  constructor(
    private readonly config: ExternalMqttConfig,
    private readonly hooks: BrokerClientHooks,
    private readonly metrics: Metrics,
    private readonly log: Logger,
  ) {}

  /** The url as shown: never with credentials (the config refuses them in the url anyway). */
  get url(): string {
    return this.config.url.replace(/\/\/[^@/]*@/, '//');
  }

  status(): BrokerLinkStatus {
    return { url: this.url, clientId: this.config.clientId, connected: this.connected, since: this.since, lastError: this.lastError, awaitingCommit: this.pending };
  }

  /**
   * Connect. Resolves once connected, or once the first attempt failed for a reason
   * the broker may get over (not running yet, unreachable: the hub retries every 2 s
   * and /healthz says so); rejects when the broker refuses the hub's credentials.
   */
  start(): Promise<void> {
    this.since = this.hooks.now();
    const c = this.config;
    const options: IClientOptions = {
      protocolVersion: 5,
      clientId: c.clientId,
      clean: false,
      properties: { sessionExpiryInterval: SESSION_EXPIRY_S, receiveMaximum: RECEIVE_MAXIMUM, maximumPacketSize: c.maxPacketBytes },
      reconnectPeriod: RECONNECT_MS,
      connectTimeout: 10_000,
      keepalive: 30,
      resubscribe: false, // the session keeps the subscriptions; on('connect') renews them anyway
      ...(c.username !== undefined ? { username: c.username } : {}),
      ...(c.password !== undefined ? { password: c.password } : {}),
      ...(c.ca !== undefined ? { ca: c.ca } : {}),
      ...(c.cert !== undefined && c.key !== undefined ? { cert: c.cert, key: c.key } : {}),
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    } as IClientOptions;
    const client = connect(c.url, options);
    this.client = client;
    client.handleMessage = (packet, callback) => this.receive(packet, callback);
    return new Promise((resolve, reject) => {
      let settled = false;
      const settle = (err?: Error): void => {
        if (settled) return;
        settled = true;
        if (err) reject(err);
        else resolve();
      };
      client.on('connect', (connack) => {
        this.generation++;
        if (this.everConnected) this.metrics.brokerReconnects.inc();
        this.everConnected = true;
        this.setState(true, '');
        this.log.info({ url: this.url, clientId: c.clientId, sessionPresent: connack.sessionPresent }, `connected to the MQTT broker at ${this.url}${connack.sessionPresent ? ' (session resumed: what arrived meanwhile follows)' : ' (new session)'}`);
        client.subscribe(['devices/+/events', 'devices/+/status'], { qos: 1 }, (err, granted) => {
          const refused = granted?.filter((g) => g.qos > 2) ?? [];
          if (err || refused.length > 0) {
            const why = err?.message ?? `refused ${refused.map((g) => g.topic).join(', ')} (the broker's ACL must let ${c.username ?? 'the hub'} read devices/+/events and devices/+/status)`;
            this.log.error({ url: this.url }, `MQTT broker subscription failed: ${why}`);
            this.lastError = `subscription failed: ${why}`;
          }
        });
        settle();
      });
      client.on('error', (err: Error & { code?: number | string }) => {
        const refusedSignIn = typeof err.code === 'number' && [4, 5, 134, 135, 138].includes(err.code);
        const reason = refusedSignIn ? `the broker refused the hub's account (mqtt.username / mqtt.password): ${err.message}` : err.message;
        if (reason !== this.lastError) this.log.error({ url: this.url, code: err.code }, `MQTT broker at ${this.url}: ${reason}`);
        this.lastError = reason;
        if (!settled && refusedSignIn) {
          client.end(true);
          settle(new BrokerSignInError(`cannot sign in to the MQTT broker at ${this.url}: ${reason}`));
        }
      });
      client.on('close', () => {
        if (this.connected) this.setState(false, this.lastError ?? 'connection closed');
        if (!settled && !this.stopping) {
          this.log.warn({ url: this.url }, `the MQTT broker at ${this.url} is not reachable (${this.lastError ?? 'connection closed'}); retrying every ${RECONNECT_MS / 1000} s`);
          settle();
        }
      });
    });
  }

  private setState(up: boolean, reason: string): void {
    this.connected = up;
    this.since = this.hooks.now();
    this.metrics.brokerLinkUp.set(up ? 1 : 0);
    if (!up && !this.stopping) this.log.error({ url: this.url, reason }, `lost the MQTT broker at ${this.url}: ${reason}; no device message arrives until it is back`);
    if (!this.stopping) this.hooks.linkChanged(up, reason);
  }

  private receive(packet: IPublishPacket, callback: (err?: Error) => void): void {
    const parts = packet.topic.split('/');
    const channel = parts[2];
    if (parts.length !== 3 || parts[0] !== 'devices' || !parts[1] || (channel !== 'events' && channel !== 'status')) {
      // The broker's ACL should never let this through; take it off the broker's hands, counted.
      this.metrics.brokerMessages.inc({ outcome: 'bad topic' });
      this.log.warn({ topic: packet.topic.slice(0, 80) }, 'message from the broker on a topic outside devices/{id}/events|status: dropped');
      callback();
      return;
    }
    const payload = typeof packet.payload === 'string' ? Buffer.from(packet.payload) : packet.payload;
    const raw: RawMessage = { deviceId: parts[1], channel, payload, receivedAt: this.hooks.now() };
    if (packet.qos === 0 || packet.messageId === undefined) {
      this.hooks.submit(raw, () => undefined);
      callback();
      return;
    }
    const generation = this.generation;
    const messageId = packet.messageId;
    this.pending++;
    this.hooks.submit(raw, (err) => {
      this.pending--;
      const client = this.client;
      if (err) {
        this.metrics.brokerMessages.inc({ outcome: 'not committed' });
        this.log.error({ err, deviceId: raw.deviceId }, 'a message from the broker could not be committed: not acknowledged; reconnecting so the broker sends it again');
        if (client && generation === this.generation && !this.stopping) client.stream.destroy();
        return;
      }
      this.metrics.brokerMessages.inc({ outcome: 'committed' });
      // A PUBACK belongs to the connection the message came on; after a reconnect the broker sends it again (stored once).
      if (client && generation === this.generation && this.connected) {
        (client as unknown as { _sendPacket(p: object): void })._sendPacket({ cmd: 'puback', messageId, reasonCode: 0 });
      }
    });
    callback(NOT_HANDLED_HERE);
  }

  /** The broker owns device connections: the hub cannot close one (remove the device from the broker's password file). */
  disconnect(): boolean {
    return false;
  }

  flooding(): undefined {
    return undefined;
  }

  async publishCommand(deviceId: string, payload: Buffer | string): Promise<void> {
    const client = this.client;
    if (!client?.connected) throw new Error(`the MQTT broker at ${this.url} is not connected`);
    await client.publishAsync(commandTopic(deviceId), Buffer.from(payload), { qos: 1 });
  }

  /** Let what was received commit (and be acknowledged), then leave; the session stays on the broker. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.hooks.stopped?.();
    const deadline = Date.now() + 2000;
    while (this.pending > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const client = this.client;
    this.client = undefined;
    this.metrics.brokerLinkUp.set(0);
    if (client) await client.endAsync(false).catch(() => client.end(true));
  }
}
