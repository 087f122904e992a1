import { useStore, screensFor, type Screen } from '../services/store.ts';
import { signOut, toggleMute } from '../services/controller.ts';
import { activeQueue } from '../lib/queue.ts';
import type { MessageKey } from '../lib/i18n.ts';
import { LangSwitch } from './LangSwitch.tsx';

const SCREEN_LABEL: Readonly<Record<Screen, MessageKey>> = {
  queue: 'nav.queue',
  devices: 'nav.devices',
  hazards: 'nav.hazards',
  overview: 'nav.overview',
  users: 'nav.users',
};

export function TopBar() {
  const s = useStore('session', 'incidents', 'devices', 'meta', 'live', 'sound', 'ui');
  const t = s.t;
  const active = activeQueue(s.data.incidents.values()).length;
  let offline = 0;
  for (const d of s.data.devices.values()) if (!d.online) offline++;
  const overdue = s.zones.reduce((n, z) => n + z.overdueHazards, 0);
  const badge: Readonly<Record<Screen, number>> = { queue: active, devices: offline, hazards: overdue, overview: 0, users: 0 };
  const sound = s.sound.state;
  const liveKey: MessageKey = s.live === 'open' ? 'top.live.open' : s.live === 'connecting' ? 'top.live.connecting' : 'top.live.down';

  return (
    <header class="topbar">
      <div class="brand">{t('app.name')}</div>
      <nav aria-label={t('nav.label')} class="tabs">
        {screensFor(s.session?.role).map((screen, i) => (
          <button
            key={screen}
            class={`tab ${s.screen === screen ? 'current' : ''}`}
            aria-current={s.screen === screen ? 'page' : undefined}
            aria-keyshortcuts={String(i + 1)}
            onClick={() => {
              s.screen = screen;
              s.notify('ui');
            }}
          >
            {t(SCREEN_LABEL[screen])}
            {/* The count is a glance aid; the tab's accessible name stays its plain label. */}
            {badge[screen] > 0 && (
              <span class={`badge ${screen === 'devices' || screen === 'hazards' ? 'warn' : ''}`} aria-hidden="true">
                {badge[screen]}
              </span>
            )}
          </button>
        ))}
      </nav>
      <div class="topbar-right">
        <span class={`live-dot ${s.live}`} role="status" data-live={s.live}>
          {t(liveKey)}
        </span>
        {s.data.droppedEvents > 0 && (
          <span class="live-dropped" data-dropped={s.data.droppedEvents} title={t('top.live.dropped.hint')}>
            {t('top.live.dropped', { n: s.data.droppedEvents })}
          </span>
        )}
        {sound === 'blocked' && (
          <button class="sound-blocked" onClick={() => s.sound.unlock()}>
            {t('top.sound.blocked')}
          </button>
        )}
        <button
          role="switch"
          aria-checked={s.sound.muted}
          class={`mute ${s.sound.muted ? 'on' : ''}`}
          title={t('top.mute.hint')}
          aria-keyshortcuts="M"
          data-sound={sound}
          onClick={() => toggleMute()}
        >
          <span class="knob" aria-hidden="true" />
          {t('top.mute')}
        </button>
        <LangSwitch />
        <span class="user">{s.session && t('top.user', { name: s.session.username, role: t(`role.${s.session.role}` as MessageKey) })}</span>
        <button class="signout" onClick={() => void signOut()}>
          {t('top.signout')}
        </button>
      </div>
    </header>
  );
}
