import type { Hit } from '../core/incidents/engine.ts';

/**
 * The external broker is every MQTT device's way in: losing it is a
 * campus-wide outage. A link down longer than `graceMs` raises one critical
 * incident (a blip while the broker restarts does not); /healthz warns while it
 * is down. The incident stays for a guard to resolve once the link is back.
 */
export class BrokerWatch {
  private downSince: number | undefined;
  private reason = '';
  private timer: NodeJS.Timeout | undefined;
  private raised = false;

  constructor(
    private readonly o: {
      readonly url: string;
      readonly graceMs: number;
      readonly now: () => number;
      readonly raise: (hit: Hit) => void;
    },
  ) {}

  changed(up: boolean, reason: string): void {
    if (up) {
      clearTimeout(this.timer);
      this.downSince = undefined;
      this.raised = false;
      return;
    }
    this.reason = reason;
    if (this.downSince !== undefined) return; // still the same outage: its clock keeps running
    this.downSince = this.o.now();
    this.timer = setTimeout(() => this.raise(), this.o.graceMs);
    this.timer.unref();
  }

  private raise(): void {
    if (this.downSince === undefined || this.raised) return;
    this.raised = true;
    const seconds = Math.round((this.o.now() - this.downSince) / 1000);
    this.o.raise({
      kind: 'broker_lost',
      severity: 'critical',
      zoneId: 'campus',
      title: `MQTT broker ${this.o.url} unreachable for ${seconds} s — no device message (panic buttons included) reaches the hub: check the broker and the network`,
      data: { url: this.o.url, reason: this.reason, downSince: new Date(this.downSince).toISOString() },
    });
  }

  warnings(): string[] {
    if (this.downSince === undefined) return [];
    return [`mqtt broker: not connected since ${new Date(this.downSince).toISOString()} (${this.reason}); no device message arrives`];
  }

  stop(): void {
    clearTimeout(this.timer);
    this.raised = true; // nothing more from a hub that is stopping
  }
}
