import { useState } from 'preact/hooks';
import { useStore } from '../services/store.ts';
import { attempt, refreshDevices } from '../services/controller.ts';
import { saveBlob, upload as uploadFile } from '../services/api.ts';

interface Skipped {
  readonly row: number;
  readonly reason: string;
}
interface CardsAnswer {
  readonly added: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly removed: number;
  readonly skipped: readonly Skipped[];
}
interface DevicesAnswer {
  readonly created: readonly { readonly id: string; readonly secret: string }[];
  readonly skipped: readonly Skipped[];
}

/** A CSV of new devices' secrets, for the installer's records (shown this once). */
export function credentialsCsv(created: DevicesAnswer['created']): string {
  return `id,secret\n${created.map((c) => `${c.id},${c.secret}`).join('\n')}\n`;
}

/**
 * Imports for admins: the card list exported from the school's card system
 * (CSV or XLSX; it may replace the imported list), and devices from a table
 * (their secrets offered as a download, this once). Rows not taken are listed
 * with their row numbers.
 */
export function ImportPanel({ onDevices }: { readonly onDevices: () => void }) {
  const s = useStore('meta');
  const t = s.t;
  const [replace, setReplace] = useState(false);
  const [cards, setCards] = useState<CardsAnswer | undefined>(undefined);
  const [devices, setDevices] = useState<DevicesAnswer | undefined>(undefined);

  const importCards = async (input: HTMLInputElement): Promise<void> => {
    const file = input.files?.[0];
    if (!file) return;
    const answer = await attempt(() => uploadFile<CardsAnswer>(`/api/v1/cards/import${replace ? '?replace=true' : ''}`, 'file', file));
    input.value = '';
    if (answer) setCards(answer);
  };

  const importDevices = async (input: HTMLInputElement): Promise<void> => {
    const file = input.files?.[0];
    if (!file) return;
    const answer = await attempt(() => uploadFile<DevicesAnswer>('/api/v1/devices/import', 'file', file));
    input.value = '';
    if (!answer) return;
    setDevices(answer);
    onDevices();
    await refreshDevices();
  };

  return (
    <section class="import-panel" aria-labelledby="import-title">
      <h3 id="import-title">{t('import.title')}</h3>
      <p class="muted">{t('import.hint')}</p>
      <label for="import-cards">{t('import.cards')}</label>
      <input id="import-cards" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" onChange={(e) => void importCards(e.currentTarget)} />
      <label class="check">
        <input type="checkbox" checked={replace} onChange={(e) => setReplace(e.currentTarget.checked)} />
        {t('import.replace')}
      </label>
      {cards && (
        <p role="status" class="import-result" data-import="cards">
          {t('import.cards.done', { added: cards.added, updated: cards.updated, unchanged: cards.unchanged, removed: cards.removed, skipped: cards.skipped.length })}
        </p>
      )}
      {cards && <SkippedRows rows={cards.skipped} />}
      <label for="import-devices">{t('import.devices')}</label>
      <input id="import-devices" type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" onChange={(e) => void importDevices(e.currentTarget)} />
      {devices && (
        <p role="status" class="import-result" data-import="devices">
          {t('import.devices.done', { created: devices.created.length, skipped: devices.skipped.length })}{' '}
          {devices.created.length > 0 && (
            <button type="button" onClick={() => saveBlob(new Blob([credentialsCsv(devices.created)], { type: 'text/csv' }), 'gatehouse-device-secrets.csv')}>
              {t('import.devices.download')}
            </button>
          )}
        </p>
      )}
      {devices && <SkippedRows rows={devices.skipped} />}
    </section>
  );
}

function SkippedRows({ rows }: { readonly rows: readonly Skipped[] }) {
  const t = useStore().t;
  if (rows.length === 0) return null;
  return (
    <ul class="skipped-rows" aria-label={t('import.skipped')}>
      {rows.map((r) => (
        <li key={r.row}>{t('import.row', { row: r.row, reason: r.reason })}</li>
      ))}
    </ul>
  );
}
