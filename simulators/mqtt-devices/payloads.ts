import type { Random } from './random.ts';

/**
 * What goes on the wire (DESIGN.md "generic MQTT device payload" contract):
 *   events: { "kind": "alarm.panic", "ts": <epoch ms>, "seq": 17, "data": { … } }
 *   status: { "online": true, "battery": 87, "rssi": -61 }, or "offline" (last will, shutdown)
 * and, for --malformed-rate, the broken payloads real devices send by mistake.
 */
export type EventData = Readonly<Record<string, string | number | boolean>>;

export function eventPayload(kind: string, ts: number, seq: number, data: EventData): string {
  return JSON.stringify({ kind, ts, seq, data });
}

export function statusPayload(battery: number, rssi: number): string {
  return JSON.stringify({ online: true, battery, rssi });
}

export const OFFLINE = 'offline';

const VARIANTS = ['not JSON', 'unknown kind', 'ts in seconds'] as const;
export type MalformedVariant = (typeof VARIANTS)[number];

/** Decides which publishes go out malformed (fraction `rate`), rotating through the variants. */
export class Malformer {
  private turn = 0;

  constructor(
    private readonly rate: number,
    private readonly rng: Random,
  ) {}

  next(): MalformedVariant | undefined {
    if (this.rate <= 0 || this.rng() >= this.rate) return undefined;
    const variant = VARIANTS[this.turn % VARIANTS.length];
    this.turn++;
    return variant;
  }
}

export function malformedPayload(variant: MalformedVariant, kind: string, ts: number, seq: number, data: EventData): string {
  switch (variant) {
    case 'not JSON':
      // a firmware bug that cut the message short
      return eventPayload(kind, ts, seq, data).slice(0, 24);
    case 'unknown kind':
      return eventPayload(`${kind.split('.')[0] ?? 'alarm'}.fire`, ts, seq, data);
    case 'ts in seconds':
      return eventPayload(kind, Math.floor(ts / 1000), seq, data);
  }
}
