import { readTable, TableFileError } from './ops/tableFile.ts';

/**
 * `gatehouse read-table`: a CSV or XLSX on stdin, its rows as JSON on stdout.
 * The hub runs it as a child process for imports, so a large or hostile sheet
 * costs that process's CPU and heap, never the event loop that takes panics.
 */
export async function readTableCommand(stdin: AsyncIterable<Buffer>): Promise<number> {
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(chunk);
  try {
    const rows = await readTable(Buffer.concat(chunks));
    process.stdout.write(JSON.stringify(rows));
    return 0;
  } catch (err) {
    process.stderr.write(`gatehouse: ${err instanceof TableFileError ? err.message : `cannot read the table: ${(err as Error).message}`}\n`);
    return 1;
  }
}
