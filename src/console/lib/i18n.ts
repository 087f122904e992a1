import { en, type MessageKey } from './messages/en.ts';
import { zh } from './messages/zh.ts';

export type { MessageKey };
export type Lang = 'en' | 'zh';
export const LANGS: readonly Lang[] = ['zh', 'en'];
export const catalogs: Readonly<Record<Lang, Readonly<Record<MessageKey, string>>>> = { en, zh };

/** Names of the languages in themselves, for the switch. */
export const LANG_NAMES: Readonly<Record<Lang, string>> = { zh: '中文', en: 'English' };

/** BCP 47 tags for Intl formatting (24-hour clock in both: a guard room logs times that way). */
export const LOCALE_TAG: Readonly<Record<Lang, string>> = { zh: 'zh-CN', en: 'en-GB' };

/** The user's explicit choice wins; otherwise the browser's first language: Chinese for zh-*, English for anything else. */
export function detectLang(browser: readonly string[], stored: string | null | undefined): Lang {
  if (stored === 'en' || stored === 'zh') return stored;
  const first = browser[0]?.toLowerCase() ?? '';
  return first === 'zh' || first.startsWith('zh-') ? 'zh' : 'en';
}

export type Params = Readonly<Record<string, string | number>>;

/** The message for `key` with `{name}` placeholders filled in. */
export function translate(lang: Lang, key: MessageKey, params?: Params): string {
  const text = catalogs[lang][key] ?? en[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Placeholders used by a message, sorted (the catalog test checks both languages agree). */
export function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!).sort();
}

/** A translation for a dynamic key (an incident or event kind) if the catalog has one, else the fallback. */
export function translateOptional(lang: Lang, key: string, fallback: string): string {
  return (catalogs[lang] as Readonly<Record<string, string>>)[key] ?? fallback;
}

export type Translate = (key: MessageKey, params?: Params) => string;
