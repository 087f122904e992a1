import type { FloodingView } from './publishLimiter.ts';

/**
 * Where MQTT devices come in: the embedded broker (broker.ts) or the hub's
 * link to an external one (brokerClient.ts). The hub starts, stops and
 * commands devices through this, whichever it is.
 */
export interface MqttDoor {
  /** The embedded broker's plain and TLS listener ports; 0 when off (always 0 with an external broker). */
  readonly port: number;
  readonly tlsPort: number;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** What the devices API shows of a device over its publish allowance (the embedded broker's flood control). */
  flooding(deviceId: string): FloodingView | undefined;
  /** Close a device's connection (removed, new secret); false when it has none here. */
  disconnect(deviceId: string, reason: string): boolean;
  /** Send a command to a device (QoS 1 on devices/{id}/commands). */
  publishCommand(deviceId: string, payload: Buffer | string): Promise<void>;
}
