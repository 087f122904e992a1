import { useEffect } from 'preact/hooks';
import { useStore, store, screensFor } from '../services/store.ts';
import { acknowledge, select, toggleMute } from '../services/controller.ts';
import { activeQueue, moveSelection } from '../lib/queue.ts';
import { shortcutFor } from '../lib/shortcuts.ts';
import { SignIn } from './SignIn.tsx';
import { TopBar } from './TopBar.tsx';
import { AlarmBanner, DiskBanner, DrillBanner, StorageBanner, Toasts } from './Banners.tsx';
import { HelpDialog } from './HelpDialog.tsx';
import { QueueScreen } from './QueueScreen.tsx';
import { DevicesScreen } from './DevicesScreen.tsx';
import { HazardsScreen } from './HazardsScreen.tsx';
import { UsersScreen } from './UsersScreen.tsx';
import { OverviewScreen } from './OverviewScreen.tsx';

function typingIn(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el) return false;
  return el.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName);
}

/** Global keys: the queue's shortcuts work from anywhere on the page but never while typing. */
function onKey(e: KeyboardEvent): void {
  store.sound.unlock();
  const action = shortcutFor(e, typingIn(e.target));
  if (!action || !store.session) return;
  const queue = activeQueue(store.data.incidents.values());
  const index = queue.findIndex((i) => i.id === store.selectedId);
  switch (action.type) {
    case 'move':
      if (store.screen !== 'queue') return;
      select(queue[moveSelection(index, action.delta, queue.length)]?.id);
      break;
    case 'ack': {
      const current = queue[index];
      if (store.screen !== 'queue' || current?.status !== 'open') return;
      void acknowledge(current.id);
      break;
    }
    case 'resolve': {
      const current = queue[index];
      if (store.screen !== 'queue' || !current) return;
      select(current.id, true);
      break;
    }
    case 'mute':
      toggleMute();
      break;
    case 'screen':
      store.screen = screensFor(store.session?.role)[action.index] ?? store.screen;
      store.notify('ui');
      break;
    case 'help':
      store.showHelp = !store.showHelp;
      store.notify('ui');
      break;
    case 'escape':
      if (store.showHelp) store.showHelp = false;
      else if (typingIn(e.target)) (e.target as HTMLElement).blur();
      else store.selectedId = undefined;
      store.notify('ui');
      return;
  }
  e.preventDefault();
}

export function App() {
  const s = useStore('session', 'ui');
  useEffect(() => {
    document.documentElement.lang = s.lang === 'zh' ? 'zh-CN' : 'en';
    const unlock = (): void => s.sound.unlock();
    const offSound = s.sound.onChange(() => s.notify('sound'));
    document.addEventListener('keydown', onKey);
    document.addEventListener('pointerdown', unlock);
    return () => {
      offSound();
      document.removeEventListener('keydown', onKey);
      document.removeEventListener('pointerdown', unlock);
    };
  }, []);
  useEffect(() => {
    document.title = `${s.t('app.name')} — ${s.t('app.subtitle')}`;
  }, [s.lang]);

  if (!s.session) {
    return (
      <>
        <SignIn />
        <Toasts />
      </>
    );
  }
  return (
    <div class="shell" data-screen={s.screen} data-role={s.session.role}>
      <TopBar />
      <StorageBanner />
      <DiskBanner />
      <DrillBanner />
      <AlarmBanner />
      <main class="screen" id="main">
        {s.screen === 'queue' && <QueueScreen />}
        {s.screen === 'devices' && <DevicesScreen />}
        {s.screen === 'hazards' && <HazardsScreen />}
        {s.screen === 'overview' && <OverviewScreen />}
        {s.screen === 'users' && s.session?.role === 'admin' && <UsersScreen />}
      </main>
      <Toasts />
      {s.showHelp && <HelpDialog />}
    </div>
  );
}
