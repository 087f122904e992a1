import { readFileSync } from 'node:fs';

/** The version in package.json (reported by /healthz, the live feed and the county heartbeat). */
export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
