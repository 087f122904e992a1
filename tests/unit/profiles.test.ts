import { describe, expect, it } from 'vitest';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PROFILES, profileRegistry } from '../../devices/index.ts';
import { EVENT_KINDS } from '../../src/core/event.ts';
import type { AnyProfile, RawMessage } from '../../src/core/device.ts';

const devicesDir = new URL('../../devices/', import.meta.url).pathname;

function rawOf(sample: AnyProfile['samples'][number]): RawMessage {
  return {
    deviceId: 'dev-1',
    channel: sample.channel,
    payload: typeof sample.payload === 'string' ? Buffer.from(sample.payload) : sample.payload,
    receivedAt: 1_732_780_000_000,
  };
}

describe('device profile registry', () => {
  it('registers every profile folder under devices/ exactly once', () => {
    const folders = readdirSync(devicesDir).filter((f) => statSync(join(devicesDir, f)).isDirectory());
    expect(folders.length).toBeGreaterThan(0);
    const ids = PROFILES.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const folder of folders) expect(ids, `devices/${folder} is not registered in devices/index.ts`).toContain(folder);
    expect(profileRegistry.size).toBe(PROFILES.length);
  });

  for (const profile of PROFILES) {
    describe(profile.id, () => {
      it('declares only known event kinds, and has samples', () => {
        for (const kind of profile.emits) expect(EVENT_KINDS).toContain(kind);
        expect(profile.samples.length).toBeGreaterThan(0);
        expect(profile.vendor && profile.model && profile.description).toBeTruthy();
      });

      for (const sample of profile.samples) {
        it(`decodes sample "${sample.name}" as expected, emitting only declared kinds and health keys`, () => {
          const options = profile.parseOptions
            ? (() => {
                const parsed = profile.parseOptions((sample.options ?? {}) as Record<string, unknown>, { cards: sample.cards ?? [] });
                if ('errors' in parsed) throw new Error(parsed.errors.join('; '));
                return parsed.options;
              })()
            : undefined;
          const result = profile.decode(rawOf(sample), { deviceId: 'dev-1', options, state: undefined });
          if ('reject' in sample.expect) {
            expect(result.ok).toBe(false);
            if (!result.ok) {
              expect(result.reason).toBe(sample.expect.reject);
              expect(result.detail.length).toBeGreaterThan(0);
            }
            return;
          }
          expect(result.ok, result.ok ? '' : `${result.reason}: ${result.detail}`).toBe(true);
          if (!result.ok) return;
          expect(result.events.map((e) => e.kind)).toEqual(sample.expect);
          for (const e of result.events) expect(profile.emits).toContain(e.kind);
          for (const key of Object.keys(result.health ?? {})) expect(profile.healthKeys ?? []).toContain(key);
        });
      }
    });
  }
});

describe('generic profile details', () => {
  const generic = profileRegistry.get('generic')!;
  const decode = (channel: string, payload: string) =>
    generic.decode({ deviceId: 'd', channel, payload: Buffer.from(payload), receivedAt: 1_732_780_000_000 }, { deviceId: 'd', options: undefined, state: undefined });

  it('passes ts, seq and data through', () => {
    const r = decode('events', '{"kind":"access.granted","ts":1732780000123,"seq":5,"data":{"card":"42"}}');
    expect(r).toEqual({ ok: true, events: [{ kind: 'access.granted', ts: 1732780000123, seq: 5, data: { card: '42' } }] });
  });

  it('reads online/offline and health from status', () => {
    expect(decode('status', 'offline')).toMatchObject({ ok: true, online: false, events: [] });
    expect(decode('status', '{"online":true,"battery":50}')).toMatchObject({ ok: true, online: true, health: { battery: 50 } });
    expect(decode('status', '{"battery":"full"}')).toMatchObject({ ok: false, reason: 'bad_field' });
  });

  it('rejects a routine event with a bad field, naming it', () => {
    expect(decode('events', '{"kind":"access.granted","ts":1732780000}')).toEqual({ ok: false, reason: 'bad_field', detail: 'ts 1732780000 looks like epoch seconds; send epoch milliseconds' });
    expect(decode('events', '{"kind":"door.closed","seq":1.5}')).toEqual({ ok: false, reason: 'bad_field', detail: 'seq must be a non-negative integer' });
    expect(decode('events', '{"kind":"access.denied","data":{"card":12}}')).toEqual({ ok: false, reason: 'bad_field', detail: 'data.card must be a string' });
  });

  it('stores an urgent event without its bad fields and reports each fault as a repair', () => {
    // a panic whose clock sends seconds: the hub's receive time (ts undefined), the fault named
    expect(decode('events', '{"kind":"alarm.panic","ts":1732780000,"seq":5}')).toEqual({
      ok: true,
      events: [{ kind: 'alarm.panic', ts: undefined, seq: 5, data: {} }],
      repairs: [
        {
          reason: 'bad_field',
          detail: "alarm.panic: ts 1732780000 looks like epoch seconds; send epoch milliseconds (stored with the hub's receive time: an alarm is never dropped for a bad field)",
        },
      ],
    });
    const several = decode('events', '{"kind":"alarm.panic","ts":"now","seq":-1,"data":[1]}');
    expect(several).toMatchObject({ ok: true, events: [{ kind: 'alarm.panic', ts: undefined, seq: undefined, data: {} }] });
    if (!several.ok) throw new Error('decoded');
    expect(several.repairs?.map((r) => r.detail)).toEqual([
      "alarm.panic: ts must be epoch milliseconds (an integer) (stored with the hub's receive time: an alarm is never dropped for a bad field)",
      'alarm.panic: seq must be a non-negative integer (stored without seq: an alarm is never dropped for a bad field)',
      'alarm.panic: data must be a JSON object (stored without data: an alarm is never dropped for a bad field)',
    ]);
    // only the bad data fields go; the rest of data stays
    expect(decode('events', '{"kind":"door.forced","ts":1732780000123,"data":{"card":12,"battery":"low","door":"east"}}')).toMatchObject({
      ok: true,
      events: [{ kind: 'door.forced', ts: 1732780000123, data: { door: 'east' } }],
      repairs: [{ reason: 'bad_field' }, { reason: 'bad_field' }],
    });
  });

  it('names the allowed kinds when one is unknown', () => {
    const r = decode('events', '{"kind":"fire"}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.detail).toContain('alarm.panic');
  });

  it('refuses a channel it does not know', () => {
    expect(decode('commands', '{}')).toMatchObject({ ok: false, reason: 'unknown_channel' });
  });
});
