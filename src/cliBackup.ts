import { parseArgs } from 'node:util';
import { profileRegistry } from '../devices/index.ts';
import { loadConfigFile } from './config/load.ts';
import { createBackup } from './ops/backup.ts';
import { RestoreError, restoreBackup } from './ops/restore.ts';
import { VERSION } from './version.ts';

/** `gatehouse backup` and `gatehouse restore`: the disaster-recovery pair. */
export const BACKUP_USAGE = `  gatehouse backup --config FILE | --data-dir DIR --out ARCHIVE
                                    a consistent copy of the store while the hub runs (.tar.gz with a manifest)
  gatehouse restore --from ARCHIVE --data-dir DIR
                                    check a backup and unpack it into a new, empty DIR, ready for start`;

function dataDirOf(values: { config?: string | undefined; 'data-dir'?: string | undefined }): string {
  if (values['data-dir']) return values['data-dir'];
  if (!values.config) throw new Error('give --config FILE (its storage.dir) or --data-dir DIR');
  const result = loadConfigFile(values.config, { profiles: profileRegistry });
  if (!result.ok) throw new Error(`${values.config}: invalid config\n${result.errors.map((e) => `  ${e}`).join('\n')}`);
  return result.config.storage.dir;
}

const say = (line: string): void => void process.stderr.write(`${line}\n`);

export async function backupCommand(args: string[]): Promise<void> {
  try {
    await backup(args);
  } catch (err) {
    process.stderr.write(`gatehouse: backup failed: ${(err as Error).message}\n`);
    process.exit(1);
  }
}

async function backup(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { config: { type: 'string', short: 'c' }, 'data-dir': { type: 'string' }, out: { type: 'string', short: 'o' } } });
  if (!values.out) throw new Error('backup needs --out ARCHIVE (e.g. /var/backups/gatehouse-$(date +%F).tar.gz)');
  const started = Date.now();
  const { manifest, archive } = await createBackup({ dataDir: dataDirOf(values), out: values.out, gatehouseVersion: VERSION, onProgress: say });
  const c = manifest.counts;
  process.stdout.write(
    `backup written: ${archive} in ${((Date.now() - started) / 1000).toFixed(1)} s — ${c.events} events, ${c.incidents} incidents, ${c.hazards} hazards, ` +
      `${manifest.files.length - 1} photos, ${c.audit} audit rows (head ${manifest.auditHead.hash.slice(0, 12)}…), ${c.outbox} outbox messages\n`,
  );
}

export async function restoreCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { from: { type: 'string' }, 'data-dir': { type: 'string' } } });
  if (!values.from || !values['data-dir']) throw new Error('restore needs --from ARCHIVE --data-dir DIR');
  try {
    const manifest = await restoreBackup({ from: values.from, dataDir: values['data-dir'], onProgress: say });
    process.stdout.write(
      `restored ${values.from} (taken ${manifest.createdAt} by Gatehouse ${manifest.gatehouseVersion}) into ${values['data-dir']}: ` +
        `${manifest.counts.events} events, ${manifest.counts.audit} audit rows verified. Point storage.dir at it and run gatehouse start.\n`,
    );
  } catch (err) {
    process.stderr.write(`gatehouse: ${err instanceof RestoreError ? err.message : `restore failed: ${(err as Error).message}`}\n`);
    process.exit(1);
  }
}
