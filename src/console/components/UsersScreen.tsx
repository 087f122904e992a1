import { useEffect, useState } from 'preact/hooks';
import { store, useStore } from '../services/store.ts';
import { attempt } from '../services/controller.ts';
import { deleteJson, getJson, patchJson, postJson } from '../services/api.ts';
import { formatDateTime } from '../lib/format.ts';
import type { MessageKey } from '../lib/i18n.ts';

interface UserView {
  readonly username: string;
  readonly role: 'guard' | 'officer' | 'admin';
  readonly name?: string;
  readonly source: 'config' | 'api';
  readonly createdAt?: number;
  readonly createdBy?: string;
  readonly disabledAt?: number;
}

const ROLES = ['guard', 'officer', 'admin'] as const;

/**
 * Users (admins only): who may sign in. Users from the config file are listed
 * as pinned (changed in the file); the others are added and deleted here. A
 * deleted user is signed out everywhere at once.
 */
export function UsersScreen() {
  const s = useStore('session', 'meta');
  const t = s.t;
  const [users, setUsers] = useState<readonly UserView[] | undefined>(undefined);
  const [username, setUsername] = useState('');
  const [role, setRole] = useState<(typeof ROLES)[number]>('guard');
  const [password, setPassword] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);

  const load = async (): Promise<void> => {
    const list = await attempt(() => getJson<{ items: UserView[] }>('/api/v1/users'));
    if (list) setUsers(list.items);
  };
  useEffect(() => void load(), []);

  const add = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    const created = await attempt(() => postJson<UserView>('/api/v1/users', { username: username.trim(), role, password, ...(name.trim() ? { name: name.trim() } : {}) }));
    setBusy(false);
    if (!created) return;
    setUsername('');
    setPassword('');
    setName('');
    await load();
  };

  const remove = async (user: UserView): Promise<void> => {
    if (!window.confirm(t('users.delete.confirm', { name: user.username }))) return;
    const done = await attempt(async () => {
      await deleteJson(`/api/v1/users/${encodeURIComponent(user.username)}`);
      return true;
    });
    if (done) await load();
  };

  /** Disabled: cannot sign in, signed out everywhere at once; kept to enable again. */
  const toggle = async (user: UserView): Promise<void> => {
    const disabled = user.disabledAt === undefined;
    if (disabled && !window.confirm(t('users.disable.confirm', { name: user.username }))) return;
    const done = await attempt(() => patchJson(`/api/v1/users/${encodeURIComponent(user.username)}`, { disabled }));
    if (done) await load();
  };

  const reset = async (user: UserView): Promise<void> => {
    const password = window.prompt(t('users.reset.prompt', { name: user.username }));
    if (!password) return;
    const done = await attempt(async () => {
      await postJson(`/api/v1/users/${encodeURIComponent(user.username)}/password`, { newPassword: password });
      return true;
    });
    if (done) store.toast(t('users.reset.done', { name: user.username }), 'info');
  };

  return (
    <section class="screen users" aria-labelledby="users-title">
      <h1 id="users-title">{t('users.title')}</h1>
      <p class="muted">{t('users.hint')}</p>
      <table class="users-table">
        <thead>
          <tr>
            <th>{t('users.col.username')}</th>
            <th>{t('users.col.name')}</th>
            <th>{t('users.col.role')}</th>
            <th>{t('users.col.source')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(users ?? []).map((u) => (
            <tr key={u.username} data-username={u.username} data-source={u.source} data-disabled={u.disabledAt !== undefined ? 'true' : 'false'} class={u.disabledAt !== undefined ? 'disabled' : undefined}>
              <td>
                {u.username}
                {u.disabledAt !== undefined && <span class="badge muted"> {t('users.disabled')}</span>}
              </td>
              <td>{u.name ?? ''}</td>
              <td>{t(`role.${u.role}` as MessageKey)}</td>
              <td>{u.source === 'config' ? t('users.source.config') : t('users.source.api', { by: u.createdBy ?? '', at: u.createdAt ? formatDateTime(u.createdAt) : '' })}</td>
              <td>
                {u.source === 'api' && u.username !== s.session?.username && (
                  <button class="link" onClick={() => void reset(u)} aria-label={t('users.reset.label', { name: u.username })}>
                    {t('users.reset')}
                  </button>
                )}{' '}
                {u.source === 'api' && u.username !== s.session?.username && (
                  <button class="link" onClick={() => void toggle(u)} aria-label={t(u.disabledAt !== undefined ? 'users.enable.label' : 'users.disable.label', { name: u.username })}>
                    {t(u.disabledAt !== undefined ? 'users.enable' : 'users.disable')}
                  </button>
                )}{' '}
                {u.source === 'api' && u.username !== s.session?.username && (
                  <button class="link danger" onClick={() => void remove(u)} aria-label={t('users.delete.label', { name: u.username })}>
                    {t('users.delete')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="side-panel user-form" aria-labelledby="user-form-title" onSubmit={add}>
        <h2 id="user-form-title">{t('users.add')}</h2>
        <label for="user-name">{t('users.col.username')}</label>
        <input id="user-name" required pattern="[A-Za-z0-9._\-]{1,64}" maxLength={64} autoComplete="off" value={username} onInput={(e) => setUsername(e.currentTarget.value)} />
        <label for="user-fullname">{t('users.col.name')}</label>
        <input id="user-fullname" maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="user-role">{t('users.col.role')}</label>
        <select id="user-role" value={role} onChange={(e) => setRole(e.currentTarget.value as (typeof ROLES)[number])}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`role.${r}` as MessageKey)}
            </option>
          ))}
        </select>
        <label for="user-password">{t('users.password')}</label>
        <input id="user-password" type="password" required minLength={12} maxLength={1024} autoComplete="new-password" value={password} onInput={(e) => setPassword(e.currentTarget.value)} />
        <button type="submit" class="primary" disabled={busy}>
          {t('users.add.submit')}
        </button>
      </form>
    </section>
  );
}
