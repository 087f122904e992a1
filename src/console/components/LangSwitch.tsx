import { LANG_NAMES, LANGS, type Lang } from '../lib/i18n.ts';
import { useStore } from '../services/store.ts';

/** 中文 / English: follows the browser until the user picks one here. */
export function LangSwitch() {
  const s = useStore();
  return (
    <label class="lang-switch">
      <span class="sr-only">{s.t('top.language')}</span>
      <select value={s.lang} onChange={(e) => s.setLang(e.currentTarget.value as Lang)}>
        {LANGS.map((l) => (
          <option key={l} value={l} lang={l === 'zh' ? 'zh-CN' : 'en'}>
            {LANG_NAMES[l]}
          </option>
        ))}
      </select>
    </label>
  );
}
