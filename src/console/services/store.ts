import { useEffect, useState } from 'preact/hooks';
import { detectLang, translate, type Lang, type MessageKey, type Params, type Translate } from '../lib/i18n.ts';
import { emptyState, type ConsoleState } from '../lib/state.ts';
import { startOfDay } from '../lib/format.ts';
import type { BackupView, Drill, PatrolRound, Session, UplinkStatus, Zone } from '../lib/types.ts';
import type { LiveStatus } from './live.ts';
import { AlarmSound } from './alarm.ts';

export type Screen = 'queue' | 'devices' | 'hazards' | 'overview' | 'users';
export const SCREENS: readonly Screen[] = ['queue', 'devices', 'hazards', 'overview', 'users'];
/** Screens a role may open (users: admins only; the hub checks it too). */
export function screensFor(role: string | undefined): readonly Screen[] {
  return role === 'admin' ? SCREENS : SCREENS.filter((s) => s !== 'users');
}

/** Parts of the store a component can listen to: it re-renders only when one of its slices changes. */
export type Slice = 'session' | 'lang' | 'incidents' | 'devices' | 'events' | 'hazards' | 'traffic' | 'live' | 'meta' | 'ui' | 'sound' | 'clock';

export interface Toast {
  readonly id: number;
  readonly text: string;
  readonly kind: 'error' | 'info';
}

const LANG_KEY = 'gatehouse.lang';

function storedLang(): string | null {
  try {
    return localStorage.getItem(LANG_KEY);
  } catch {
    return null;
  }
}

/** The console's state and who to tell when it changes. */
export class Store {
  session: Session | undefined;
  lang: Lang = detectLang(typeof navigator === 'undefined' ? [] : navigator.languages?.length ? navigator.languages : [navigator.language], storedLang());
  data: ConsoleState = emptyState(startOfDay(Date.now()));
  live: LiveStatus = 'connecting';
  zones: Zone[] = [];
  drills: Drill[] = [];
  uplink: UplinkStatus | undefined;
  backup: BackupView | undefined;
  patrols: PatrolRound[] = [];
  trafficSource: 'series' | 'events' | 'loading' = 'loading';
  trafficSample = 0;
  screen: Screen = 'queue';
  selectedId: string | undefined;
  /** Set by "Resolve" (button or R): the detail pane focuses its note field. */
  resolveRequested = 0;
  showHelp = false;
  toasts: Toast[] = [];
  /** Re-rendered every few seconds so "3 min ago" stays true. */
  now = Date.now();
  /** The alarm tone (Web Audio). */
  readonly sound = new AlarmSound();

  private readonly listeners = new Set<(changed: ReadonlySet<Slice>) => void>();
  private toastSeq = 0;

  subscribe(listener: (changed: ReadonlySet<Slice>) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private readonly versions = new Map<Slice, number>();

  /** Bumped on every change of a slice: a memo key for derived lists. */
  version(slice: Slice): number {
    return this.versions.get(slice) ?? 0;
  }

  notify(...slices: Slice[]): void {
    const changed = new Set(slices);
    for (const slice of changed) this.versions.set(slice, this.version(slice) + 1);
    for (const l of this.listeners) l(changed);
  }

  t: Translate = (key: MessageKey, params?: Params) => translate(this.lang, key, params);

  setLang(lang: Lang): void {
    this.lang = lang;
    try {
      localStorage.setItem(LANG_KEY, lang);
    } catch {
      // not persisted
    }
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
    this.notify('lang');
  }

  zoneName(id: string): string {
    return this.zones.find((z) => z.id === id)?.name ?? id;
  }

  toast(text: string, kind: Toast['kind'] = 'error'): void {
    const toast = { id: ++this.toastSeq, text, kind };
    this.toasts = [...this.toasts.slice(-3), toast];
    this.notify('ui');
    setTimeout(() => this.dismiss(toast.id), kind === 'error' ? 8000 : 4000);
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
    this.notify('ui');
  }
}

export const store = new Store();

/** Re-render the calling component when any of `slices` changes; returns the store. */
export function useStore(...slices: Slice[]): Store {
  const [, setVersion] = useState(0);
  const bump = (): void => setVersion((n) => n + 1);
  const key = slices.join(',');
  useEffect(() => {
    const wanted = new Set<Slice>([...slices, 'lang']);
    return store.subscribe((changed) => {
      for (const s of changed) {
        if (wanted.has(s)) {
          bump();
          return;
        }
      }
    });
  }, [key]);
  return store;
}
