import { useEffect, useState } from 'preact/hooks';
import { useStore } from '../services/store.ts';
import { attempt, refreshDevices, refreshMeta } from '../services/controller.ts';
import { deleteJson, getJson, patchJson, postJson } from '../services/api.ts';
import { formatDateTime } from '../lib/format.ts';
import type { MessageKey } from '../lib/i18n.ts';
import { ZoneOptions } from './ZoneOptions.tsx';
import { ImportPanel } from './ImportPanel.tsx';

interface ManagedView {
  readonly id: string;
  readonly profile: string;
  readonly zoneId: string;
  readonly name?: string;
  readonly role?: string;
  readonly createdAt: number;
  readonly createdBy: string;
  readonly disabledAt?: number;
}

interface Credentials {
  readonly id: string;
  readonly secret: string;
  readonly test: string;
}

interface ReloadAnswer {
  readonly summary: string;
  readonly restartNeeded: readonly string[];
}

const ROLES = ['panic-button', 'card-reader', 'door-contact', 'checkpoint', 'io-module', 'other'] as const;

/**
 * Devices for admins: add an MQTT device (its secret shown this once, with a
 * line to test it), give one a new secret (its connection closes), delete one.
 * Devices in the config file are pinned and not listed here. Also: re-read the
 * config file without a restart.
 */
export function DeviceAdmin() {
  const s = useStore('meta');
  const t = s.t;
  const [managed, setManaged] = useState<readonly ManagedView[]>([]);
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [zoneId, setZoneId] = useState('');
  const [role, setRole] = useState<(typeof ROLES)[number]>('panic-button');
  const [busy, setBusy] = useState(false);
  const [shown, setShown] = useState<Credentials | undefined>(undefined);
  const [copied, setCopied] = useState(false);
  const [reload, setReload] = useState<ReloadAnswer | undefined>(undefined);

  const load = async (): Promise<void> => {
    const list = await attempt(() => getJson<{ items: ManagedView[] }>('/api/v1/devices/managed'));
    if (list) setManaged(list.items);
  };
  useEffect(() => void load(), []);
  const zone = zoneId || s.zones[0]?.id || '';

  const show = (credentials: Credentials): void => {
    setCopied(false);
    setShown(credentials);
  };

  const add = async (e: Event): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    const created = await attempt(() => postJson<Credentials>('/api/v1/devices', { id: id.trim(), profile: 'generic', zoneId: zone, role, ...(name.trim() ? { name: name.trim() } : {}) }));
    setBusy(false);
    if (!created) return;
    setId('');
    setName('');
    show(created);
    await Promise.all([load(), refreshDevices()]);
  };

  const rotate = async (device: ManagedView): Promise<void> => {
    if (!window.confirm(t('deviceAdmin.rotate.confirm', { id: device.id }))) return;
    const answer = await attempt(() => postJson<Credentials>(`/api/v1/devices/${encodeURIComponent(device.id)}/secret`));
    if (answer) show(answer);
  };

  /** Disabled: disconnected and refused, kept with its secret to enable again (a button away for repair). */
  const toggle = async (device: ManagedView): Promise<void> => {
    const done = await attempt(() => patchJson(`/api/v1/devices/${encodeURIComponent(device.id)}`, { disabled: device.disabledAt === undefined }));
    if (done) await Promise.all([load(), refreshDevices()]);
  };

  const remove = async (device: ManagedView): Promise<void> => {
    if (!window.confirm(t('deviceAdmin.delete.confirm', { id: device.id }))) return;
    const done = await attempt(async () => {
      await deleteJson(`/api/v1/devices/${encodeURIComponent(device.id)}`);
      return true;
    });
    if (!done) return;
    if (shown?.id === device.id) setShown(undefined);
    await Promise.all([load(), refreshDevices()]);
  };

  const copy = async (text: string): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false); // no clipboard (plain http on another machine): the text is selectable
    }
  };

  const reloadConfig = async (): Promise<void> => {
    const answer = await attempt(() => postJson<ReloadAnswer>('/api/v1/config/reload'));
    if (!answer) return;
    setReload(answer);
    await Promise.all([load(), refreshDevices(), refreshMeta()]);
  };

  return (
    <section class="device-admin" aria-labelledby="device-admin-title">
      <h2 id="device-admin-title">{t('deviceAdmin.title')}</h2>
      <p class="muted">{t('deviceAdmin.hint')}</p>
      {shown && (
        <div class="credentials" role="status" data-device-id={shown.id}>
          <p>
            <strong>{t('deviceAdmin.secret.once', { id: shown.id })}</strong>
          </p>
          <label for="device-secret">{t('deviceAdmin.secret')}</label>
          <input id="device-secret" readOnly value={shown.secret} onFocus={(e) => e.currentTarget.select()} />
          <label for="device-test">{t('deviceAdmin.test')}</label>
          <textarea id="device-test" readOnly rows={3} value={shown.test} onFocus={(e) => e.currentTarget.select()} />
          <button type="button" onClick={() => void copy(shown.test)}>
            {copied ? t('deviceAdmin.copied') : t('deviceAdmin.copy')}
          </button>
          <button type="button" class="link" onClick={() => setShown(undefined)}>
            {t('deviceAdmin.secret.hide')}
          </button>
        </div>
      )}
      <table class="managed-devices">
        <thead>
          <tr>
            <th>{t('deviceAdmin.col.id')}</th>
            <th>{t('deviceAdmin.col.name')}</th>
            <th>{t('deviceAdmin.col.zone')}</th>
            <th>{t('deviceAdmin.col.role')}</th>
            <th>{t('deviceAdmin.col.added')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {managed.length === 0 && (
            <tr>
              <td colSpan={6} class="muted">
                {t('deviceAdmin.none')}
              </td>
            </tr>
          )}
          {managed.map((d) => (
            <tr key={d.id} data-managed-id={d.id} data-disabled={d.disabledAt !== undefined ? 'true' : 'false'}>
              <td>
                {d.id}
                {d.disabledAt !== undefined && <span class="badge muted" title={t('deviceAdmin.disabled')}> ({t('deviceAdmin.disabled')})</span>}
              </td>
              <td>{d.name ?? ''}</td>
              <td>{s.zones.find((z) => z.id === d.zoneId)?.name ?? d.zoneId}</td>
              <td>{d.role ? t(`deviceRole.${d.role}` as MessageKey) : ''}</td>
              <td>{t('deviceAdmin.addedBy', { by: d.createdBy, at: formatDateTime(d.createdAt) })}</td>
              <td>
                <button class="link" onClick={() => void rotate(d)} aria-label={t('deviceAdmin.rotate.label', { id: d.id })}>
                  {t('deviceAdmin.rotate')}
                </button>{' '}
                <button class="link" onClick={() => void toggle(d)}>
                  {t(d.disabledAt !== undefined ? 'deviceAdmin.enable' : 'deviceAdmin.disable')}
                </button>{' '}
                <button class="link danger" onClick={() => void remove(d)} aria-label={t('deviceAdmin.delete.label', { id: d.id })}>
                  {t('deviceAdmin.delete')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form class="side-panel device-form" aria-labelledby="device-form-title" onSubmit={add}>
        <h3 id="device-form-title">{t('deviceAdmin.add')}</h3>
        <label for="new-device-id">{t('deviceAdmin.col.id')}</label>
        <input id="new-device-id" required pattern="[A-Za-z0-9][A-Za-z0-9_.:\-]{0,63}" maxLength={64} autoComplete="off" value={id} onInput={(e) => setId(e.currentTarget.value)} />
        <label for="new-device-name">{t('deviceAdmin.col.name')}</label>
        <input id="new-device-name" maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        <label for="new-device-zone">{t('deviceAdmin.col.zone')}</label>
        <select id="new-device-zone" value={zone} onChange={(e) => setZoneId(e.currentTarget.value)}>
          <ZoneOptions zones={s.zones} />
        </select>
        <label for="new-device-role">{t('deviceAdmin.col.role')}</label>
        <select id="new-device-role" value={role} onChange={(e) => setRole(e.currentTarget.value as (typeof ROLES)[number])}>
          {ROLES.map((r) => (
            <option key={r} value={r}>
              {t(`deviceRole.${r}` as MessageKey)}
            </option>
          ))}
        </select>
        <button type="submit" class="primary" disabled={busy}>
          {t('deviceAdmin.add.submit')}
        </button>
      </form>
      <ImportPanel onDevices={() => void load()} />
      <div class="config-reload">
        <button type="button" onClick={() => void reloadConfig()}>
          {t('deviceAdmin.reload')}
        </button>
        {reload && (
          <p role="status" class="reload-result">
            {t('deviceAdmin.reload.done', { summary: reload.summary })}
          </p>
        )}
      </div>
    </section>
  );
}
