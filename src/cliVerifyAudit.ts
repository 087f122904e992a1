import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { AuditLog } from './store/audit.ts';
import { compareWithHeads, parseHeads, type AuditHead } from './store/auditAnchors.ts';
import { deadline, readCapped } from './uplink/http.ts';

/**
 * `gatehouse verify-audit`: the local hash chain (edited or deleted rows), and with
 * `--county URL` or `--anchors FILE` the heads the county received (the chain cut
 * short, or rewritten and hashed again). Exit 0 only when every check passes.
 */
export const VERIFY_AUDIT_USAGE = `  gatehouse verify-audit --config FILE | --data-dir DIR [--county URL | --anchors FILE] [--campus ID]
                                    check the audit log's hash chain; names the first edited or deleted row.
                                    --county URL: also against the chain heads the county received
                                    (GET URL?campusId=…, e.g. the simulator's http://HOST:PORT/_sim/heads);
                                    --anchors FILE: the same from a file the county exported ({ "heads": [...] })`;

/** The heads answer is a list of short records; this leaves room for years of anchors and no more. */
const HEADS_CAP_BYTES = 64 * 1024 * 1024;
const HEADS_TIMEOUT_MS = 15_000;

export interface VerifyAuditOptions {
  readonly dir: string;
  readonly campusId?: string | undefined;
  readonly county?: string | undefined;
  readonly anchors?: string | undefined;
}

export async function verifyAuditCommand(options: VerifyAuditOptions): Promise<void> {
  if (options.county && options.anchors) fail('give --county URL or --anchors FILE, not both');
  if (options.county && !options.campusId) fail('--county needs the campus: --config FILE or --campus ID');
  // Fetch first: a county that cannot be asked is a failure before anything is said about the log.
  const heads = options.county ? await headsFromCounty(options.county, options.campusId!) : options.anchors ? headsFromFile(options.anchors) : undefined;

  const file = join(options.dir, 'gatehouse.db');
  if (!existsSync(file)) fail(`no database at ${file}`);
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const audit = new AuditLog(db);
    const local = audit.verify();
    let failed = false;
    // Alone, an intact chain is the verdict; with the county's heads it is only the first half of it.
    if (local.ok) process.stdout.write(`${heads ? 'local chain intact' : 'audit log ok'}: ${local.rows} rows, chain head ${local.head}\n`);
    else {
      process.stdout.write(`audit log BROKEN at row ${local.seq}: ${local.reason}\n`);
      failed = true;
    }
    if (heads) {
      const rows = audit.head().seq;
      const from = options.county ? `county (${options.campusId})` : options.anchors!;
      const verdict = compareWithHeads(rows, (seq) => audit.hashAt(seq), heads);
      if (!verdict.ok) {
        process.stdout.write(`audit log does NOT match the heads the ${from} received: ${verdict.reason}\n`);
        failed = true;
      } else if (verdict.heads === 0 && rows > 0) {
        process.stdout.write(`audit log NOT confirmed: the ${from} holds no chain heads for ${rows} local rows (is the uplink delivering?)\n`);
        failed = true;
      } else {
        const newer = rows > verdict.confirmedUpTo ? `; rows ${verdict.confirmedUpTo + 1}–${rows} are newer than its latest head and not yet confirmed by it` : '';
        process.stdout.write(`${local.ok ? 'audit log ok: ' : ''}matches the ${verdict.heads} chain heads the ${from} received (latest at row ${verdict.confirmedUpTo})${newer}\n`);
      }
    }
    if (failed) process.exitCode = 1;
  } finally {
    db.close();
  }
}

async function headsFromCounty(url: string, campusId: string): Promise<AuditHead[]> {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    fail(`--county: not a URL: ${JSON.stringify(url)}`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') fail('--county: must be an http:// or https:// URL');
  target.searchParams.set('campusId', campusId);
  const { request } = await import('undici');
  const limit = deadline(HEADS_TIMEOUT_MS);
  let status: number;
  let text: string;
  let truncated: boolean;
  try {
    const res = await request(target, { method: 'GET', signal: limit.signal, headers: { accept: 'application/json' } });
    status = res.statusCode;
    ({ text, truncated } = await readCapped(res.body, HEADS_CAP_BYTES));
  } catch (err) {
    fail(`cannot ask the county at ${target.origin}: ${limit.expired() ? `no answer within ${HEADS_TIMEOUT_MS / 1000} s` : (err as Error).message}`);
  }
  if (status !== 200) fail(`the county at ${target.origin} answers HTTP ${status}: ${text.slice(0, 200)}`);
  if (truncated) fail(`the county's answer was cut off (over ${HEADS_CAP_BYTES} bytes, or broken off)`);
  return parse(text, target.toString());
}

function headsFromFile(file: string): AuditHead[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    fail(`--anchors: cannot read ${file}: ${(err as Error).message}`);
  }
  return parse(text, file);
}

function parse(text: string, source: string): AuditHead[] {
  try {
    return parseHeads(JSON.parse(text));
  } catch (err) {
    fail(`${source}: ${err instanceof SyntaxError ? `not JSON: ${err.message}` : (err as Error).message}`);
  }
}

function fail(message: string): never {
  process.stderr.write(`gatehouse: verify-audit: ${message}\n`);
  process.exit(1);
}
