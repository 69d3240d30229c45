import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, errorCode, type GraphQLResult } from '../support/app.js';
import { type Brokerage, createBrokerage, fieldPaths, mtplInput, personInput } from '../support/brokerage.js';
import { mtplSchemeInput } from './commissions/commission-fixtures.js';

/**
 * Each input break of issue 11 over the real server and DynamoDB Local: what used to answer
 * INTERNAL_SERVER_ERROR, round silently or be accepted is refused with BAD_USER_INPUT and the
 * field path a form can highlight.
 */
const app = createTestApp();
let b: Brokerage;
let clientId: string;

const CREATE_CLIENT = 'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }';
const WRITE_POLICY = 'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id version termEnd } }';
const CREATE_INVOICE =
  'mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { id total { amount } } }';
const ISSUE_INVOICE = 'mutation($i: IssueInvoiceInput!) { issueInvoice(input: $i) { id } }';
const REGISTER_PAYMENT = 'mutation($i: RegisterPaymentInput!) { registerPayment(input: $i) { id } }';
const ADJUST = 'mutation($i: AdjustCommissionLineInput!) { adjustCommissionLine(input: $i) { id } }';

function refused(result: GraphQLResult, paths: string[]): void {
  expect(errorCode(result), JSON.stringify(result.errors)).toBe('BAD_USER_INPUT');
  expect(fieldPaths(result)).toEqual(paths);
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Input Brokerage');
  const client = await app.exec<{ createClient: { id: string } }>(b.as.advisor, CREATE_CLIENT, {
    i: personInput({ email: `input@${b.tenantId}.test` }),
  });
  clientId = client.data?.createClient.id ?? '';
});

describe('ids are checked before any key is built', () => {
  it.each([
    ['a key separator', 'a#b'],
    ['another tenant key', 'T#other#CLIENT#x'],
    ['a slash', 'a/b'],
    ['an empty id', ''],
    ['a 5,000-character id', 'x'.repeat(5000)],
  ])('answers BAD_USER_INPUT with its path for %s, never INTERNAL_SERVER_ERROR', async (_label, id) => {
    refused(await app.exec(b.admin, 'query($id: ID!) { client(id: $id) { id } }', { id }), ['id']);
    refused(await app.exec(b.admin, ISSUE_INVOICE, { i: { id } }), ['input.id']);
    refused(
      await app.exec(b.admin, 'mutation($i: UpdatePartnerInput!) { updatePartner(input: $i) { id } }', {
        i: { id, expectedVersion: 1 },
      }),
      ['input.id'],
    );
    refused(await app.exec(b.as.advisor, WRITE_POLICY, { i: mtplInput(b, id) }), ['input.clientId']);
  });
});

describe('lengths, amounts, scale and dates', () => {
  it('refuses a 100 KB e-mail address instead of overflowing the key size', async () => {
    const email = `${'a'.repeat(100_000)}@example.com`;
    refused(await app.exec(b.as.advisor, CREATE_CLIENT, { i: personInput({ email }) }), ['input.email']);
  });

  it('refuses a 15-digit premium, so the commission consumer never sees it', async () => {
    const result = await app.exec(b.as.advisor, WRITE_POLICY, {
      i: mtplInput(b, clientId, { premium: { amount: '123456789012345', currency: 'CZK' } }),
    });
    refused(result, ['input.premium.amount']);
  });

  it('refuses 0.001 EUR on a policy instead of rounding it to 0.00, as it refuses 0', async () => {
    for (const amount of ['0.001', '0', '0.00']) {
      const result = await app.exec(b.as.advisor, WRITE_POLICY, {
        i: mtplInput(b, clientId, { premium: { amount, currency: 'EUR' } }),
      });
      refused(result, ['input.premium.amount']);
    }
  });

  it('refuses 15-digit and sub-cent invoice amounts with the line path', async () => {
    const invoice = (unitPrice: string, quantity = '1') =>
      app.exec(b.as.advisor, CREATE_INVOICE, {
        i: {
          clientId,
          currency: 'EUR',
          dueDate: '2030-01-31',
          lines: [{ description: 'Fee', quantity, unitPrice }],
        },
      });
    refused(await invoice('123456789012345'), ['input.lines.0.unitPrice']);
    refused(await invoice('10.001'), ['input.lines.0.unitPrice']);
    refused(await invoice('999999999', '1000'), ['input.lines']);
    const fine = await invoice('10.10', '3');
    expect(fine.errors).toBeUndefined();
    expect(fine.data).toMatchObject({ createInvoice: { total: { amount: '30.30' } } });
  });

  it('refuses 15-digit and sub-cent payments with the amount path', async () => {
    const draft = await app.exec<{ createInvoice: { id: string } }>(b.as.advisor, CREATE_INVOICE, {
      i: {
        clientId,
        currency: 'EUR',
        dueDate: '2030-01-31',
        lines: [{ description: 'Fee', unitPrice: '100.00' }],
      },
    });
    const invoiceId = draft.data?.createInvoice.id ?? '';
    expect((await app.exec(b.as.backoffice, ISSUE_INVOICE, { i: { id: invoiceId } })).errors).toBeUndefined();
    const pay = (amount: string) =>
      app.exec(b.as.backoffice, REGISTER_PAYMENT, {
        i: { invoiceId, amount, currency: 'EUR', paidDate: '2026-02-01' },
      });
    refused(await pay('123456789012345.12'), ['input.amount']);
    refused(await pay('0.001'), ['input.amount']);
  });

  it('refuses a 15-digit adjustment with the amount path', async () => {
    refused(
      await app.exec(b.as.manager, ADJUST, {
        i: { lineId: 'some-line', amount: '123456789012345', reason: 'x' },
      }),
      ['input.amount'],
    );
  });

  it.each(['9999-12-31', '0001-01-01', '2101-01-01'])(
    'refuses the written date %s (dates lie within 1900..2100)',
    async (writtenDate) => {
      const result = await app.exec(b.as.advisor, WRITE_POLICY, {
        i: mtplInput(b, clientId, { writtenDate }),
      });
      expect(errorCode(result)).toBe('BAD_USER_INPUT');
      expect(result.errors?.[0]?.message).toMatch(/between 1900-01-01 and 2100-12-31/);
    },
  );
});

describe('renewals', () => {
  it('refuses a renewal that overlaps its predecessor, and renews from the day after its end', async () => {
    const first = await app.exec<{ writePolicy: { id: string; version: number; termEnd: string } }>(
      b.as.advisor,
      WRITE_POLICY,
      { i: mtplInput(b, clientId) },
    );
    const policy = first.data?.writePolicy;
    const renew = (termStart: string, termEnd: string) =>
      app.exec(b.as.advisor, 'mutation($i: RenewPolicyInput!) { renewPolicy(input: $i) { id } }', {
        i: {
          id: policy?.id,
          expectedVersion: policy?.version,
          premium: { amount: '12600.00', currency: 'CZK' },
          writtenDate: '2026-12-20',
          termStart,
          termEnd,
        },
      });
    expect(policy?.termEnd).toBe('2027-01-14');
    refused(await renew('2026-06-01', '2027-05-31'), ['input.termStart']);
    refused(await renew('2027-01-14', '2028-01-13'), ['input.termStart']);
    expect((await renew('2027-01-15', '2028-01-14')).errors).toBeUndefined();
  });
});

describe('scheme match conditions', () => {
  const CREATE_SCHEME =
    'mutation($i: CreateCommissionSchemeInput!) { createCommissionScheme(input: $i) { id } }';

  function schemeMatching(match: Record<string, unknown>) {
    const input = mtplSchemeInput('Matching');
    const [version] = input.versions;
    const [rule, ...rest] = version?.rules ?? [];
    return { ...input, versions: [{ ...version, rules: [{ ...rule, match }, ...rest] }] };
  }

  it("refuses unknown and other tenants' ids with the condition's path", async () => {
    const other = await createBrokerage(app, 'Other Scheme Brokerage');
    const result = await app.exec(b.as.manager, CREATE_SCHEME, {
      i: schemeMatching({
        insurerIds: [b.insurerId, other.insurerId],
        productLines: ['MTPL', 'NO-SUCH-LINE'],
        recipientUserId: 'not-a-user',
      }),
    });
    refused(result, [
      'input.versions.0.rules.0.match.insurerIds.1',
      'input.versions.0.rules.0.match.recipientUserId',
      'input.versions.0.rules.0.match.productLines.1',
    ]);
  });

  it('accepts conditions that name ids and codes of this brokerage', async () => {
    const result = await app.exec(b.as.manager, CREATE_SCHEME, {
      i: schemeMatching({ insurerIds: [b.insurerId], productLines: ['MTPL', b.propertyId] }),
    });
    expect(result.errors).toBeUndefined();
  });
});

describe('files', () => {
  const IMPORT = 'mutation($i: ImportBookInput!) { importBook(input: $i) { total created } }';
  const mapping = [{ column: 'id', field: 'externalId' }];

  it('refuses garbage base64 instead of importing nothing', async () => {
    const result = await app.exec(b.admin, IMPORT, {
      i: { kind: 'CLIENTS', format: 'CSV', contentBase64: '!!!not base64!!!', mapping },
    });
    refused(result, ['input.contentBase64']);
  });

  it('refuses a file that is not of the stated type', async () => {
    const csv = Buffer.from('id,firstName\nx-1,Jan\n').toString('base64');
    refused(
      await app.exec(b.admin, IMPORT, {
        i: { kind: 'CLIENTS', format: 'XLSX', contentBase64: csv, mapping },
      }),
      ['input.contentBase64'],
    );
    const binary = Buffer.from([0x50, 0x4b, 0x03, 0x04, 0, 0, 0xff]).toString('base64');
    refused(
      await app.exec(b.admin, IMPORT, {
        i: { kind: 'CLIENTS', format: 'CSV', contentBase64: binary, mapping },
      }),
      ['input.contentBase64'],
    );
  });

  it('neutralises spreadsheet formulas in CSV and XLSX exports', async () => {
    const formulas = ['=HYPERLINK("http://evil.example","x")', '+1+1', '-2+3', '@SUM(A1)'];
    for (const [i, formula] of formulas.entries()) {
      const created = await app.exec(b.as.advisor, CREATE_CLIENT, {
        i: personInput({
          externalId: `${formula}${i}`,
          lastName: `Formula${i}`,
          email: `f${i}@${b.tenantId}.test`,
        }),
      });
      expect(created.errors).toBeUndefined();
    }
    const exported = async (format: string) => {
      const result = await app.exec<{ exportBook: { url: string } }>(
        b.as.advisor,
        'mutation($i: ExportBookInput!) { exportBook(input: $i) { url } }',
        { i: { kind: 'CLIENTS', format } },
      );
      expect(result.errors).toBeUndefined();
      return app.objects.objects.get(result.data?.exportBook.url.replace('memory://', '').split('?')[0] ?? '')
        ?.body as string | Uint8Array;
    };
    const csvRows = parse(await exported('CSV'), { columns: true, bom: true }) as Array<
      Record<string, string>
    >;
    const ids = csvRows.filter((r) => r.name?.includes('Formula')).map((r) => r.externalId ?? '');
    expect(ids.sort()).toEqual(
      [`'+1+11`, `'-2+32`, `'=HYPERLINK("http://evil.example","x")0`, `'@SUM(A1)3`].sort(),
    );

    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await exported('XLSX')) as unknown as ArrayBuffer);
    const cells: string[] = [];
    workbook.worksheets[0]?.eachRow((row) => {
      row.eachCell((cell) => {
        cells.push(String(cell.value ?? ''));
      });
    });
    expect(cells.some((c) => c.startsWith(`'=HYPERLINK`))).toBe(true);
    expect(cells.filter((c) => /^[=+@\t\r]/.test(c))).toEqual([]);
  });
});
