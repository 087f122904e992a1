/**
 * The names an access controller gave its doors and access points
 * (tdc:GetDoorInfoList, tac:GetAccessPointInfoList, read by the ONVIF transport
 * at connect and handed over on channel `inventory`). Pure.
 */

export interface AccessNames {
  /** Door token → name. */
  readonly doors: Readonly<Record<string, string>>;
  /** Access point token → its name and the door (token) it controls. */
  readonly accessPoints: Readonly<Record<string, { readonly name: string; readonly door?: string | undefined }>>;
}

const MAX_ITEMS = 2000;
const MAX_NAME = 64;

/** How an event names a thing: `北门 (Door_1)`; the token alone when the controller gave no other name. */
export function label(name: string | undefined, token: string): string {
  return name && name !== token ? `${name} (${token})` : token;
}

/** A controller's text as a name: control characters (a line break in a robot message) become spaces; at most 64 characters. */
const clean = (v: unknown): string | undefined => {
  if (typeof v !== 'string') return undefined;
  const text = v.replace(/\p{Cc}/gu, ' ').trim();
  return text.length > 0 ? text.slice(0, MAX_NAME) : undefined;
};

/** A record's own entry only: a token spelled `constructor` or `__proto__` names nothing it inherited. */
const own = <T>(record: Readonly<Record<string, T>> | undefined, key: string): T | undefined =>
  record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;

/** The `inventory` payload `{ doors: [{ token, name }], accessPoints: [{ token, name, entity }] }`, or why not. */
export function readNames(payload: unknown): AccessNames | string {
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) return 'inventory must be an object with doors and accessPoints';
  const p = payload as Record<string, unknown>;
  const doorsIn = p['doors'] ?? [];
  const apsIn = p['accessPoints'] ?? [];
  if (!Array.isArray(doorsIn) || !Array.isArray(apsIn)) return 'inventory doors and accessPoints must be lists';
  if (doorsIn.length > MAX_ITEMS || apsIn.length > MAX_ITEMS) return `inventory lists are limited to ${MAX_ITEMS} items`;
  const doors: Record<string, string> = {};
  for (const d of doorsIn as Record<string, unknown>[]) {
    const token = clean(d?.['token']);
    if (!token) return 'every door needs a token';
    if (token === '__proto__') continue; // would set the record's prototype, not an entry
    doors[token] = clean(d['name']) ?? token;
  }
  const accessPoints: Record<string, { name: string; door?: string }> = {};
  for (const a of apsIn as Record<string, unknown>[]) {
    const token = clean(a?.['token']);
    if (!token) return 'every access point needs a token';
    const door = clean(a['entity']);
    if (token === '__proto__') continue;
    accessPoints[token] = { name: clean(a['name']) ?? token, ...(door ? { door } : {}) };
  }
  return { doors, accessPoints };
}

/**
 * An event's data with its door and access point named: `door` becomes
 * `北门 (Door_1)` (the token stays as `doorToken`), `accessPoint` likewise, and an
 * access decision also names the door its access point controls.
 */
export function nameEventData(data: Readonly<Record<string, unknown>>, names: AccessNames | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...data };
  const doorToken = typeof data['door'] === 'string' ? data['door'] : undefined;
  const apToken = typeof data['accessPoint'] === 'string' ? data['accessPoint'] : undefined;
  if (doorToken) {
    out['doorToken'] = doorToken;
    out['door'] = label(own(names?.doors, doorToken), doorToken);
  }
  if (apToken) {
    const ap = own(names?.accessPoints, apToken);
    out['accessPointToken'] = apToken;
    out['accessPoint'] = label(ap?.name, apToken);
    if (ap?.door && !doorToken) {
      out['doorToken'] = ap.door;
      out['door'] = label(own(names?.doors, ap.door), ap.door);
    }
  }
  return out;
}
