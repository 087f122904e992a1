import { ID_PATTERN } from '../config/schema.ts';
import { DEVICE_ROLES, type DeviceRole } from '../core/deviceRoles.ts';

/** A row of an uploaded table the import did not take, and why (rows counted from 1, as a spreadsheet shows them). */
export interface RowProblem {
  readonly row: number;
  readonly reason: string;
}

/** Header names a school's exports use, English and Chinese (case and spaces ignored). */
const COLUMN_NAMES: Readonly<Record<string, readonly string[]>> = {
  card: ['card', 'cardno', 'cardnumber', 'cardid', '卡号', '卡片号', '物理卡号', '卡号码'],
  name: ['name', 'holder', 'cardholder', 'fullname', '姓名', '持卡人', '名称', '设备名称'],
  id: ['id', 'deviceid', 'device', '设备编号', '设备id', '编号'],
  zone: ['zone', 'zoneid', 'area', '区域', '区域编号'],
  role: ['role', 'type', '类型', '设备类型'],
  profile: ['profile', '协议', '型号'],
};

const normalise = (text: string): string => text.toLowerCase().replace(/[\s_\-()（）]/g, '');

/** Where each wanted column is, from the header row; undefined when the first row is not a header. */
function headerOf(row: readonly string[], wanted: readonly string[]): Map<string, number> | undefined {
  const found = new Map<string, number>();
  row.forEach((cell, i) => {
    const n = normalise(cell);
    for (const column of wanted) if (!found.has(column) && COLUMN_NAMES[column]!.includes(n)) found.set(column, i);
  });
  return found.size > 0 ? found : undefined;
}

const CARD = /^[0-9A-Za-z,:-]{1,32}$/;

/**
 * Cards from a table: a header row naming the card and name columns (English or
 * Chinese), or none (then card, name are the first two columns). A card listed in
 * the config file, repeated in the table, or malformed is skipped and said.
 */
export function cardsFromRows(rows: readonly (readonly string[])[], pinned: ReadonlySet<string>): { cards: { card: string; name: string }[]; skipped: RowProblem[] } {
  const header = rows[0] ? headerOf(rows[0], ['card', 'name']) : undefined;
  if (header && !header.has('card')) return { cards: [], skipped: [{ row: 1, reason: 'no card column in the header (card, 卡号)' }] };
  const cardAt = header?.get('card') ?? 0;
  const nameAt = header ? header.get('name') : 1;
  const cards: { card: string; name: string }[] = [];
  const skipped: RowProblem[] = [];
  const seen = new Map<string, number>();
  rows.forEach((cells, i) => {
    if (header && i === 0) return;
    const row = i + 1;
    const card = (cells[cardAt] ?? '').trim();
    const name = (nameAt === undefined ? '' : (cells[nameAt] ?? '')).trim();
    if (!CARD.test(card)) return void skipped.push({ row, reason: card === '' ? 'no card number' : `card "${card.slice(0, 40)}" is not a card number (digits or hex, 32 at most)` });
    if (name.length > 100) return void skipped.push({ row, reason: `the name is over 100 characters` });
    if (pinned.has(card)) return void skipped.push({ row, reason: `card ${card} is in the config file (pinned there)` });
    const first = seen.get(card);
    if (first !== undefined) return void skipped.push({ row, reason: `card ${card} repeats row ${first}` });
    seen.set(card, row);
    cards.push({ card, name });
  });
  return { cards, skipped };
}

export interface DeviceRow {
  readonly row: number;
  readonly id: string;
  readonly profile: string;
  readonly zoneId: string;
  readonly name?: string | undefined;
  readonly role?: DeviceRole | undefined;
}

const ID = new RegExp(ID_PATTERN);

/**
 * Devices from a table with a header row (id, zone; name, role, profile optional;
 * English or Chinese). Rows with a bad id, an id taken or repeated, an unknown zone
 * or role are skipped and said; the others are checked again as a whole when added.
 */
export function devicesFromRows(
  rows: readonly (readonly string[])[],
  known: { readonly ids: ReadonlySet<string>; readonly zones: ReadonlySet<string>; readonly mqttProfiles: ReadonlySet<string> },
): { devices: DeviceRow[]; skipped: RowProblem[] } {
  const header = rows[0] ? headerOf(rows[0], ['id', 'zone', 'name', 'role', 'profile']) : undefined;
  if (!header?.has('id') || !header.has('zone')) return { devices: [], skipped: [{ row: 1, reason: 'the first row must name the columns: id and zone (设备编号, 区域), optionally name, role, profile' }] };
  const devices: DeviceRow[] = [];
  const skipped: RowProblem[] = [];
  const seen = new Map<string, number>();
  const cell = (cells: readonly string[], column: string): string => {
    const at = header.get(column);
    return at === undefined ? '' : (cells[at] ?? '').trim();
  };
  rows.forEach((cells, i) => {
    if (i === 0) return;
    const row = i + 1;
    const id = cell(cells, 'id');
    const zoneId = cell(cells, 'zone');
    const role = cell(cells, 'role');
    const profile = cell(cells, 'profile') || 'generic';
    const name = cell(cells, 'name');
    if (!ID.test(id) || id.length > 64) return void skipped.push({ row, reason: id === '' ? 'no device id' : `"${id.slice(0, 70)}" is not a device id (letters, digits, . _ : - ; 64 at most)` });
    if (known.ids.has(id)) return void skipped.push({ row, reason: `device ${id} exists already` });
    const first = seen.get(id);
    if (first !== undefined) return void skipped.push({ row, reason: `device ${id} repeats row ${first}` });
    if (!known.zones.has(zoneId)) return void skipped.push({ row, reason: `unknown zone "${zoneId.slice(0, 64)}"` });
    if (role !== '' && !(DEVICE_ROLES as readonly string[]).includes(role)) return void skipped.push({ row, reason: `unknown role "${role.slice(0, 40)}" (one of ${DEVICE_ROLES.join(', ')})` });
    if (!known.mqttProfiles.has(profile)) return void skipped.push({ row, reason: `profile "${profile.slice(0, 40)}" cannot be added here (MQTT profiles: ${[...known.mqttProfiles].join(', ')})` });
    if (name.length > 100) return void skipped.push({ row, reason: 'the name is over 100 characters' });
    seen.set(id, row);
    devices.push({ row, id, profile, zoneId, ...(name ? { name } : {}), ...(role ? { role: role as DeviceRole } : {}) });
  });
  return { devices, skipped };
}
