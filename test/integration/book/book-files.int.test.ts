import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, errorCode } from '../../support/app.js';
import { type Brokerage, createBrokerage } from '../../support/brokerage.js';

const app = createTestApp();
let b: Brokerage;

const IMPORT = `mutation($i: ImportBookInput!) { importBook(input: $i) {
  total created duplicates createdIds rejected { row externalId errors { column field message } } } }`;
const EXPORT = `mutation($i: ExportBookInput!) { exportBook(input: $i) { url expiresAt fileName rowCount truncated } }`;

interface Report {
  total: number;
  created: number;
  duplicates: number;
  createdIds: string[];
  rejected: Array<{
    row: number;
    externalId: string | null;
    errors: Array<{ column: string | null; field: string | null; message: string }>;
  }>;
}

const CLIENT_CSV = [
  'Číslo;Jméno;Příjmení;Rodné číslo;Narozen;E-mail;Segment;Poradce',
  'C-1;Jana;Nováková;855101/1234;1985-01-01;jana@example.com;INDIVIDUAL;ADVISOR_EMAIL',
  'C-2;Petr;Svoboda;790101/2222;1979-02-30;petr@example.com;INDIVIDUAL;ADVISOR_EMAIL',
  'C-3;Eva;Dvořáková;855101/1234;1985-01-01;eva@example.com;INDIVIDUAL;ADVISOR_EMAIL',
  'C-4;Karel;Černý;700101/0001;1970-01-01;karel@example.com;VIP;nobody@example.com',
  'C-5;Lucie;Malá;;1992-05-05;lucie@example.com;BUSINESS;ADVISOR_EMAIL',
].join('\n');

const CLIENT_MAPPING = [
  { column: 'Číslo', field: 'externalId' },
  { column: 'Jméno', field: 'firstName' },
  { column: 'Příjmení', field: 'lastName' },
  { column: 'Rodné číslo', field: 'nationalId' },
  { column: 'Narozen', field: 'birthDate' },
  { column: 'E-mail', field: 'email' },
  { column: 'Segment', field: 'segment' },
  { column: 'Poradce', field: 'ownerAdvisorEmail' },
];

/** The client CSV with a kind and acquisition column, as a brokerage's old system would export it. */
function clientImportInput(): Record<string, unknown> {
  const csv = CLIENT_CSV.split('\n')
    .map((line, i) => `${line};${i === 0 ? 'Typ' : 'PERSON'};${i === 0 ? 'Získán' : 'ADVISOR'}`)
    .join('\n')
    .replaceAll('ADVISOR_EMAIL', `adam@${b.tenantId}.test`);
  return {
    kind: 'CLIENTS',
    format: 'CSV',
    contentBase64: Buffer.from(csv).toString('base64'),
    mapping: [
      ...CLIENT_MAPPING,
      { column: 'Typ', field: 'kind' },
      { column: 'Získán', field: 'acquisitionType' },
    ],
  };
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Import Export Brokerage');
});

describe('import and export of the book', () => {
  it('imports valid client rows, rejects bad ones with the column at fault, and a re-import creates nothing', async () => {
    const first = await app.exec<{ importBook: Report }>(b.as.manager, IMPORT, { i: clientImportInput() });
    expect(first.errors).toBeUndefined();
    const report = first.data?.importBook as Report;
    expect(report).toMatchObject({ total: 5, created: 2, duplicates: 0 });
    expect(report.rejected.map((r) => [r.row, r.externalId, r.errors[0]?.column])).toEqual([
      [3, 'C-2', 'Narozen'],
      [4, 'C-3', 'Rodné číslo'],
      [5, 'C-4', 'Poradce'],
    ]);
    const again = await app.exec<{ importBook: Report }>(b.as.manager, IMPORT, { i: clientImportInput() });
    expect(again.data?.importBook).toMatchObject({ total: 5, created: 0, duplicates: 2 });
    expect(again.data?.importBook.rejected).toHaveLength(3);
  });

  it('imports policies from XLSX, finding clients by external id and insurers by name, idempotently', async () => {
    const client = await app.services.clients.records.createClient(b.as.advisor, {
      kind: 'PERSON',
      firstName: 'Import',
      lastName: 'Target',
      segment: 'INDIVIDUAL',
      acquisitionType: 'ADVISOR',
      externalId: 'XL-CLIENT-1',
    });
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Smlouvy');
    sheet.addRow([
      'Ext',
      'Klient',
      'Pojišťovna',
      'Produkt',
      'Číslo smlouvy',
      'Pojistné',
      'Sjednáno',
      'Od',
      'Do',
      'SPZ',
      'VIN',
    ]);
    const day = (iso: string) => new Date(`${iso}T00:00:00Z`);
    sheet.addRow([
      'P-1',
      'XL-CLIENT-1',
      'Kooperativa',
      'MTPL',
      'XL 001',
      4321.5,
      day('2026-03-01'),
      day('2026-03-01'),
      day('2027-02-28'),
      '1AB2345',
      'VIN0001',
    ]);
    sheet.addRow([
      'P-2',
      'XL-CLIENT-1',
      'Unknown Insurance',
      'MTPL',
      'XL 002',
      100,
      day('2026-03-01'),
      day('2026-03-01'),
      day('2027-02-28'),
      '1AB2346',
      'VIN0002',
    ]);
    sheet.addRow([
      'P-3',
      'XL-CLIENT-1',
      'Allianz',
      'MTPL',
      'XL 003',
      999.99,
      day('2026-03-01'),
      day('2026-03-01'),
      day('2027-02-28'),
      '',
      'VIN0003',
    ]);
    const content = Buffer.from(await workbook.xlsx.writeBuffer()).toString('base64');
    const input = {
      kind: 'POLICIES',
      format: 'XLSX',
      contentBase64: content,
      mapping: [
        { column: 'Ext', field: 'externalId' },
        { column: 'Klient', field: 'clientExternalId' },
        { column: 'Pojišťovna', field: 'insurerName' },
        { column: 'Produkt', field: 'productLineCode' },
        { column: 'Číslo smlouvy', field: 'policyNumber' },
        { column: 'Pojistné', field: 'premium.amount' },
        { column: 'Sjednáno', field: 'writtenDate' },
        { column: 'Od', field: 'termStart' },
        { column: 'Do', field: 'termEnd' },
        { column: 'SPZ', field: 'vehicle.registrationPlate' },
        { column: 'VIN', field: 'vehicle.vin' },
      ],
    };
    const first = await app.exec<{ importBook: Report }>(b.as.backoffice, IMPORT, { i: input });
    expect(first.errors).toBeUndefined();
    expect(first.data?.importBook).toMatchObject({ total: 3, created: 1, duplicates: 0 });
    expect(first.data?.importBook.rejected.map((r) => [r.row, r.errors.map((e) => e.column)])).toEqual([
      [3, ['Pojišťovna']],
      [4, ['SPZ']],
    ]);
    const policy = await app.services.policies.reads.getPolicy(
      b.admin,
      first.data?.importBook.createdIds[0] ?? '',
    );
    expect(policy).toMatchObject({
      clientId: client.id,
      policyNumber: 'XL001',
      premium: { amount: '4321.50', currency: 'EUR' },
      source: 'IMPORT',
      termEnd: '2027-02-28',
    });
    const again = await app.exec<{ importBook: Report }>(b.as.backoffice, IMPORT, { i: input });
    expect(again.data?.importBook).toMatchObject({ created: 0, duplicates: 1 });
  });

  it('refuses a mapping without external ids and an advisor importing at all', async () => {
    const noExternal = await app.exec(b.as.admin, IMPORT, {
      i: {
        kind: 'CLIENTS',
        format: 'CSV',
        contentBase64: Buffer.from('a\n1').toString('base64'),
        mapping: [{ column: 'a', field: 'email' }],
      },
    });
    expect(errorCode(noExternal)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(noExternal.errors)).toContain('input.mapping');
    const advisor = await app.exec(b.as.advisor, IMPORT, {
      i: {
        kind: 'CLIENTS',
        format: 'CSV',
        contentBase64: 'YQ==',
        mapping: [{ column: 'a', field: 'externalId' }],
      },
    });
    expect(errorCode(advisor)).toBe('FORBIDDEN');
  });

  it('exports the caller’s own client list to CSV behind an expiring link', async () => {
    await app.services.clients.records.createClient(b.as.subAgent, {
      kind: 'PERSON',
      firstName: 'Only',
      lastName: 'Mine',
      segment: 'INDIVIDUAL',
      acquisitionType: 'ADVISOR',
      status: 'ACTIVE',
    });
    const result = await app.exec<{
      exportBook: { url: string; fileName: string; rowCount: number; expiresAt: string };
    }>(b.as.subAgent, EXPORT, { i: { kind: 'CLIENTS', format: 'CSV', clientFilter: { status: 'ACTIVE' } } });
    expect(result.errors).toBeUndefined();
    const exported = result.data?.exportBook;
    expect(exported?.rowCount).toBe(1);
    expect(exported?.url).toMatch(/^memory:\/\/test-reports\/.+\/exports\/.+\.csv\?expires=900$/);
    const key = exported?.url.replace('memory://', '').split('?')[0] ?? '';
    const body = app.objects.objects.get(key)?.body as string;
    const rows = parse(body, { columns: true, bom: true }) as Array<Record<string, string>>;
    expect(rows.map((r) => [r.name, r.status, r.ownerAdvisorId])).toEqual([
      ['Mine Only', 'ACTIVE', b.subAgentId],
    ]);
  });

  it('exports policies to XLSX with insurer names', async () => {
    const result = await app.exec<{ exportBook: { url: string; rowCount: number } }>(b.as.admin, EXPORT, {
      i: { kind: 'POLICIES', format: 'XLSX', policyFilter: { insurerId: b.insurerId } },
    });
    expect(result.errors).toBeUndefined();
    const key = result.data?.exportBook.url.replace('memory://', '').split('?')[0] ?? '';
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(app.objects.objects.get(key)?.body as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    expect(sheet?.getRow(1).getCell(3).value).toBe('insurer');
    expect(sheet?.getRow(2).getCell(2).value).toBe('XL001');
    expect(sheet?.getRow(2).getCell(3).value).toBe('Kooperativa');
    expect(result.data?.exportBook.rowCount).toBe(1);
  });
});
