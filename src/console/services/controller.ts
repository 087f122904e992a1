import { applyMessages, emptyState, recountAlarms, syncDevices, syncIncidents } from '../lib/state.ts';
import { alarming } from '../lib/queue.ts';
import { startOfDay } from '../lib/format.ts';
import { countEvents, fromSeries, GATE_KINDS } from '../lib/traffic.ts';
import type { BackupView, Device, Drill, GateEvent, Incident, PatrolRound, SeriesPoint, Session, UplinkStatus, Zone } from '../lib/types.ts';
import { ApiError, getJson, onSessionLost, postJson, setToken } from './api.ts';
import { connectLive } from './live.ts';
import { loadSession, saveSession } from './session.ts';
import { store, type Slice } from './store.ts';

/** What the console does: sign-in, the live feed, re-syncs, the alarm, periodic refreshes. */

let live: { close(): void } | undefined;
let timers: ReturnType<typeof setInterval>[] = [];

/** The message to show for a failed call, in the current language. */
export function describeError(err: unknown): string {
  if (err instanceof ApiError) {
    if (err.status === 0) return store.t('error.network');
    if (err.status === 403) return store.t('error.forbidden');
    return store.t('error.generic', { message: err.message });
  }
  return store.t('error.generic', { message: String(err) });
}

/** Run an action; a failure becomes a toast. Returns undefined on failure. */
export async function attempt<T>(action: () => Promise<T>): Promise<T | undefined> {
  try {
    return await action();
  } catch (err) {
    store.toast(describeError(err));
    return undefined;
  }
}

export async function signIn(username: string, password: string): Promise<void> {
  const s = await postJson<Session>('/api/v1/auth/login', { username, password }, { public: true });
  startSession({ token: s.token, username: s.username, role: s.role, expiresAt: s.expiresAt });
}

export async function signOut(): Promise<void> {
  if (store.session) await postJson('/api/v1/auth/logout').catch(() => undefined);
  endSession();
}

export function endSession(reason?: 'expired'): void {
  live?.close();
  live = undefined;
  for (const t of timers) clearInterval(t);
  timers = [];
  saveSession(undefined);
  setToken(undefined);
  store.session = undefined;
  store.data = emptyState(startOfDay(Date.now()));
  store.selectedId = undefined;
  store.sound.setActive(false);
  if (reason === 'expired') store.toast(store.t('signin.expired'), 'info');
  store.notify('session', 'incidents', 'devices', 'events', 'traffic');
}

/** Resume a stored sign-in (a reload) if it is still valid. */
export function restoreSession(): void {
  const s = loadSession(Date.now());
  if (s) startSession(s);
}

function startSession(session: Session): void {
  store.session = session;
  saveSession(session);
  setToken(session.token);
  onSessionLost(() => endSession('expired'));
  store.notify('session');
  live = connectLive({
    onStatus: (status) => {
      store.live = status;
      store.notify('live');
    },
    onMessages: (messages) => {
      const changes = applyMessages(store.data, messages);
      const slices: Slice[] = [];
      if (changes.incidents) slices.push('incidents');
      if (changes.devices) slices.push('devices');
      if (changes.events) slices.push('events');
      if (changes.hazards) slices.push('hazards');
      if (changes.traffic) slices.push('traffic');
      if (changes.health) slices.push('meta');
      // A new real critical alarm sounds even if an earlier one was muted.
      if (changes.newCritical.some((i) => !i.drill)) store.sound.setMuted(false);
      if (changes.incidents || changes.health) updateAlarm();
      if (slices.length) store.notify(...slices);
    },
    onConnected: resync,
  });
  timers.push(setInterval(() => void refreshMeta(), 20_000));
  timers.push(setInterval(() => void refreshDevices(), 60_000));
  timers.push(
    setInterval(() => {
      store.now = Date.now();
      // Past midnight the charts start a new day.
      if (startOfDay(store.now) !== store.data.granted.day) void loadCounts();
      store.notify('clock');
    }, 5000),
  );
}

/**
 * Sound while a critical incident is unacknowledged, or an alarm could not be
 * stored (no incident exists for it), unless muted; the flashing is CSS.
 */
export function updateAlarm(): void {
  const open = alarming(store.data.incidents.values());
  const unsavedAlarm = store.data.storageFault?.unsaved?.some((u) => u.kind.startsWith('alarm.')) ?? false;
  store.sound.setActive(open.length > 0 || unsavedAlarm);
  if (open.length === 0 && !unsavedAlarm && store.sound.muted) store.sound.setMuted(false);
}

/** Mute silences the alarms sounding now; the next new real critical alarm sounds again. */
export function toggleMute(): void {
  store.sound.setMuted(!store.sound.muted);
}

/** After (re)connecting: load what the live feed would have told us while we were away. */
async function resync(): Promise<void> {
  await Promise.all([refreshIncidents(), refreshDevices(), refreshMeta(), loadCounts()]);
}

export async function refreshIncidents(): Promise<void> {
  const { items } = await getJson<{ items: Incident[] }>('/api/v1/incidents?limit=1000');
  syncIncidents(store.data, items);
  updateAlarm();
  store.notify('incidents', 'traffic');
}

export async function refreshDevices(): Promise<void> {
  const { items } = await getJson<{ items: Device[] }>('/api/v1/devices');
  syncDevices(store.data, items);
  store.notify('devices');
}

export async function refreshMeta(): Promise<void> {
  const [zones, drills, uplink, patrols, backup] = await Promise.all([
    getJson<{ items: Zone[] }>('/api/v1/zones').catch(() => undefined),
    getJson<{ items: Drill[] }>('/api/v1/drills').catch(() => undefined),
    getJson<UplinkStatus>('/api/v1/uplink').catch(() => undefined),
    getJson<{ items: PatrolRound[] }>('/api/v1/patrols/today').catch(() => undefined),
    getJson<BackupView>('/api/v1/backups').catch(() => undefined),
  ]);
  if (backup) store.backup = backup;
  if (zones) store.zones = zones.items;
  if (drills) store.drills = drills.items;
  if (uplink) store.uplink = uplink;
  if (patrols) store.patrols = patrols.items;
  store.notify('meta');
}

const EVENT_PAGES = 10;

/**
 * Today's gate traffic per hour. From the series route when the hub has it
 * (GET /api/v1/series/events); otherwise counted here from stored events, a
 * page of 1,000 at a time (at most EVENT_PAGES pages: a busy day is sampled).
 */
export async function loadCounts(): Promise<void> {
  const now = Date.now();
  const day = startOfDay(now);
  const base = `from=${day}&to=${now}`;
  try {
    const [g, d] = await Promise.all(
      [GATE_KINDS.granted, GATE_KINDS.denied].map((kind) => getJson<{ points: SeriesPoint[] }>(`/api/v1/series/events?kind=${kind}&${base}&every=1h`)),
    );
    store.data.granted = fromSeries(day, g!.points);
    store.data.denied = fromSeries(day, d!.points);
    store.trafficSource = 'series';
  } catch (err) {
    // No series route on this hub (404), or its backend is down (503): count here instead.
    if (!(err instanceof ApiError) || err.status === 0 || err.status === 401) throw err;
    const events: GateEvent[] = [];
    let to = now;
    for (let page = 0; page < EVENT_PAGES; page++) {
      const { items } = await getJson<{ items: GateEvent[] }>(`/api/v1/events?from=${day}&to=${to}&limit=1000`);
      events.push(...items);
      if (items.length < 1000) break;
      to = items[items.length - 1]!.ts; // same-ms neighbours come again; counted once by id
    }
    store.data.granted = countEvents(day, events, GATE_KINDS.granted);
    store.data.denied = countEvents(day, events, GATE_KINDS.denied);
    store.trafficSource = 'events';
    store.trafficSample = events.length;
  }
  store.data.trafficLoadedTo = now;
  if (store.data.alarms.day !== day) recountAlarms(store.data, day);
  store.notify('traffic');
}

export async function acknowledge(id: string): Promise<void> {
  const incident = await attempt(() => postJson<Incident>(`/api/v1/incidents/${encodeURIComponent(id)}/ack`, {}));
  if (incident) applyIncident(incident);
}

export function applyIncident(incident: Incident): void {
  applyMessages(store.data, [{ type: 'incident', data: incident }]);
  updateAlarm();
  store.notify('incidents');
}

export function select(id: string | undefined, resolve = false): void {
  store.selectedId = id;
  if (resolve) store.resolveRequested++;
  store.notify('ui');
}

export async function startDrill(zoneId: string | undefined, minutes: number): Promise<void> {
  const drill = await attempt(() => postJson<Drill>('/api/v1/drills', { minutes, ...(zoneId ? { zoneId } : {}) }));
  if (drill) await refreshMeta();
}

export async function stopDrill(id: string): Promise<void> {
  await attempt(() => postJson(`/api/v1/drills/${encodeURIComponent(id)}/stop`));
  await refreshMeta();
}
