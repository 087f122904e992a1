import type { GatehouseConfig } from './types.ts';

/**
 * Rule settings that are valid but probably not what the campus meant: said
 * by `check-config` and once at start, never refused.
 */
export function ruleWarnings(config: Pick<GatehouseConfig, 'source'>): string[] {
  const rules = (config.source.rules ?? {}) as Readonly<Record<string, { readonly enabled?: boolean } | undefined>>;
  const warnings: string[] = [];
  // Before the rule registry, cameraTamper's toggle silenced video loss too; now each rule has its own.
  if (rules['cameraTamper']?.enabled === false && rules['videoLoss'] === undefined) {
    warnings.push('rules.cameraTamper is off, but camera video loss still opens incidents: it has its own toggle, rules.videoLoss (set { enabled: false } there too to silence it)');
  }
  return warnings;
}
