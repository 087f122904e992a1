import type { GatehouseConfig } from '../config/types.ts';
import type { Transport, TransportContext } from './transport.ts';

/**
 * The transports besides the embedded MQTT broker, built from the config. Each
 * protocol adds its builder here (serial ports, ONVIF cameras).
 */
export async function buildTransports(config: GatehouseConfig, ctx: TransportContext): Promise<Transport[]> {
  // Loaded only when the campus has such devices: serialport, onvif and their
  // XML/HTTP stacks cost memory a hub without them should not pay.
  const out: Transport[] = [];
  if (config.devices.some((d) => d.serial)) {
    const { buildSerialTransport } = await import('./serial/serialTransport.ts');
    out.push(...buildSerialTransport(config, ctx));
  }
  if (config.devices.some((d) => d.onvif)) {
    const { onvifTransport } = await import('./onvif/index.ts');
    const cameras = onvifTransport(config.devices, ctx);
    if (cameras) out.push(cameras);
  }
  return out;
}
