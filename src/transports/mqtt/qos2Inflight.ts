type Done = (err: Error | null) => void;

interface Entry {
  readonly payload: Buffer;
  /** Set once the first copy's commit has answered. */
  settled: boolean;
  /** PUBREL seen before the commit answered: forget the entry when it does. */
  released: boolean;
  readonly waiters: Done[];
}

/**
 * QoS 2 "exactly once" on the way in (MQTT 3.1.1 §4.3.3). A sender that sees no
 * PUBREC resends the PUBLISH with DUP set and the same packet id, and the
 * receiver must not deliver it twice [MQTT-4.3.3-2]. aedes checks for that only
 * after `authorizePublish` — where Gatehouse commits — so each device's in-flight
 * QoS 2 packet ids are tracked here, from the first PUBLISH until its PUBREL:
 * a resend (DUP set, same id, same bytes) is not committed again but answered
 * with the first copy's outcome, waiting for it if it is still committing, so
 * PUBREC still follows the commit. Keyed by device id, not connection, so a
 * resend after a reconnect (persistent session) is caught too. A PUBLISH without
 * DUP is a new message even if it reuses an id; a DUP whose bytes differ is one
 * as well (a firmware that sets DUP wrongly must not lose an alarm).
 */
export class Qos2Inflight {
  private readonly devices = new Map<string, Map<number, Entry>>();

  /** `perDevice`: ids remembered per device; beyond it the oldest go (a resend of one of those is stored again). */
  constructor(private readonly perDevice = 256) {}

  /**
   * A QoS 2 PUBLISH: `commit` it unless it is a resend of one in flight; `done`
   * gets the (first copy's) outcome either way. Returns true for a resend.
   */
  publish(deviceId: string, packetId: number, dup: boolean, payload: Buffer, commit: (done: Done) => void, done: Done): boolean {
    let entries = this.devices.get(deviceId);
    const known = entries?.get(packetId);
    if (dup && known && known.payload.equals(payload)) {
      if (known.settled) done(null); // a failed commit forgets its entry, so this one succeeded
      else known.waiters.push(done);
      return true;
    }
    if (!entries) {
      entries = new Map();
      this.devices.set(deviceId, entries);
    }
    entries.delete(packetId); // re-inserted last: the Map's order is the eviction order
    if (entries.size >= this.perDevice) entries.delete(entries.keys().next().value!);
    const entry: Entry = { payload, settled: false, released: false, waiters: [] };
    entries.set(packetId, entry);
    commit((err) => {
      entry.settled = true;
      // a failed commit closes the connection: the device's resend must be stored
      if ((err || entry.released) && entries.get(packetId) === entry) entries.delete(packetId);
      done(err);
      for (const w of entry.waiters) w(err);
    });
    return false;
  }

  /** PUBREL from the device: the id is free for a new message. */
  release(deviceId: string, packetId: number): void {
    const entries = this.devices.get(deviceId);
    const entry = entries?.get(packetId);
    if (!entry) return;
    if (entry.settled) entries!.delete(packetId);
    else entry.released = true;
  }

  /** Ids held for one device (for tests and metrics). */
  size(deviceId: string): number {
    return this.devices.get(deviceId)?.size ?? 0;
  }
}
