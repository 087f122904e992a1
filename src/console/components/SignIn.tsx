import { useState } from 'preact/hooks';
import { useStore } from '../services/store.ts';
import { signIn } from '../services/controller.ts';
import { ApiError } from '../services/api.ts';
import { LangSwitch } from './LangSwitch.tsx';

export function SignIn() {
  const s = useStore('ui');
  const t = s.t;
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();

  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    s.sound.unlock(); // a click: the browser now lets the alarm sound later
    setBusy(true);
    setError(undefined);
    try {
      await signIn(username.trim(), password);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) setError(t('signin.failed'));
      else if (err instanceof ApiError && err.status === 429) setError(t('signin.throttled'));
      else if (err instanceof ApiError && err.status === 0) setError(t('error.network'));
      else setError(t('error.generic', { message: (err as Error).message }));
      setBusy(false);
    }
  };

  return (
    <main class="signin">
      <form class="signin-card" onSubmit={submit} aria-labelledby="signin-title">
        <div class="signin-head">
          <div>
            <div class="brand">{t('app.name')}</div>
            <h1 id="signin-title">{t('signin.title')}</h1>
          </div>
          <LangSwitch />
        </div>
        <label for="signin-username">{t('signin.username')}</label>
        <input id="signin-username" name="username" autocomplete="username" required autoFocus value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        <label for="signin-password">{t('signin.password')}</label>
        <input id="signin-password" name="password" type="password" autocomplete="current-password" required value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        {error && (
          <p class="form-error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {busy ? t('signin.busy') : t('signin.submit')}
        </button>
      </form>
    </main>
  );
}
