#!/usr/bin/env -S node --max-semi-space-size=8
// The `gatehouse` command. It runs the compiled build (dist/, made by
// `npm run build`, which `npm install` / `npm ci` run through `prepare`) when
// that build is at least as new as every source file; otherwise — a source
// edited since the last build, or no build at all — it runs the TypeScript
// sources through tsx's loader, so an edit is never silently ignored.
// GATEHOUSE_FROM_SOURCE=1 always runs the sources.
//
// --max-semi-space-size=8 (MiB; Node's default is 16): V8's young generation
// otherwise grows to 2 × 16 MiB after start-up and connection bursts and stays
// there. On an edge box the 1.5 × bare-aedes memory target matters more than the
// ~5 % of peak ingest it costs (npm run bench measures both). Run this file
// directly (npx gatehouse, npm start) for the flag to apply.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { BUILT_CLI, buildIsCurrent } from './buildState.js';

const fromSource = process.env.GATEHOUSE_FROM_SOURCE === '1';
if (!fromSource && buildIsCurrent()) {
  await import(pathToFileURL(BUILT_CLI).href);
} else {
  if (!fromSource && existsSync(BUILT_CLI)) {
    process.stderr.write('gatehouse: sources changed since the last build; running them through tsx (npm run build to refresh dist/)\n');
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import('./cli.ts');
}
