import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { en } from '../../src/console/lib/messages/en.ts';
import { zh } from '../../src/console/lib/messages/zh.ts';
import { detectLang, placeholders, translate, translateOptional } from '../../src/console/lib/i18n.ts';
import { INCIDENT_KINDS, SEVERITIES } from '../../src/core/incident.ts';
import { EVENT_KINDS } from '../../src/core/event.ts';
import { HAZARD_STATUSES } from '../../src/core/hazard.ts';
import { BUILTIN_CATEGORIES } from '../../src/console/lib/hazards.ts';

describe('console message catalogs', () => {
  it('have the same keys in both languages, none empty', () => {
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of [...Object.entries(en), ...Object.entries(zh)]) expect(text.trim(), key).not.toBe('');
  });

  it('use the same placeholders in both languages', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) expect(placeholders(zh[key]), key).toEqual(placeholders(en[key]));
  });

  it('translate the Chinese side (no English left in zh except names and codes)', () => {
    const untranslated = (Object.keys(en) as (keyof typeof en)[]).filter((k) => zh[k] === en[k] && /[a-z]{3,}/i.test(en[k]) && !/^[×+{}\s\w]*$/.test(en[k].replace(/\{\w+\}/g, '')));
    expect(untranslated).toEqual([]);
  });

  it('carry the console contract labels (DESIGN.md)', () => {
    expect([en['signin.username'], en['signin.password'], en['signin.submit'], en['queue.acknowledge']]).toEqual(['Username', 'Password', 'Sign in', 'Acknowledge']);
    expect([zh['signin.username'], zh['signin.password'], zh['signin.submit'], zh['queue.acknowledge']]).toEqual(['用户名', '密码', '登录', '确认']);
  });

  it('name every incident kind, event kind, severity, hazard status and built-in category the hub has', () => {
    const keys = [
      ...INCIDENT_KINDS.map((k) => `incident.${k}`),
      ...EVENT_KINDS.map((k) => `event.${k}`),
      ...SEVERITIES.map((s) => `severity.${s}`),
      ...HAZARD_STATUSES.map((s) => `hazard.status.${s}`),
      ...BUILTIN_CATEGORIES.map((c) => `hazard.category.${c}`),
      ...['open', 'acknowledged', 'resolved'].map((s) => `status.${s}`),
      ...['opened', 'event', 'acknowledged', 'escalated', 'resolved', 'note', 'step', 'override'].map((s) => `timeline.${s}`),
      ...['upcoming', 'in_progress', 'done', 'missed'].map((s) => `patrol.${s}`),
      ...['guard', 'officer', 'admin'].map((r) => `role.${r}`),
    ];
    const missing = keys.filter((k) => !(k in en) || !(k in zh));
    expect(missing).toEqual([]);
  });

  it('leave no text hard-coded in components: every visible string comes from a catalog', () => {
    const dir = new URL('../../src/console/components/', import.meta.url);
    const offenders: string[] = [];
    for (const file of readdirSync(dir)) {
      if (!file.endsWith('.tsx')) continue;
      const source = readFileSync(new URL(file, dir), 'utf8');
      // JSX text between tags that contains a letter (Latin or CJK)
      for (const m of source.matchAll(/>([^<>{}]*[A-Za-z\u4e00-\u9fff][^<>{}]*)</g)) {
        const text = m[1]!.trim();
        // (skip code that only looks like text: `=> x`, `a && b`, a generic call `getJson<T>(`)
        if (text && !/^(=>|&&|\|\||\?|:)/.test(text) && !/[=;()]/.test(text) && !/^[a-z]+[A-Z]\w*$/.test(text)) offenders.push(`${file}: ${text}`);
      }
      for (const m of source.matchAll(/(?:aria-label|title|placeholder|alt)=["']([^"']+)["']/g)) offenders.push(`${file}: ${m[1]}`);
    }
    expect(offenders).toEqual([]);
  });
});

describe('language choice and interpolation', () => {
  it('follows the browser: zh-* is Chinese, anything else English; a stored choice wins', () => {
    expect(detectLang(['zh-CN', 'en-US'], null)).toBe('zh');
    expect(detectLang(['zh-TW'], null)).toBe('zh');
    expect(detectLang(['zh'], null)).toBe('zh');
    expect(detectLang(['en-US', 'zh-CN'], null)).toBe('en');
    expect(detectLang(['de-DE'], null)).toBe('en');
    expect(detectLang([], undefined)).toBe('en');
    expect(detectLang(['zh-CN'], 'en')).toBe('en');
    expect(detectLang(['en-US'], 'zh')).toBe('zh');
    expect(detectLang(['en-US'], 'fr')).toBe('en');
  });

  it('fills placeholders and leaves unknown ones visible', () => {
    expect(translate('en', 'queue.ackedBy', { name: 'guard1' })).toBe('Acknowledged by guard1');
    expect(translate('zh', 'queue.ackedBy', { name: 'guard1' })).toBe('guard1 已确认');
    expect(translate('en', 'devices.zoneSummary', { offline: 2 })).toBe('2 of {total} offline');
  });

  it('falls back for kinds the catalog does not know yet', () => {
    expect(translateOptional('zh', 'incident.panic', 'x')).toBe('一键报警');
    expect(translateOptional('zh', 'incident.meteor_strike', 'meteor strike')).toBe('meteor strike');
  });
});
