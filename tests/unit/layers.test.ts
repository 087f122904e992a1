/**
 * The layer table (DESIGN.md "Layers"), held by a test: every import in src/,
 * devices/ and simulators/ is read and each arrow the table forbids fails here,
 * named by file and line — so a shortcut taken under pressure is caught the day
 * it is written, not at the next careful read.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(fileURLToPath(new URL('../..', import.meta.url)));

interface Import {
  readonly file: string;
  readonly line: number;
  readonly spec: string;
  /** The layer of the importing file and of the imported one (or `pkg:name`). */
  readonly from: string;
  readonly to: string;
  readonly typeOnly: boolean;
}

/** A file's layer: its folder under src/ (src/api/routes apart), or the top folder. */
function layerOf(path: string): string {
  const parts = relative(ROOT, path).split('/');
  if (parts[0] !== 'src') return parts[0]!;
  if (parts.length === 2) return 'src/(root)';
  if (parts[1] === 'api' && parts[2] === 'routes') return 'src/api/routes';
  // The hub's words (both languages): data the console, the robots and the ledger export share.
  if (parts[1] === 'console' && parts[2] === 'lib' && parts[3] === 'messages') return 'src/words';
  return `src/${parts[1]}`;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'dist' && entry.name !== 'node_modules') out.push(...sources(path));
    } else if (/\.(ts|tsx|js)$/.test(entry.name) && !entry.name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const IMPORT = /(?:^|\n)\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): Import[] {
  const text = readFileSync(file, 'utf8');
  const found: Import[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const spec = (m[2] ?? m[3])!;
    const line = text.slice(0, m.index + m[0].length).split('\n').length;
    const to = spec.startsWith('.') ? layerOf(resolve(dirname(file), spec)) : `pkg:${spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]}`;
    found.push({ file: relative(ROOT, file), line, spec, from: layerOf(file), to, typeOnly: Boolean(m[1]) });
  }
  return found;
}

const ALL = ['src', 'devices', 'simulators'].flatMap((d) => sources(join(ROOT, d))).flatMap(importsOf);

/** Packages that do I/O (network, files, processes, databases): never in the pure layers. */
const IO_PACKAGES = new Set(
  ['node:fs', 'node:fs/promises', 'node:net', 'node:http', 'node:https', 'node:tls', 'node:dgram', 'node:child_process', 'node:worker_threads', 'fs', 'net', 'http', 'child_process',
    'better-sqlite3', 'mqtt', 'aedes', 'fastify', 'serialport', 'undici', 'onvif', 'influx', 'exceljs'].map((p) => `pkg:${p}`),
);

/** Layers each layer may import (besides itself and packages); the cross-cutting config types and observability are allowed where the table's spirit does. */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  'src/core': [],
  devices: ['src/core'],
  'src/transports': ['src/core', 'src/config', 'src/observability'],
  'src/store': ['src/core', 'src/config', 'src/observability', 'src/series'],
  'src/uplink': ['src/core', 'src/store', 'src/config', 'src/observability', 'src/words'],
  'src/api/routes': ['src/api', 'src/core', 'src/services', 'src/auth', 'src/config', 'src/observability', 'src/series', 'src/uplink', 'src/transports'],
  // The page: the API's schemas for types only (erased at build), and the pure domain's data (the event kinds' weights).
  'src/console': ['src/core', 'src/words'],
  'src/words': [],
  simulators: [],
};

/** Layers a layer may import types from, and nothing else (the import is erased at build). */
const MAY_IMPORT_TYPES: Readonly<Record<string, readonly string[]>> = {
  'src/console': ['src/api'],
};

function violations(): string[] {
  const out: string[] = [];
  for (const i of ALL) {
    const allowed = MAY_IMPORT[i.from];
    if (allowed === undefined || i.to === i.from) continue;
    if (i.to.startsWith('pkg:')) {
      if ((i.from === 'src/core' || i.from === 'devices') && IO_PACKAGES.has(i.to)) out.push(`${i.file}:${i.line}: ${i.from} does no I/O, but imports ${i.spec}`);
      continue;
    }
    if (i.typeOnly && MAY_IMPORT_TYPES[i.from]?.includes(i.to)) continue;
    if (!allowed.includes(i.to)) out.push(`${i.file}:${i.line}: ${i.from} may not import ${i.to} (${i.spec})`);
  }
  return out;
}

describe('the layer table', () => {
  it('reads the imports it checks (the scanner sees real arrows)', () => {
    expect(ALL.length).toBeGreaterThan(500);
    expect(ALL.some((i) => i.from === 'devices' && i.to === 'src/core')).toBe(true);
    expect(ALL.some((i) => i.from === 'src/api/routes' && i.to === 'src/services')).toBe(true);
    expect(ALL.some((i) => i.from === 'simulators' && i.to === 'pkg:mqtt')).toBe(true);
  });

  it('holds: the core and the profiles do no I/O, transports know no store or API, routes no store, simulators nothing of ours, the console only the HTTP API', () => {
    expect(violations()).toEqual([]);
  });

  it('lets the console take types from the API schemas, but not code', () => {
    const fake: Import = { file: 'src/console/x.ts', line: 1, spec: '../api/schemas.ts', from: 'src/console', to: 'src/api', typeOnly: false };
    ALL.push(fake);
    try {
      expect(violations()).toEqual(['src/console/x.ts:1: src/console may not import src/api (../api/schemas.ts)']);
    } finally {
      ALL.pop();
    }
  });

  it('would catch a forbidden arrow (the check itself can fail)', () => {
    const fake: Import = { file: 'src/api/routes/x.ts', line: 1, spec: '../../store/events.ts', from: 'src/api/routes', to: 'src/store', typeOnly: false };
    ALL.push(fake);
    try {
      expect(violations()).toEqual(['src/api/routes/x.ts:1: src/api/routes may not import src/store (../../store/events.ts)']);
    } finally {
      ALL.pop();
    }
  });
});
