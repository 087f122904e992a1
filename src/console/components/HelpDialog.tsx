import { useEffect, useRef } from 'preact/hooks';
import { useStore } from '../services/store.ts';
import { SHORTCUT_HELP } from '../lib/shortcuts.ts';

export function HelpDialog() {
  const s = useStore('ui');
  const ref = useRef<HTMLButtonElement>(null);
  useEffect(() => ref.current?.focus(), []);
  const close = (): void => {
    s.showHelp = false;
    s.notify('ui');
  };
  return (
    <div class="modal-backdrop" onClick={close}>
      <div class="modal" role="dialog" aria-modal="true" aria-labelledby="help-title" onClick={(e) => e.stopPropagation()}>
        <h2 id="help-title">{s.t('help.title')}</h2>
        <dl class="keys-list">
          {SHORTCUT_HELP.map(([keys, msg]) => (
            <div key={keys}>
              <dt>
                <kbd>{keys}</kbd>
              </dt>
              <dd>{s.t(msg)}</dd>
            </div>
          ))}
        </dl>
        <button ref={ref} onClick={close}>
          {s.t('help.close')}
        </button>
      </div>
    </div>
  );
}
