import { auditEntry } from '../core/audit.ts';
import { loadConfigFile } from '../config/load.ts';
import type { ConfigDiff } from '../config/diff.ts';
import type { GatehouseConfig } from '../config/types.ts';
import type { AnyProfile } from '../core/device.ts';
import type { Actor } from '../core/actor.ts';
import { GatehouseError } from '../core/errors.ts';
import type { Logger } from '../observability/logger.ts';
import type { Metrics } from '../observability/metrics.ts';
import type { AuditLog } from '../store/audit.ts';
import type { LiveConfig, ReloadOutcome } from './liveConfig.ts';

export interface ConfigReloadDeps {
  /** The file the hub was started with (absent: a hub built from text, as tests do). */
  readonly file: string | undefined;
  readonly env: NodeJS.ProcessEnv;
  readonly profiles: ReadonlyMap<string, AnyProfile>;
  readonly live: LiveConfig;
  readonly audit: AuditLog;
  readonly metrics: Metrics;
  readonly log: Logger;
  readonly now: () => number;
  /** More checks a new file must pass (`gatehouse start` refuses the demo credentials): each line refuses it. */
  readonly vet?: ((config: GatehouseConfig) => Promise<readonly string[]>) | undefined;
}

/** Who asked for a reload: a person through the API, or the service manager's SIGHUP. */
export type ReloadRequester = Actor | 'SIGHUP';

/**
 * Re-reads the config file and hands it to the live config: logs what changed
 * (or each `path: reason` that refused it), counts it, writes it to the audit.
 */
export class ConfigReloader {
  constructor(private readonly deps: ConfigReloadDeps) {}

  async reload(by: ReloadRequester): Promise<ReloadOutcome> {
    const { file, log } = this.deps;
    if (!file) throw new GatehouseError('GH_CONFIG_NO_FILE');
    log.info({ file }, `reloading the config from ${file} (${by === 'SIGHUP' ? 'SIGHUP' : `asked by ${by.username}`})`);
    let loaded = loadConfigFile(file, { profiles: this.deps.profiles, env: this.deps.env });
    if (loaded.ok && this.deps.vet) {
      const problems = await this.deps.vet(loaded.config);
      if (problems.length > 0) loaded = { ok: false, errors: problems };
    }
    const outcome = await this.deps.live.reloadFile(loaded);
    this.deps.metrics.configReloads.inc({ outcome: outcome.ok ? 'applied' : 'refused' });
    const actor = by === 'SIGHUP' ? { username: 'system', role: 'system', source: 'SIGHUP' } : by;
    if (outcome.ok) {
      log.info({ file, ...outcome.diff }, `config reloaded: ${summary(outcome.diff)}`);
      for (const section of outcome.diff.restartNeeded) log.warn({ section }, `config: ${section} changed; it takes effect at the next restart`);
      this.deps.audit.append(auditEntry(actor, 'config.reload', { type: 'config', id: file }, 'ok', { ...outcome.diff }), this.deps.now());
    } else {
      for (const line of outcome.errors) log.error({ file }, `config reload refused: ${line}`);
      log.error({ file, errors: outcome.errors.length }, `config reload refused (${outcome.errors.length} problem(s)); the running config stays`);
      this.deps.audit.append(auditEntry(actor, 'config.reload', { type: 'config', id: file }, 'failed', { errors: outcome.errors.slice(0, 20) }), this.deps.now());
    }
    return outcome;
  }

  /** For /healthz: a refused reload not yet followed by a good one. */
  warnings(): string[] {
    const failure = this.deps.live.lastFailure;
    if (!failure) return [];
    const first = failure.errors[0] ?? '';
    return [`config: the reload at ${new Date(failure.at).toISOString()} was refused (${failure.errors.length} problem(s), first: ${first}); the hub runs on the previous config`];
  }
}

/** "devices +2 −1 ~1; zones, users applied; restart needed for http" */
export function summary(diff: ConfigDiff): string {
  const parts: string[] = [];
  if (diff.devicesAdded.length + diff.devicesRemoved.length + diff.devicesChanged.length > 0) {
    parts.push(`devices +${diff.devicesAdded.length} −${diff.devicesRemoved.length} ~${diff.devicesChanged.length}`);
  }
  const others = diff.applied.filter((s) => s !== 'devices');
  if (others.length > 0) parts.push(`${others.join(', ')} applied`);
  if (diff.restartNeeded.length > 0) parts.push(`restart needed for ${diff.restartNeeded.join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : 'no changes';
}
