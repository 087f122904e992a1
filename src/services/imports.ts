import { auditEntry } from '../core/audit.ts';
import type { AnyProfile } from '../core/device.ts';
import type { Actor } from '../core/actor.ts';
import { GatehouseError } from '../core/errors.ts';
import type { DeviceConfig } from '../config/schema.ts';
import { generateDeviceSecret, hashDeviceSecret } from '../auth/deviceSecrets.ts';
import type { AuditLog } from '../store/audit.ts';
import type { ManagedCardStore } from '../store/managedCards.ts';
import type { ManagedDeviceStore } from '../store/managedDevices.ts';
import type { LiveConfig } from './liveConfig.ts';
import { cardsFromRows, devicesFromRows, type RowProblem } from './tableRows.ts';

export interface CardImportResult {
  readonly rows: number;
  readonly added: number;
  readonly updated: number;
  readonly unchanged: number;
  /** Imported cards dropped because `replace` was asked and the file no longer lists them. */
  readonly removed: number;
  readonly skipped: readonly RowProblem[];
}

export interface DeviceImportResult {
  readonly rows: number;
  /** The new devices with their secrets: shown this once. */
  readonly created: readonly { readonly id: string; readonly secret: string }[];
  readonly skipped: readonly RowProblem[];
}

/** How many skipped rows an answer lists (the count is always whole). */
const MAX_LISTED = 200;
/** Devices one import may add (a card export is large; a device list is not). */
export const MAX_IMPORTED_DEVICES = 5_000;

/**
 * Cards and devices from a school's own exports (CSV or XLSX): the rows are
 * read in a child process, checked, and applied as one change of the live
 * config — all the good rows at once, every bad one named with its row number.
 */
export class Imports {
  constructor(
    private readonly deps: {
      readonly live: LiveConfig;
      readonly devices: ManagedDeviceStore;
      readonly cards: ManagedCardStore;
      readonly profiles: ReadonlyMap<string, AnyProfile>;
      readonly audit: AuditLog;
      readonly now: () => number;
      readonly readTable: (bytes: Buffer) => Promise<string[][]>;
    },
  ) {}

  async cards(file: Buffer, replace: boolean, by: Actor): Promise<CardImportResult> {
    const rows = await this.read(file);
    const pinned = new Set(this.deps.live.fileCards().map((c) => c.card));
    const { cards, skipped } = cardsFromRows(rows, pinned);
    const before = new Map(this.deps.cards.list().map((c) => [c.card, c.name]));
    let added = 0;
    let updated = 0;
    for (const c of cards) {
      const was = before.get(c.card);
      if (was === undefined) added++;
      else if (was !== c.name) updated++;
    }
    const listed = new Set(cards.map((c) => c.card));
    const removed = replace ? [...before.keys()].filter((card) => !listed.has(card)).length : 0;
    const at = this.deps.now();
    const outcome = await this.deps.live.changeManaged(
      (now) => ({ cards: replace ? cards : mergeCards(now.cards, cards) }),
      () => this.deps.cards.apply(cards, replace, at, by.username),
    );
    if (!outcome.ok) throw new GatehouseError('GH_IMPORT_INVALID', outcome.errors[0], undefined, outcome.errors.slice(0, MAX_LISTED));
    const result = { rows: rows.length, added, updated, unchanged: cards.length - added - updated, removed, skipped: skipped.slice(0, MAX_LISTED) };
    this.deps.audit.append(auditEntry(by, 'cards.import', { type: 'cards' }, 'ok', { added, updated, removed, skipped: skipped.length, replace }), at);
    return result;
  }

  async devices(file: Buffer, by: Actor): Promise<DeviceImportResult> {
    const rows = await this.read(file);
    const config = this.deps.live.current;
    const mqttProfiles = new Set([...this.deps.profiles.values()].filter((p) => p.transport === 'mqtt').map((p) => p.id));
    const { devices: wanted, skipped } = devicesFromRows(rows, { ids: new Set(config.devices.map((d) => d.id)), zones: new Set(config.zones.map((z) => z.id)), mqttProfiles });
    if (wanted.length > MAX_IMPORTED_DEVICES) throw new GatehouseError('GH_IMPORT_INVALID', `${wanted.length} devices in one file; at most ${MAX_IMPORTED_DEVICES}`);
    const created: { id: string; secret: string }[] = [];
    const entries: DeviceConfig[] = wanted.map((d) => {
      const secret = generateDeviceSecret();
      created.push({ id: d.id, secret });
      return { id: d.id, profile: d.profile, zone: d.zoneId, ...(d.name ? { name: d.name } : {}), ...(d.role ? { role: d.role } : {}), secretHash: hashDeviceSecret(secret) };
    });
    const at = this.deps.now();
    if (entries.length > 0) {
      const outcome = await this.deps.live.changeManaged(
        (now) => ({ devices: [...now.devices, ...entries] }),
        () => this.deps.devices.createMany(entries, at, by.username),
      );
      if (!outcome.ok) throw new GatehouseError('GH_IMPORT_INVALID', outcome.errors[0], undefined, outcome.errors.slice(0, MAX_LISTED));
    }
    this.deps.audit.append(auditEntry(by, 'devices.import', { type: 'device' }, 'ok', { created: created.map((c) => c.id).slice(0, 1000), skipped: skipped.length }), at);
    return { rows: rows.length, created, skipped: skipped.slice(0, MAX_LISTED) };
  }

  private async read(file: Buffer): Promise<string[][]> {
    if (file.length === 0) throw new GatehouseError('GH_IMPORT_INVALID', 'the file is empty');
    try {
      return await this.deps.readTable(file);
    } catch (err) {
      throw new GatehouseError('GH_IMPORT_INVALID', (err as Error).message);
    }
  }
}

function mergeCards(existing: readonly { card: string; name: string }[], incoming: readonly { card: string; name: string }[]): { card: string; name: string }[] {
  const byCard = new Map(existing.map((c) => [c.card, c]));
  for (const c of incoming) byCard.set(c.card, c);
  return [...byCard.values()];
}
