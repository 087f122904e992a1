import type { GatehouseConfig } from '../config/types.ts';
import type { Transport, TransportContext } from './transport.ts';
import { buildSerialTransport } from './serial/serialTransport.ts';
import { onvifTransport } from './onvif/index.ts';

/**
 * The transports besides the embedded MQTT broker, built from the config. Each
 * protocol adds its builder here (serial ports, ONVIF cameras).
 */
export function buildTransports(config: GatehouseConfig, ctx: TransportContext): Transport[] {
  const cameras = onvifTransport(config.devices, ctx);
  return [...buildSerialTransport(config, ctx), ...(cameras ? [cameras] : [])];
}
