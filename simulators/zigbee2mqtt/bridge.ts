import mqtt, { type MqttClient } from 'mqtt';

/**
 * A simulated Zigbee2MQTT instance: its MQTT side only (the real one needs a
 * radio). It behaves as Zigbee2MQTT's lib/mqtt.ts does: a last will
 * `{base}/bridge/state` offline (retained, QoS 1), `online` published retained at
 * connect, a subscription to `{base}/#`, the retained `bridge/info` and
 * `bridge/devices`; then each device's state as JSON on `{base}/{friendlyName}`,
 * with the cached state (contact, tamper, battery_low) repeated in every message
 * as Zigbee2MQTT's default `cache_state: true` does, and `linkquality`/`battery`.
 * Payload shapes are zigbee-herdsman-converters' (see the zigbee-sos and zigbee-contact profiles under devices/).
 * It imports nothing from the hub.
 */

export interface SimZigbeeDevice {
  readonly friendlyName: string;
  readonly ieeeAddress: string;
  readonly kind: 'sos' | 'contact';
  /** As herdsman's definition names it, e.g. TS0215A_sos / Tuya, D1-EFA / Heiman. */
  readonly model: string;
  readonly vendor: string;
}

export interface SimBridgeOptions {
  readonly url: string;
  readonly username: string;
  readonly password: string;
  readonly baseTopic?: string;
  /** Zigbee2MQTT's `mqtt.client_id`; unset, MQTT.js picks `mqttjs_…` as it does for the real one. */
  readonly clientId?: string;
  /** bridge/state as text (1.x before 1.29) or JSON (later). */
  readonly stateShape?: 'text' | 'json';
  readonly devices: readonly SimZigbeeDevice[];
}

export class SimZigbee2Mqtt {
  private client: MqttClient | undefined;
  private readonly base: string;
  /** What each device last reported (cache_state). */
  private readonly cache = new Map<string, Record<string, unknown>>();

  constructor(private readonly options: SimBridgeOptions) {
    this.base = options.baseTopic ?? 'zigbee2mqtt';
    for (const d of options.devices) {
      this.cache.set(d.friendlyName, d.kind === 'contact' ? { contact: true, tamper: false, battery_low: false, battery: 100, voltage: 3000 } : { battery: 100, voltage: 3000 });
    }
  }

  private stateMessage(state: 'online' | 'offline'): string {
    return this.options.stateShape === 'text' ? state : JSON.stringify({ state });
  }

  /** Connect, say online, subscribe and publish the retained bridge topics; rejects when refused. */
  async start(): Promise<void> {
    const client = await mqtt.connectAsync(this.options.url, {
      username: this.options.username,
      password: this.options.password,
      ...(this.options.clientId ? { clientId: this.options.clientId } : {}),
      protocolVersion: 4,
      reconnectPeriod: 0,
      connectTimeout: 5000,
      will: { topic: `${this.base}/bridge/state`, payload: Buffer.from(this.stateMessage('offline')), retain: true, qos: 1 },
    });
    this.client = client;
    await client.publishAsync(`${this.base}/bridge/state`, this.stateMessage('online'), { retain: true, qos: 1 });
    await client.subscribeAsync(`${this.base}/#`);
    await client.publishAsync(`${this.base}/bridge/info`, JSON.stringify({ version: '2.6.0', coordinator: { type: 'zStack3x0' }, permit_join: false }), { retain: true });
    await client.publishAsync(`${this.base}/bridge/devices`, JSON.stringify(this.deviceList()), { retain: true, qos: 1 });
  }

  /** `bridge/devices` as Zigbee2MQTT publishes it (abridged: no exposes), coordinator first. */
  deviceList(): unknown[] {
    return [
      { ieee_address: '0x00124b0029fe0000', type: 'Coordinator', network_address: 0, supported: false, friendly_name: 'Coordinator', definition: null },
      ...this.options.devices.map((d, i) => ({
        ieee_address: d.ieeeAddress,
        type: 'EndDevice',
        network_address: 1000 + i,
        supported: true,
        friendly_name: d.friendlyName,
        power_source: 'Battery',
        interview_completed: true,
        definition: { model: d.model, vendor: d.vendor, description: d.kind === 'sos' ? 'SOS button' : 'Door sensor', exposes: [] },
      })),
    ];
  }

  private async report(friendlyName: string, change: Record<string, unknown>, transient: Record<string, unknown> = {}): Promise<void> {
    const cached = { ...this.cache.get(friendlyName), ...change };
    this.cache.set(friendlyName, cached);
    const linkquality = 60 + Math.floor(Math.random() * 150);
    await this.publishRaw(`${this.base}/${friendlyName}`, JSON.stringify({ ...cached, ...transient, linkquality }));
  }

  /** An SOS press (herdsman's command_emergency): `action` is not cached. */
  press(friendlyName: string, action = 'emergency'): Promise<void> {
    return this.report(friendlyName, {}, { action });
  }

  /** The IAS zone's SOS bit (ias_sos_alarm_2). */
  sosBit(friendlyName: string, on: boolean): Promise<void> {
    return this.report(friendlyName, { sos: on, tamper: false, battery_low: false });
  }

  /** A contact: open means `contact: false` (the magnet is away). */
  door(friendlyName: string, open: boolean): Promise<void> {
    return this.report(friendlyName, { contact: !open });
  }

  tamper(friendlyName: string, on: boolean): Promise<void> {
    return this.report(friendlyName, { tamper: on });
  }

  battery(friendlyName: string, percent: number): Promise<void> {
    return this.report(friendlyName, { battery: percent, battery_low: percent < 10 });
  }

  /** Fault switch: any topic, any payload (outside the base topic, an unpaired name…). */
  async publishRaw(topic: string, payload: string, retain = false): Promise<void> {
    await this.client!.publishAsync(topic, payload, { qos: 1, retain });
  }

  /** A clean stop, as Zigbee2MQTT's disconnect(): offline published retained, then DISCONNECT. */
  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (!client) return;
    if (client.connected) await client.publishAsync(`${this.base}/bridge/state`, this.stateMessage('offline'), { retain: true, qos: 1 });
    await client.endAsync();
  }

  /** Power cut or crash: the socket dies without DISCONNECT, so the broker publishes the last will. */
  crash(): void {
    const client = this.client;
    this.client = undefined;
    client?.stream.destroy();
    client?.end(true);
  }

  get connected(): boolean {
    return this.client?.connected === true;
  }

  /** Wait until the broker closes the connection (after a refused publish, say). */
  closed(): Promise<void> {
    const client = this.client;
    if (!client || client.disconnected || !client.connected) return Promise.resolve();
    return new Promise((resolve) => client.once('close', () => resolve()));
  }
}
