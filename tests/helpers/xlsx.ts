import ExcelJS from 'exceljs';

/**
 * An XLSX workbook with one sheet, written by exceljs (the library the hub's
 * ledger export uses): numbers as numeric cells, as a card system's export has
 * them. Tests upload it as a school would.
 */
export async function xlsxOf(rows: readonly (readonly (string | number)[])[]): Promise<Buffer> {
  const workbook = new ExcelJS.Workbook();
  const sheet = workbook.addWorksheet('Cards');
  for (const row of rows) sheet.addRow([...row]);
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A zip whose directory claims one member unpacks to 4 GiB (a zip bomb's signature), for the import's refusal. */
export async function zipClaimingHugeMember(): Promise<Buffer> {
  const zip = await xlsxOf([['card', 'name']]);
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const central = zip.readUInt32LE(end + 16);
  zip.writeUInt32LE(0xffffffff, central + 24);
  return zip;
}
