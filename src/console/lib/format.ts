import { LOCALE_TAG, translate, translateOptional, type Lang } from './i18n.ts';
import type { Device, Incident } from './types.ts';

/** Formatting for the console: times, "3 min ago", battery, labels. Pure; `now` is passed in. */

const timeFormats = new Map<string, Intl.DateTimeFormat>();
function fmt(lang: Lang, options: Intl.DateTimeFormatOptions, id: string): Intl.DateTimeFormat {
  const key = `${lang}:${id}`;
  let f = timeFormats.get(key);
  if (!f) {
    f = new Intl.DateTimeFormat(LOCALE_TAG[lang], options);
    timeFormats.set(key, f);
  }
  return f;
}

/** `03:12:45` */
export function formatTime(ms: number, lang: Lang): string {
  return fmt(lang, { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false }, 'time').format(ms);
}

/** `03:12` */
export function formatClock(ms: number, lang: Lang): string {
  return fmt(lang, { hour: '2-digit', minute: '2-digit', hour12: false }, 'clock').format(ms);
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `2026-11-28 03:12` in the browser's time zone: unambiguous in both languages. */
export function formatDateTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** Today's time when it is today, else date and time. */
export function formatWhen(ms: number, now: number, lang: Lang): string {
  return startOfDay(ms) === startOfDay(now) ? formatTime(ms, lang) : formatDateTime(ms);
}

/** "just now", "42 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function formatAgo(ms: number, now: number, lang: Lang): string {
  const s = Math.max(0, Math.floor((now - ms) / 1000));
  if (s < 5) return translate(lang, 'ago.now');
  if (s < 60) return translate(lang, 'ago.seconds', { n: s });
  if (s < 3600) return translate(lang, 'ago.minutes', { n: Math.floor(s / 60) });
  if (s < 86_400) return translate(lang, 'ago.hours', { n: Math.floor(s / 3600) });
  return translate(lang, 'ago.days', { n: Math.floor(s / 86_400) });
}

/** Local midnight of the day that contains `ms` (the browser's time zone). */
export function startOfDay(ms: number): number {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** `YYYY-MM-DD` of a local day, `days` after the one containing `ms`. */
export function isoDate(ms: number, days = 0): string {
  const d = new Date(ms);
  d.setDate(d.getDate() + days);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export type BatteryLevel = 'ok' | 'low' | 'critical';
/** Battery below 20 % is low, below 10 % critical; undefined when the device does not report one. */
export function batteryOf(health: Readonly<Record<string, unknown>>): { value: number; level: BatteryLevel } | undefined {
  const raw = health['battery'];
  const value = typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
  if (!Number.isFinite(value)) return undefined;
  return { value: Math.round(value), level: value < 10 ? 'critical' : value < 20 ? 'low' : 'ok' };
}

/** A device's fault as it reports it (`health.fault`, or a `fault` string), if any. */
export function faultOf(health: Readonly<Record<string, unknown>>): string | undefined {
  const f = health['fault'] ?? health['error'];
  if (f === undefined || f === false || f === null || f === '' || f === 0) return undefined;
  return f === true ? 'fault' : String(f);
}

/** The transport's link state in one short phrase: a camera's `state` (its event subscription), a serial port open or closed. */
export function linkState(link: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (!link) return undefined;
  const where = typeof link['port'] === 'string' ? ` ${link['port']}` : typeof link['address'] === 'string' ? ` ${link['address']}` : '';
  for (const key of ['state', 'status']) {
    const v = link[key];
    if (typeof v === 'string' && v) return `${v}${where}`;
  }
  if (typeof link['connected'] === 'boolean') return `${link['connected'] ? 'connected' : 'disconnected'}${where}`;
  if (typeof link['open'] === 'boolean') return `${link['open'] ? 'open' : 'closed'}${where}`;
  return undefined;
}

/** The transport's last error on the link, if it reports one. */
export function linkError(link: Readonly<Record<string, unknown>> | undefined): string | undefined {
  const e = link?.['lastError'] ?? link?.['error'];
  return typeof e === 'string' && e ? e : undefined;
}

export function deviceLabel(device: Pick<Device, 'id' | 'name'> | undefined, id: string): string {
  return device?.name ? `${device.name} (${id})` : id;
}

/** The incident's kind in the current language (the API's title is English only). */
export function incidentKindLabel(kind: string, lang: Lang): string {
  return translateOptional(lang, `incident.${kind}`, kind.replace(/_/g, ' '));
}

export function eventKindLabel(kind: string, lang: Lang): string {
  return translateOptional(lang, `event.${kind}`, kind);
}

/** One line that says what happened where: "Panic button · Building A · Room 101". */
export function incidentHeadline(i: Incident, lang: Lang, zoneName: (id: string) => string, deviceName: (id: string) => string | undefined): string {
  const parts = [incidentKindLabel(i.kind, lang), zoneName(i.zoneId)];
  const deviceId = i.deviceId ?? (typeof i.data['deviceId'] === 'string' ? i.data['deviceId'] : undefined);
  if (deviceId) parts.push(deviceName(deviceId) ?? deviceId);
  return parts.join(' · ');
}
