import { describe, expect, it } from 'vitest';
import {
  addDays,
  applyUpdate,
  closeHazard,
  dueForEscalation,
  isIsoDate,
  isOverdue,
  markEscalated,
  openHazard,
  validateNew,
  type HazardRecord,
  type LedgerRules,
  type NewHazard,
} from '../../src/core/hazard.ts';
import { offlineTooLong, panicTestsOverdue } from '../../src/core/hazardConditions.ts';
import { sniffImage } from '../../src/core/imageType.ts';
import { localMidnight, localTime } from '../../src/core/localTime.ts';
import { ManualClock } from '../../src/core/clock.ts';
import { GatehouseError } from '../../src/core/errors.ts';

const rules: LedgerRules = { categories: ['campus-safety', 'health'], zoneIds: ['gate', 'building-a'] };
const TZ = 'Asia/Shanghai';
const TODAY = '2026-03-10';
const T0 = Date.parse('2026-03-10T02:00:00Z'); // 10:00 on campus
const input: NewHazard = { title: ' Broken fence ', category: 'campus-safety', zoneId: 'gate', responsible: 'Wang', deadline: '2026-03-20' };
const open = (over: Partial<HazardRecord> = {}): HazardRecord => ({
  ...openHazard(input, { id: 'hz-1', actor: 'guard1', now: T0, source: 'person' }, rules, TODAY),
  ...over,
});

function failure(fn: () => unknown): { code: string; field: string | undefined } | undefined {
  try {
    fn();
  } catch (err) {
    if (err instanceof GatehouseError) return { code: err.code, field: err.field };
    throw err;
  }
  return undefined;
}

describe('hazard validation', () => {
  it('accepts a valid hazard and trims text', () => {
    const h = open();
    expect(h).toMatchObject({ title: 'Broken fence', status: 'open', createdBy: 'guard1', source: 'person', deadline: '2026-03-20' });
  });

  it('names the field at fault', () => {
    expect(failure(() => validateNew({ ...input, category: 'gossip' }, rules, TODAY))).toEqual({ code: 'GH_HAZARD_INVALID', field: 'category' });
    expect(failure(() => validateNew({ ...input, zoneId: 'moon' }, rules, TODAY))).toEqual({ code: 'GH_HAZARD_INVALID', field: 'zoneId' });
    expect(failure(() => validateNew({ ...input, deadline: '2026-02-30' }, rules, TODAY))).toEqual({ code: 'GH_HAZARD_INVALID', field: 'deadline' });
    expect(failure(() => validateNew({ ...input, deadline: '20260320' }, rules, TODAY))).toEqual({ code: 'GH_HAZARD_INVALID', field: 'deadline' });
    expect(failure(() => validateNew({ ...input, title: '   ' }, rules, TODAY))).toEqual({ code: 'GH_HAZARD_INVALID', field: 'title' });
    expect(failure(() => validateNew({ ...input, responsible: '' }, rules, TODAY))).toEqual({ code: 'GH_HAZARD_INVALID', field: 'responsible' });
  });

  it('refuses a deadline in the past but accepts today', () => {
    expect(failure(() => validateNew({ ...input, deadline: '2026-03-09' }, rules, TODAY))?.field).toBe('deadline');
    expect(failure(() => validateNew({ ...input, deadline: TODAY }, rules, TODAY))).toBeUndefined();
  });

  it('knows real calendar dates', () => {
    expect(isIsoDate('2024-02-29')).toBe(true);
    expect(isIsoDate('2026-02-29')).toBe(false);
    expect(isIsoDate('2026-13-01')).toBe(false);
    expect(addDays('2026-02-27', 2)).toBe('2026-03-01');
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
  });
});

describe('hazard transitions', () => {
  it('moves open → rectifying with a note, recording what changed', () => {
    const { next, changes, note } = applyUpdate(open(), { status: 'rectifying', note: 'contractor booked' }, T0 + 1000, rules, TODAY);
    expect(next.status).toBe('rectifying');
    expect(next.note).toBe('contractor booked');
    expect(next.updatedAt).toBe(T0 + 1000);
    expect(changes).toEqual({ status: { from: 'open', to: 'rectifying' } });
    expect(note).toBe('contractor booked');
  });

  it('wants a note for a status change or a moved deadline, not for a plain edit', () => {
    expect(failure(() => applyUpdate(open(), { status: 'rectifying' }, T0, rules, TODAY))).toEqual({ code: 'GH_HAZARD_NOTE_REQUIRED', field: 'note' });
    expect(failure(() => applyUpdate(open(), { deadline: '2026-04-01' }, T0, rules, TODAY))?.code).toBe('GH_HAZARD_NOTE_REQUIRED');
    const { changes } = applyUpdate(open(), { responsible: 'Li', title: 'Broken fence' }, T0, rules, TODAY);
    expect(changes).toEqual({ responsible: { from: 'Wang', to: 'Li' } });
  });

  it('refuses an empty change, an unknown zone, and closing through an update', () => {
    expect(failure(() => applyUpdate(open(), { title: 'Broken fence' }, T0, rules, TODAY))?.code).toBe('GH_HAZARD_NO_CHANGE');
    expect(failure(() => applyUpdate(open(), { zoneId: 'moon' }, T0, rules, TODAY))?.field).toBe('zoneId');
    const sneaky = { status: 'closed' } as unknown as { status: 'rectifying' };
    expect(failure(() => applyUpdate(open(), sneaky, T0, rules, TODAY))?.field).toBe('status');
  });

  it('closes with a note; closing twice and editing a closed hazard are refused', () => {
    expect(failure(() => closeHazard(open(), '  ', 'officer1', T0))?.code).toBe('GH_HAZARD_NOTE_REQUIRED');
    const closed = closeHazard(open({ status: 'rectifying' }), 'fence repaired', 'officer1', T0 + 5000);
    expect(closed).toMatchObject({ status: 'closed', closedBy: 'officer1', closedAt: T0 + 5000, note: 'fence repaired' });
    expect(failure(() => closeHazard(closed, 'again', 'officer1', T0))?.code).toBe('GH_HAZARD_CLOSED');
    expect(failure(() => applyUpdate(closed, { status: 'rectifying', note: 'reopen' }, T0, rules, TODAY))?.code).toBe('GH_HAZARD_CLOSED');
  });
});

describe('overdue and daily escalation (campus-local dates)', () => {
  it('turns overdue at campus midnight, not UTC midnight', () => {
    const clock = new ManualClock(Date.parse('2026-03-20T15:59:59Z')); // 23:59:59 on the 20th in Shanghai
    const h = open(); // deadline 2026-03-20
    const today = () => localTime(clock.now(), TZ).date;
    expect(today()).toBe('2026-03-20');
    expect(isOverdue(h, today())).toBe(false);
    clock.advance(1000); // 00:00:00 on the 21st in Shanghai, still the 20th in UTC
    expect(new Date(clock.now()).toISOString().slice(0, 10)).toBe('2026-03-20');
    expect(today()).toBe('2026-03-21');
    expect(isOverdue(h, today())).toBe(true);
    expect(isOverdue({ ...h, status: 'closed' }, today())).toBe(false);
  });

  it('escalates each overdue hazard once per campus day', () => {
    const overdue = open({ deadline: '2026-03-09' });
    const fine = open({ id: 'hz-2', deadline: '2026-03-30' });
    const closed = open({ id: 'hz-3', deadline: '2026-03-01', status: 'closed' });
    expect(dueForEscalation([overdue, fine, closed], TODAY).map((h) => h.id)).toEqual(['hz-1']);
    const escalated = markEscalated(overdue, TODAY);
    expect(escalated.lastEscalatedOn).toBe(TODAY);
    expect(escalated.updatedAt).toBe(overdue.updatedAt);
    expect(dueForEscalation([escalated], TODAY)).toEqual([]);
    expect(dueForEscalation([escalated], '2026-03-11').map((h) => h.id)).toEqual(['hz-1']);
  });
});

describe('conditions the hub raises as hazards', () => {
  const day = 24 * 3600_000;
  it('a device offline for more than 24 h', () => {
    const devices = [
      { id: 'a', zoneId: 'gate', online: false, lastSeen: T0 - day - 1 },
      { id: 'b', zoneId: 'gate', online: false, lastSeen: T0 - day + 60_000 },
      { id: 'c', zoneId: 'gate', online: true, lastSeen: T0 - 2 * day },
      { id: 'd', zoneId: 'gate', online: false, lastSeen: null },
    ];
    expect(offlineTooLong(devices, T0)).toEqual([{ sourceKey: 'device-offline:a', deviceId: 'a', zoneId: 'gate', since: T0 - day - 1 }]);
  });

  it('a panic button not tested within its period (untested ones count from hub start)', () => {
    const buttons = [
      { id: 'p1', zoneId: 'building-a' },
      { id: 'p2', zoneId: 'building-a' },
      { id: 'p3', zoneId: 'building-a' },
    ];
    const tests = new Map([
      ['p1', T0 - 91 * day],
      ['p2', T0 - 10 * day],
    ]);
    expect(panicTestsOverdue(buttons, tests, T0, 90, T0 - 5 * day).map((c) => c.sourceKey)).toEqual(['panic-test-overdue:p1']);
    expect(panicTestsOverdue(buttons, tests, T0, 90, T0 - 100 * day).map((c) => c.deviceId)).toEqual(['p1', 'p3']);
  });
});

describe('evidence type and local midnight', () => {
  it('reads the image type from the bytes', () => {
    expect(sniffImage(Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'))?.mime).toBe('image/png');
    expect(sniffImage(Buffer.from('ffd8ffe000104a464946', 'hex'))?.mime).toBe('image/jpeg');
    expect(sniffImage(Buffer.concat([Buffer.from('RIFF'), Buffer.alloc(4), Buffer.from('WEBPVP8 ')]))?.mime).toBe('image/webp');
    expect(sniffImage(Buffer.from('not really a png'))).toBeUndefined();
    expect(sniffImage(Buffer.from('RIFF\0\0\0\0WAVE'))).toBeUndefined();
    expect(sniffImage(new Uint8Array())).toBeUndefined();
  });

  it('finds campus midnight in UTC', () => {
    expect(localMidnight('2026-03-10', TZ)).toBe(Date.parse('2026-03-09T16:00:00Z'));
    expect(localMidnight('2026-03-09', 'America/New_York')).toBe(Date.parse('2026-03-09T04:00:00Z')); // the day after DST starts
    expect(localMidnight('2026-03-07', 'America/New_York')).toBe(Date.parse('2026-03-07T05:00:00Z'));
  });
});
