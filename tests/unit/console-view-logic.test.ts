import { describe, expect, it } from 'vitest';
import { applyMessages, emptyState, RECENT_EVENTS, syncIncidents } from '../../src/console/lib/state.ts';
import { countEvents, emptyHours, fromSeries, HOUR, total } from '../../src/console/lib/traffic.ts';
import { batteryOf, faultOf, formatAgo, incidentHeadline, isoDate, linkState, startOfDay } from '../../src/console/lib/format.ts';
import { groupDevices } from '../../src/console/lib/devices.ts';
import { categoriesOf, hazardQuery, sortHazards } from '../../src/console/lib/hazards.ts';
import { deliveryOf, uplinkHealth } from '../../src/console/lib/uplink.ts';
import type { Device, GateEvent, Hazard, UplinkStatus } from '../../src/console/lib/types.ts';
import { incident } from '../helpers/consoleFixtures.ts';

const DAY = new Date(2026, 10, 28).getTime(); // local midnight

function ev(id: string, o: Partial<GateEvent> = {}): GateEvent {
  return { id, deviceId: 'reader-1', zoneId: 'gate', kind: 'access.granted', ts: DAY + 8 * HOUR, receivedAt: DAY + 8 * HOUR, data: {}, ...o };
}
function device(id: string, o: Partial<Device> = {}): Device {
  return { id, zoneId: 'gate', profile: 'generic', transport: 'mqtt', online: true, lastSeen: DAY, health: {}, rejected: { count: 0 }, repaired: { count: 0 }, ...o };
}

describe('live state', () => {
  it('a snapshot message moves the count of the incident it names, so its open detail pane reloads; one for an incident it does not hold is dropped', () => {
    const s = emptyState(DAY);
    syncIncidents(s, [incident('inc-1')]);
    const changes = applyMessages(s, [{ type: 'snapshot', data: { incidentId: 'inc-1', id: 'snap-1', url: '/api/v1/snapshots/snap-1' } }]);
    expect(changes.incidents).toBe(true);
    expect(s.snapshotsSeen.get('inc-1')).toBe(1);
    const stray = applyMessages(s, Array.from({ length: 1000 }, (_, k) => ({ type: 'snapshot' as const, data: { incidentId: `nope-${k}`, id: `s${k}`, url: '/x' } })));
    expect(stray.incidents).toBe(false);
    expect(s.snapshotsSeen.size).toBe(1);
  });

  it('keeps the newest events first, at most RECENT_EVENTS', () => {
    const s = emptyState(DAY);
    applyMessages(s, Array.from({ length: 150 }, (_, k) => ({ type: 'event' as const, data: ev(`e${k}`) })));
    expect(s.events).toHaveLength(RECENT_EVENTS);
    expect(s.events[0]!.id).toBe('e149');
    applyMessages(s, [{ type: 'event', data: ev('e150') }]);
    expect(s.events[0]!.id).toBe('e150');
    expect(s.events[1]!.id).toBe('e149');
  });

  it('counts gate traffic live only after the loaded counts, and only today', () => {
    const s = emptyState(DAY);
    applyMessages(s, [{ type: 'event', data: ev('before-load') }]);
    expect(total(s.granted)).toBe(0);
    s.trafficLoadedTo = DAY + 8 * HOUR;
    const changes = applyMessages(s, [
      { type: 'event', data: ev('already-counted') },
      { type: 'event', data: ev('new', { ts: DAY + 9 * HOUR }) },
      { type: 'event', data: ev('denied', { kind: 'access.denied', ts: DAY + 9 * HOUR }) },
      { type: 'event', data: ev('tomorrow', { ts: DAY + 25 * HOUR }) },
      { type: 'event', data: ev('panic', { kind: 'alarm.panic', ts: DAY + 9 * HOUR }) },
    ]);
    expect(changes.traffic).toBe(true);
    expect(s.granted.values[9]).toBe(1);
    expect(total(s.granted)).toBe(1);
    expect(total(s.denied)).toBe(1);
  });

  it('updates a device’s last seen from its events, and takes device messages as transitions', () => {
    const s = emptyState(DAY);
    s.devices.set('reader-1', device('reader-1'));
    applyMessages(s, [{ type: 'event', data: ev('e1', { receivedAt: DAY + 5 }) }]);
    expect(s.devices.get('reader-1')!.lastSeen).toBe(DAY + 5);
    const changes = applyMessages(s, [{ type: 'device', data: device('reader-1', { online: false, lastSeen: DAY }) }]);
    expect(changes.devices).toBe(true);
    expect(s.devices.get('reader-1')!.online).toBe(false);
    expect(s.devices.get('reader-1')!.lastSeen).toBe(DAY + 5);
  });

  it('reports a newly opened critical incident once, and counts alarms without drills', () => {
    const s = emptyState(DAY);
    const panic = incident('p1', { openedAt: DAY + 3 * HOUR });
    const first = applyMessages(s, [{ type: 'incident', data: { ...panic, change: 'opened' } }]);
    expect(first.newCritical.map((i) => i.id)).toEqual(['p1']);
    expect(s.incidents.get('p1')).not.toHaveProperty('change');
    const again = applyMessages(s, [{ type: 'incident', data: { ...panic, count: 2, change: 'folded' } }]);
    expect(again.newCritical).toEqual([]);
    applyMessages(s, [{ type: 'incident', data: incident('d1', { drill: true, openedAt: DAY + 3 * HOUR }) }]);
    expect(s.alarms.values[3]).toBe(1);
  });

  it('bumps the hazard stamp so the ledger reloads', () => {
    const s = emptyState(DAY);
    const c = applyMessages(s, [{ type: 'hazard', data: { id: 'h1' } as unknown as Hazard }]);
    expect(c.hazards).toBe(true);
    expect(s.hazardStamp).toBe(1);
  });

  it('on re-sync drops active incidents the hub no longer lists and keeps newer live copies', () => {
    const s = emptyState(DAY);
    applyMessages(s, [
      { type: 'incident', data: incident('gone') },
      { type: 'incident', data: incident('acked', { status: 'acknowledged', openedAt: DAY + HOUR }) },
    ]);
    syncIncidents(s, [incident('acked', { openedAt: DAY + HOUR }), incident('new', { openedAt: DAY + 2 * HOUR })]);
    expect([...s.incidents.keys()].sort()).toEqual(['acked', 'new']);
    expect(s.incidents.get('acked')!.status).toBe('acknowledged');
    expect(total(s.alarms)).toBe(2);
  });
});

describe('hourly counts', () => {
  it('counts one kind per hour, each event once', () => {
    const c = countEvents(DAY, [ev('a'), ev('a'), ev('b', { ts: DAY + 23 * HOUR + 1 }), ev('c', { kind: 'access.denied' }), ev('old', { ts: DAY - 1 })], 'access.granted');
    expect(c.values[8]).toBe(1);
    expect(c.values[23]).toBe(1);
    expect(total(c)).toBe(2);
  });

  it('reads the series route’s points into the same buckets', () => {
    const c = fromSeries(DAY, [{ t: DAY, count: 4 }, { t: DAY + 30 * 60_000, count: 1 }, { t: DAY + 5 * HOUR, count: 7 }]);
    expect(c.values[0]).toBe(5);
    expect(c.values[5]).toBe(7);
    expect(emptyHours(DAY).t).toHaveLength(24);
  });
});

describe('formatting', () => {
  it('says how long ago, in both languages', () => {
    const now = DAY + 10 * HOUR;
    expect(formatAgo(now - 2000, now, 'en')).toBe('just now');
    expect(formatAgo(now - 42_000, now, 'en')).toBe('42 s ago');
    expect(formatAgo(now - 5 * 60_000, now, 'zh')).toBe('5 分钟前');
    expect(formatAgo(now - 3 * HOUR, now, 'en')).toBe('3 h ago');
    expect(formatAgo(now - 50 * HOUR, now, 'zh')).toBe('2 天前');
    expect(formatAgo(now + 5000, now, 'en')).toBe('just now'); // a device clock slightly ahead
  });

  it('reads battery and faults from device health', () => {
    expect(batteryOf({ battery: 87 })).toEqual({ value: 87, level: 'ok' });
    expect(batteryOf({ battery: '15' })).toEqual({ value: 15, level: 'low' });
    expect(batteryOf({ battery: 4.6 })).toEqual({ value: 5, level: 'critical' });
    expect(batteryOf({ rssi: -60 })).toBeUndefined();
    expect(faultOf({ fault: 'tamper' })).toBe('tamper');
    expect(faultOf({ fault: false })).toBeUndefined();
    expect(linkState({ state: 'subscribed', renewals: 3, address: '10.0.0.21:80' })).toBe('subscribed 10.0.0.21:80');
    expect(linkState({ port: '/dev/ttyUSB0', open: true })).toBe('open /dev/ttyUSB0');
    expect(linkState({ connected: false })).toBe('disconnected');
    expect(linkState(undefined)).toBeUndefined();
  });

  it('names days and headlines', () => {
    expect(startOfDay(DAY + 5 * HOUR)).toBe(DAY);
    expect(isoDate(DAY, 7)).toBe('2026-12-05');
    const i = incident('x', { deviceId: 'panic-101' });
    expect(incidentHeadline(i, 'zh', () => '教学楼A', () => '101教室')).toBe('一键报警 · 教学楼A · 101教室');
    expect(incidentHeadline(incident('y', { kind: 'new_kind', data: { deviceId: 'd' } }), 'en', (z) => z, () => undefined)).toBe('new kind · building-a · d');
  });
});

describe('devices by zone', () => {
  const zones = [
    { id: 'gate', name: 'Gate', responsible: 'Wang' },
    { id: 'building-a', name: 'Building A' },
  ];
  it('follows zone order, moves zones with offline devices up, offline devices first within a zone', () => {
    const groups = groupDevices([device('r2'), device('r1'), device('p1', { zoneId: 'building-a', online: false }), device('p2', { zoneId: 'building-a' }), device('x', { zoneId: 'elsewhere' })], zones);
    expect(groups.map((g) => g.zoneId)).toEqual(['building-a', 'gate', 'elsewhere']);
    expect(groups[0]!.devices.map((d) => d.id)).toEqual(['p1', 'p2']);
    expect(groups[0]).toMatchObject({ total: 2, offline: 1, name: 'Building A' });
    expect(groups[1]!.devices.map((d) => d.id)).toEqual(['r1', 'r2']);
    expect(groupDevices([device('r1'), device('p1', { zoneId: 'building-a', online: false })], zones, true).map((g) => g.zoneId)).toEqual(['building-a']);
  });
});

describe('hazard ledger', () => {
  const h = (id: string, o: Partial<Hazard>): Hazard => ({ id, title: id, category: 'campus-safety', zoneId: 'gate', responsible: 'Wang', deadline: '2026-12-01', status: 'open', overdue: false, createdAt: 1, createdBy: 'g', updatedAt: 1, source: 'person', ...o });
  it('puts overdue first, then the nearest deadline, closed ones last', () => {
    const sorted = sortHazards([
      h('closed-old', { status: 'closed', closedAt: 1 }),
      h('later', { deadline: '2026-12-20' }),
      h('closed-new', { status: 'closed', closedAt: 9 }),
      h('overdue', { deadline: '2026-11-01', overdue: true }),
      h('sooner', { deadline: '2026-12-02', status: 'rectifying' }),
    ]);
    expect(sorted.map((x) => x.id)).toEqual(['overdue', 'sooner', 'later', 'closed-new', 'closed-old']);
  });
  it('builds the shared list/export query and the category list', () => {
    expect(hazardQuery({ status: 'open', zoneId: 'gate', category: '', overdue: true })).toBe('status=open&zoneId=gate&overdue=true');
    expect(hazardQuery({ status: '', zoneId: '', category: '', overdue: false })).toBe('');
    expect(categoriesOf([h('a', { category: 'fire-doors' })]).slice(-1)).toEqual(['fire-doors']);
  });
});

describe('county uplink', () => {
  const status = (o: Partial<UplinkStatus['sinks'][number]> = {}, enabled = true): UplinkStatus => ({
    enabled,
    depth: o.depth ?? 0,
    lastDeliveryAt: 1,
    lastError: null,
    sinks: [{ sink: 'county', state: 'idle', depth: 0, oldestUndeliveredAgeMs: null, lastSuccessAt: 1, lastError: null, lastErrorAt: null, parked: null, ...o }],
  });
  it('says where an incident’s messages stand', () => {
    const i = incident('x');
    expect(deliveryOf(i, undefined)).toEqual({ state: 'off' });
    expect(deliveryOf(i, status({}, false))).toEqual({ state: 'off' });
    expect(deliveryOf(i, status())).toEqual({ state: 'delivered' });
    expect(deliveryOf(i, status({ depth: 12 }))).toEqual({ state: 'pending', depth: 12 });
    expect(deliveryOf(i, status({ depth: 3, parked: { seq: 1, status: 401, reason: 'bad signature', at: 1 } }))).toEqual({ state: 'parked', reason: 'bad signature' });
  });
  it('sums up the county sink', () => {
    expect(uplinkHealth(status())).toBe('ok');
    expect(uplinkHealth(status({ state: 'backoff' }))).toBe('retrying');
    expect(uplinkHealth(status({ lastErrorAt: 5, lastSuccessAt: 1 }))).toBe('retrying');
    expect(uplinkHealth(status({ state: 'parked' }))).toBe('parked');
    expect(uplinkHealth(status({}, false))).toBe('disabled');
  });
});
