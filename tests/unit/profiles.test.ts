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

  it('names the allowed kinds when one is unknown', () => {
    const r = decode('events', '{"kind":"fire"}');
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.detail).toContain('alarm.panic');
  });

  it('refuses a channel it does not know', () => {
    expect(decode('commands', '{}')).toMatchObject({ ok: false, reason: 'unknown_channel' });
  });
});
