import mqtt from 'mqtt';
import type { MqttClient } from 'mqtt';
import type { SimDeviceSpec } from './config.ts';
import type { Log } from './log.ts';
import { MALFORMED, type Stats } from './stats.ts';
import { between, type Random } from './random.ts';
import { eventPayload, malformedPayload, OFFLINE, statusPayload, type EventData, type Malformer } from './payloads.ts';

/**
 * One simulated device: its own MQTT client, as the real thing would have
 * (DESIGN.md "MQTT contract"): username = client id = device id, password =
 * secret, persistent session, keep-alive 30 s, retained last will "offline".
 */

export interface DeviceContext {
  readonly url: string;
  readonly rng: Random;
  readonly stats: Stats;
  readonly log: Log;
  readonly malformer: Malformer;
}

/** How the first connection attempt ended. */
export type FirstOutcome = 'connected' | 'refused' | 'unreachable';

const HEARTBEAT_MS = 60_000;
const REFUSED_RETRY_MS = 30_000;
const MIN_BACKOFF_MS = 2_000;
const MAX_BACKOFF_MS = 30_000;
const STOP_TIMEOUT_MS = 3_000;

// MQTT 3.1.1 §3.2.2.3 CONNACK return codes.
const CONNACK_REASONS: Readonly<Record<number, string>> = {
  1: 'unacceptable protocol version',
  2: 'identifier rejected',
  3: 'server unavailable',
  4: 'bad username or password',
  5: 'not authorized',
};

export class SimDevice {
  readonly id: string;
  private client: MqttClient | undefined;
  private readonly incomingStore = new mqtt.Store();
  private readonly outgoingStore = new mqtt.Store();
  private seq = 0;
  private battery: number;
  private connectedOnce = false;
  private lost = false;
  private refusedNow = false;
  private unreachableLogged = false;
  private lastError: string | undefined;
  private silenced = false;
  private stopping = false;
  private backoff = MIN_BACKOFF_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private heartbeatTimer: NodeJS.Timeout | undefined;
  private settle: ((outcome: FirstOutcome) => void) | undefined;

  constructor(
    readonly spec: SimDeviceSpec,
    private readonly wrongPassword: boolean,
    private readonly ctx: DeviceContext,
  ) {
    this.id = spec.id;
    this.battery = Math.round(between(ctx.rng, 70, 100));
  }

  /** Connected, not silenced, not shutting down: it may publish. */
  get ready(): boolean {
    return this.client?.connected === true && !this.silenced && !this.stopping;
  }

  get online(): boolean {
    return this.client?.connected === true && !this.silenced;
  }

  private topic(channel: 'events' | 'status' | 'commands'): string {
    return `devices/${this.id}/${channel}`;
  }

  start(): Promise<FirstOutcome> {
    const first = new Promise<FirstOutcome>((resolve) => {
      this.settle = resolve;
    });
    const client = mqtt.connect(this.ctx.url, {
      clientId: this.id,
      username: this.id,
      password: this.wrongPassword ? `${this.spec.secret}-wrong` : this.spec.secret,
      clean: false,
      keepalive: 30,
      reconnectPeriod: 0, // reconnection is ours: 30 s after a refusal, backoff otherwise
      connectTimeout: 10_000,
      incomingStore: this.incomingStore,
      outgoingStore: this.outgoingStore,
      will: { topic: this.topic('status'), payload: Buffer.from(OFFLINE), qos: 1, retain: true },
    });
    client.on('connect', () => this.onConnect());
    client.on('error', (err) => this.onError(err));
    client.on('close', () => this.onClose());
    client.on('message', (topic, payload) => {
      this.ctx.stats.commands++;
      this.ctx.log.info(`${this.id} received a command on ${topic}: ${payload.toString('utf8').slice(0, 200)}`);
    });
    this.client = client;
    return first;
  }

  private firstOutcome(outcome: FirstOutcome): void {
    this.settle?.(outcome);
    this.settle = undefined;
  }

  private onConnect(): void {
    const client = this.client;
    if (!client) return;
    if (this.lost) this.ctx.log.info(`${this.id} reconnected`);
    this.connectedOnce = true;
    this.lost = false;
    this.unreachableLogged = false;
    this.backoff = MIN_BACKOFF_MS;
    client.subscribe(this.topic('commands'), { qos: 1 }, (err, granted) => {
      if (err) this.ctx.log.error(`${this.id} cannot subscribe to its commands: ${err.message}`);
      else if (granted?.some((g) => g.qos === 128)) this.ctx.log.error(`${this.id}: the broker refused the subscription to ${this.topic('commands')}`);
    });
    this.publishStatus();
    if (!this.heartbeatTimer) this.heartbeatTimer = setInterval(() => this.publishStatus(), HEARTBEAT_MS);
    this.firstOutcome('connected');
  }

  private onError(err: Error & { code?: unknown }): void {
    if (this.stopping || this.silenced) return;
    if (typeof err.code === 'number' && err.message.startsWith('Connection refused')) {
      this.refusedNow = true;
      this.ctx.stats.refusedConnects++;
      const reason = CONNACK_REASONS[err.code] ?? `return code ${err.code}`;
      this.ctx.log.info(`${this.id} connect refused by the broker: ${reason} (code ${err.code}); retrying in ${REFUSED_RETRY_MS / 1000} s`);
      this.firstOutcome('refused');
      return;
    }
    if (!this.connectedOnce || this.lost) {
      if (!this.unreachableLogged) this.ctx.log.error(`${this.id} cannot reach ${this.ctx.url}: ${err.message}; retrying`);
      this.unreachableLogged = true;
      this.firstOutcome('unreachable');
      return;
    }
    // A connected device's socket failing: the "lost its connection" line on close says why.
    this.lastError = err.message;
  }

  private onClose(): void {
    if (this.stopping || this.silenced || this.retryTimer) return;
    if (this.connectedOnce && !this.lost) {
      this.lost = true;
      this.ctx.log.info(`${this.id} lost its connection${this.lastError ? ` (${this.lastError})` : ''}; reconnecting`);
    }
    this.lastError = undefined;
    let delay: number;
    if (this.refusedNow) {
      delay = REFUSED_RETRY_MS;
    } else {
      delay = this.backoff;
      this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
    }
    this.refusedNow = false;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      // Keep the stores: unacknowledged QoS 1 events are sent again after reconnecting.
      this.client?.reconnect({ incomingStore: this.incomingStore, outgoingStore: this.outgoingStore });
    }, delay);
  }

  private publishStatus(): void {
    const client = this.client;
    if (!client || !this.ready) return;
    this.battery = Math.max(5, this.battery - (this.ctx.rng() < 0.3 ? 1 : 0));
    const rssi = Math.round(between(this.ctx.rng, -82, -48));
    this.ctx.stats.statusSent++;
    client.publish(this.topic('status'), statusPayload(this.battery, rssi), { qos: 1, retain: true }, (err) => {
      if (err && !this.stopping && !this.silenced) this.ctx.log.error(`${this.id} status not acknowledged: ${err.message}`);
    });
  }

  /** Publish one event at QoS 1 (or its malformed variant). False when the device cannot publish now. */
  send(kind: string, data: EventData = {}): boolean {
    const client = this.client;
    if (!client || !this.ready) return false;
    const ts = Date.now();
    const seq = this.seq++;
    const variant = this.ctx.malformer.next();
    const label = variant ? MALFORMED : kind;
    const payload = variant ? malformedPayload(variant, kind, ts, seq, data) : eventPayload(kind, ts, seq, data);
    if (variant) this.ctx.log.info(`${this.id} sent ${kind} malformed (${variant}): ${payload}`);
    this.ctx.stats.eventSent(label);
    client.publish(this.topic('events'), payload, { qos: 1 }, (err) => {
      if (!err) this.ctx.stats.eventAcked(label);
      else {
        this.ctx.stats.failed++;
        if (!this.silenced) this.ctx.log.error(`${this.id} ${kind} seq ${seq} not acknowledged: ${err.message}`);
      }
    });
    return true;
  }

  /** Stop publishing and drop the connection without DISCONNECT, so the broker publishes the last will. */
  silence(): void {
    if (this.silenced || this.stopping) return;
    this.silenced = true;
    this.clearTimers();
    this.ctx.log.info(`${this.id} goes silent: connection dropped without DISCONNECT (the broker should publish its last will)`);
    this.client?.end(true);
  }

  private clearTimers(): void {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
    this.retryTimer = undefined;
    this.heartbeatTimer = undefined;
  }

  /** Shut down as a device being switched off: retained "offline", then a clean DISCONNECT. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    const wasOnline = this.online;
    this.stopping = true;
    this.clearTimers();
    this.firstOutcome('unreachable');
    const client = this.client;
    if (!client || this.silenced) return;
    if (!wasOnline) {
      client.end(true);
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        client.end(true);
        resolve();
      }, STOP_TIMEOUT_MS);
      client.publish(this.topic('status'), OFFLINE, { qos: 1, retain: true }, () => {
        client.end(false, () => {
          clearTimeout(timer);
          resolve();
        });
      });
    });
  }
}
