import { useEffect, useState } from 'preact/hooks';
import { useStore } from '../services/store.ts';
import { attempt } from '../services/controller.ts';
import { getJson, patchJson, postJson, upload } from '../services/api.ts';
import { isOfficer } from '../services/session.ts';
import { formatDateTime } from '../lib/format.ts';
import { translateOptional, type MessageKey } from '../lib/i18n.ts';
import type { HazardDetail as Detail } from '../lib/types.ts';
import { AuthImage } from './AuthImage.tsx';

/** One hazard: facts, history, evidence; officers move it to rectifying or close it with a note and a photo. */
export function HazardDetail({ id, stamp, onClose }: { readonly id: string; readonly stamp: number; readonly onClose: () => void }) {
  const s = useStore('session', 'meta');
  const t = s.t;
  const [h, setH] = useState<Detail | undefined>();
  const [reload, setReload] = useState(0);
  useEffect(() => {
    void attempt(() => getJson<Detail>(`/api/v1/hazards/${encodeURIComponent(id)}`)).then((d) => d && setH(d));
  }, [id, stamp, reload]);
  if (!h) return <aside class="side-panel muted">{t('detail.loading')}</aside>;
  const base = `/api/v1/hazards/${encodeURIComponent(h.id)}`;

  return (
    <aside class={`side-panel hazard-detail ${h.overdue ? 'overdue' : ''}`} aria-labelledby="hz-detail-title" data-hazard-detail={h.id}>
      <header class="detail-head">
        <h2 id="hz-detail-title">{h.title}</h2>
        <button class="link close" aria-label={t('detail.close')} onClick={onClose}>
          ×
        </button>
      </header>
      <dl class="facts">
        <dt>{t('hazards.col.status')}</dt>
        <dd>
          {t(`hazard.status.${h.status}` as MessageKey)}
          {h.overdue && <span class="overdue-tag">{t('hazards.overdue')}</span>}
        </dd>
        <dt>{t('hazards.col.category')}</dt>
        <dd>{translateOptional(s.lang, `hazard.category.${h.category}`, h.category)}</dd>
        <dt>{t('hazards.col.zone')}</dt>
        <dd>{s.zoneName(h.zoneId)}</dd>
        <dt>{t('hazards.col.responsible')}</dt>
        <dd>{h.responsible}</dd>
        <dt>{t('hazards.col.deadline')}</dt>
        <dd class={h.overdue ? 'bad-text' : ''}>{h.deadline}</dd>
      </dl>
      {h.description && <p class="note">{h.description}</p>}
      <p class="muted small">{t('hazard.reportedBy', { name: h.createdBy, time: formatDateTime(h.createdAt) })}</p>
      {h.closedAt && <p class="small">{t('hazard.closedBy', { name: h.closedBy ?? '', time: formatDateTime(h.closedAt) })}</p>}
      {h.evidence.length > 0 && (
        <section aria-labelledby="hz-evidence">
          <h3 id="hz-evidence">{t('hazard.evidence')}</h3>
          <div class="snapshots">
            {h.evidence.map((e) => (
              <AuthImage key={e.id} src={`${base}/evidence/${encodeURIComponent(e.id)}`} alt={t('hazard.evidence.alt', { name: e.uploadedBy })} class="snapshot" />
            ))}
          </div>
        </section>
      )}
      {isOfficer(s.session) && h.status !== 'closed' && <OfficerActions base={base} status={h.status} onChanged={() => setReload((n) => n + 1)} />}
      <section aria-labelledby="hz-history">
        <h3 id="hz-history">{t('hazard.history')}</h3>
        <ol class="timeline">
          {h.history.map((e, k) => (
            <li key={k}>
              <time>{formatDateTime(e.at)}</time>
              <span class="tl-type">{translateOptional(s.lang, `hazard.action.${e.action}`, e.action)}</span>
              <span class="tl-text">
                {e.actor}
                {e.note && ` — ${e.note}`}
              </span>
            </li>
          ))}
        </ol>
      </section>
    </aside>
  );
}

/** Officer and admin only: the guard never sees these (the API refuses them too). */
function OfficerActions({ base, status, onChanged }: { readonly base: string; readonly status: string; readonly onChanged: () => void }) {
  const s = useStore();
  const t = s.t;
  const [note, setNote] = useState('');
  const [photo, setPhoto] = useState<File | undefined>();
  const [busy, setBusy] = useState(false);

  const rectify = async (): Promise<void> => {
    if (!note.trim()) return s.toast(t('error.required'));
    setBusy(true);
    if (await attempt(() => patchJson(base, { status: 'rectifying', note: note.trim() }))) setNote('');
    setBusy(false);
    onChanged();
  };
  const close = async (e: Event): Promise<void> => {
    e.preventDefault();
    if (!note.trim()) return s.toast(t('error.required'));
    setBusy(true);
    const uploaded = photo ? await attempt(() => upload(`${base}/evidence`, 'file', photo)) : true;
    if (uploaded && (await attempt(() => postJson(`${base}/close`, { note: note.trim() })))) setNote('');
    setBusy(false);
    onChanged();
  };

  return (
    <form class="officer-actions" data-officer-only="hazard" onSubmit={close} aria-labelledby="hz-close-title">
      <h3 id="hz-close-title">{t('hazard.close')}</h3>
      <label for="hz-note">{t('hazard.close.note')}</label>
      <textarea id="hz-note" rows={3} required value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      <label for="hz-photo">{t('hazard.close.photo')}</label>
      <input id="hz-photo" type="file" accept="image/jpeg,image/png,image/webp" onChange={(e) => setPhoto(e.currentTarget.files?.[0])} />
      <div class="form-actions">
        {status === 'open' && (
          <button type="button" disabled={busy} onClick={() => void rectify()}>
            {t('hazard.rectify')}
          </button>
        )}
        <button type="submit" class="primary" disabled={busy}>
          {t('hazard.close.submit')}
        </button>
      </div>
    </form>
  );
}
