import type { LoadOptions, LoadResult } from '../config/load.ts';
import { withManaged, type ManagedEntries } from '../config/load.ts';
import { diffConfig, type ConfigDiff } from '../config/diff.ts';
import type { DeviceConfig } from '../config/schema.ts';
import type { GatehouseConfig, ResolvedDevice } from '../config/types.ts';

/** Makes one part of the running hub match the new config. */
export type ConfigListener = (next: GatehouseConfig, diff: ConfigDiff) => void | Promise<void>;

export type ReloadOutcome = { readonly ok: true; readonly diff: ConfigDiff } | { readonly ok: false; readonly errors: readonly string[] };

export interface ReloadFailure {
  readonly at: number;
  readonly errors: readonly string[];
}

export interface LiveConfigDeps {
  readonly load: LoadOptions;
  /** What the store keeps besides the file: devices added through the API, cards imported. */
  readonly managed: () => ManagedEntries;
  /** What a device's own link is made of (serial, ONVIF; undefined for MQTT): a change there rebuilds the links. */
  readonly linkOf: (device: ResolvedDevice) => unknown;
  readonly now: () => number;
}

/**
 * The config the hub runs on: the file's (which pins what it lists) plus the
 * devices added through the API. A reloaded file or an API change is checked as
 * a whole and applied all or nothing; a refused one leaves the running config
 * as it was and is remembered for /healthz until a good one arrives.
 * Changes are applied one at a time, in the order they came.
 */
export class LiveConfig {
  private file: GatehouseConfig;
  private effective: GatehouseConfig;
  private failure: ReloadFailure | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners: ConfigListener[] = [];

  constructor(fileConfig: GatehouseConfig, private readonly deps: LiveConfigDeps) {
    this.file = fileConfig;
    const merged = withManaged(fileConfig, deps.managed(), deps.load);
    if (!merged.ok) throw new ConfigConflictError(merged.errors);
    this.effective = merged.config;
  }

  /** Hear of each accepted change, after the previous listeners (in the order they subscribed). */
  onChange(listener: ConfigListener): void {
    this.listeners.push(listener);
  }

  get current(): GatehouseConfig {
    return this.effective;
  }

  /** Whether the config file lists this device (then only the file changes it). */
  pins(deviceId: string): boolean {
    return this.file.devices.some((d) => d.id === deviceId);
  }

  /** The config file's own cards (imported ones may not repeat them). */
  fileCards(): readonly { readonly card: string; readonly name: string }[] {
    return this.file.cards;
  }

  /** The last refused reload, when no good one came after it. */
  get lastFailure(): ReloadFailure | undefined {
    return this.failure;
  }

  /** A re-read config file (SIGHUP, POST /api/v1/config/reload). */
  reloadFile(result: LoadResult): Promise<ReloadOutcome> {
    return this.serially(async () => {
      if (!result.ok) return this.refuse(result.errors);
      const merged = withManaged(result.config, this.deps.managed(), this.deps.load);
      if (!merged.ok) return this.refuse(merged.errors);
      this.file = result.config;
      this.failure = undefined;
      return this.switchTo(merged.config);
    });
  }

  /**
   * Would the store's entries, changed as `change` says (asked when the change's
   * turn comes, so two changes never undo each other), make a valid config with the
   * file's? `commit` writes the change to the store only if so, and the hub then
   * runs on it; otherwise nothing is written and the errors say why.
   */
  changeManaged(change: (now: ManagedEntries) => Partial<ManagedEntries>, commit: () => void): Promise<ReloadOutcome> {
    return this.serially(async () => {
      const now = this.deps.managed();
      const merged = withManaged(this.file, { ...now, ...change(now) }, this.deps.load);
      if (!merged.ok) return { ok: false, errors: merged.errors };
      commit();
      return this.switchTo(merged.config);
    });
  }

  private refuse(errors: readonly string[]): ReloadOutcome {
    this.failure = { at: this.deps.now(), errors };
    return { ok: false, errors };
  }

  private async switchTo(next: GatehouseConfig): Promise<ReloadOutcome> {
    const diff = diffConfig(this.effective, next, this.deps.linkOf);
    this.effective = next;
    for (const listener of this.listeners) await listener(next, diff);
    return { ok: true, diff };
  }

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }
}

/** The file and the devices added through the API disagree (an id in both, a zone gone): start-up stops. */
export class ConfigConflictError extends Error {
  constructor(readonly errors: readonly string[]) {
    super(`the config file and the devices added through the API disagree:\n${errors.map((e) => `  ${e}`).join('\n')}`);
  }
}
