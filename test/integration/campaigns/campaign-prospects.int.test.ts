import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { UniqueField } from '../../../functions/shared/unique-fields.js';
import { createTestApp, errorCode } from '../../support/app.js';
import { type Brokerage, createBrokerage, personInput } from '../../support/brokerage.js';

/**
 * Prospect lists on DynamoDB Local: a CSV or XLSX imported into a DRAFT campaign through GraphQL;
 * lines match existing clients (national id, tax id, e-mail) or become potential clients with the
 * import's lead source, rejected lines come back by line and field path, a re-import creates no
 * second client, and starting the campaign freezes exactly the imported members.
 */
const app = createTestApp();
let b: Brokerage;

const IMPORT = `mutation($i: ImportCampaignProspectsInput!) { importCampaignProspects(input: $i) {
  total matched created rejected rejectedLines { line errors { path column message } } } }`;

type Report = {
  total: number;
  matched: number;
  created: number;
  rejected: number;
  rejectedLines: Array<{
    line: number;
    errors: Array<{ path: string | null; column: string | null; message: string }>;
  }>;
};

async function draft(name: string) {
  return app.services.campaigns.campaigns.createCampaign(b.admin, {
    name,
    periodFrom: '2026-03-01',
    periodTo: '2026-03-31',
    productLineIds: [b.mtplId],
    ownerId: b.advisorId,
  });
}

async function importFile(campaignId: string, content: Buffer, extra: Record<string, unknown> = {}) {
  const result = await app.exec<{ importCampaignProspects: Report }>(b.admin, IMPORT, {
    i: {
      campaignId,
      format: 'CSV',
      contentBase64: content.toString('base64'),
      leadSourceId: b.leadSourceId,
      ...extra,
    },
  });
  return result;
}

const holder = (field: UniqueField, value: string) =>
  app.services.clients.book.ownerOfUnique(b.tenantId, field, value);

const memberIds = async (campaignId: string) =>
  (
    await app.services.campaigns.campaigns.listMembers(b.admin, campaignId, { limit: 100, cursor: null })
  ).items
    .map((m) => m.clientId)
    .sort();

beforeAll(async () => {
  b = await createBrokerage(app, 'Prospects Brokerage');
});

describe('importCampaignProspects', () => {
  it('matches by national id, tax id, then e-mail, creates the rest as potential clients, and rejects by line and field', async () => {
    const byNationalId = await app.services.clients.records.createClient(
      b.admin,
      personInput({ ownerAdvisorId: b.advisorId, nationalId: '8001011111', email: 'first@example.test' }),
    );
    const byEmail = await app.services.clients.records.createClient(
      b.admin,
      personInput({ ownerAdvisorId: b.advisorId, firstName: 'Eva', email: 'eva@example.test' }),
    );
    const campaign = await draft('Prospects CSV');
    const csv = Buffer.from(
      [
        'firstName;lastName;nationalId;email;phone',
        // The national id wins over an e-mail that belongs to another client.
        'Jana;Nováková;800101/1111;eva@example.test;',
        'Eva;Veselá;;EVA@example.test;',
        'Petr;Nový;;petr.novy@example.test;+420601000111',
        'Bad;Mail;;not-an-address;',
        'Tomáš;Telefon;;;+420601000222',
      ].join('\n'),
    );
    const first = await importFile(campaign.id, csv);
    expect(first.errors).toBeUndefined();
    expect(first.data?.importCampaignProspects).toEqual({
      total: 5,
      matched: 2,
      created: 2,
      rejected: 1,
      rejectedLines: [
        { line: 5, errors: [{ path: 'email', column: 'email', message: 'must be an e-mail address' }] },
      ],
    });
    const petr = await holder('CLIENT_EMAIL', 'petr.novy@example.test');
    const petrClient = await app.services.clients.book.getClient(b.tenantId, petr as string);
    expect(petrClient).toMatchObject({
      status: 'POTENTIAL',
      leadSourceId: b.leadSourceId,
      ownerAdvisorId: b.advisorId,
      phone: '+420601000111',
    });

    // The same file again: every line matches, the phone-only one by its line of this file.
    const again = await importFile(campaign.id, csv);
    expect(again.data?.importCampaignProspects).toMatchObject({
      total: 5,
      matched: 4,
      created: 0,
      rejected: 1,
    });
    const members = await memberIds(campaign.id);
    expect(members).toHaveLength(4);
    expect(members).toEqual(expect.arrayContaining([byNationalId.id, byEmail.id, petr]));

    const started = await app.services.campaigns.campaigns.startCampaign(b.admin, {
      id: campaign.id,
      expectedVersion: (await app.services.campaigns.campaigns.getCampaign(b.admin, campaign.id))?.version,
    });
    expect(started).toMatchObject({ status: 'STARTED', targetSource: 'PROSPECT_LIST', memberCount: 4 });
    expect(await memberIds(campaign.id)).toEqual(members);

    const late = await importFile(
      campaign.id,
      Buffer.from('firstName,lastName,email\nLate,Comer,late@example.test\n'),
    );
    expect(errorCode(late)).toBe('RULE_VIOLATION');
    expect(await holder('CLIENT_EMAIL', 'late@example.test')).toBeUndefined();
  });

  it('reads an XLSX through a column mapping, with a company by its tax id', async () => {
    const company = await app.services.clients.records.createClient(b.admin, {
      kind: 'COMPANY',
      companyName: 'Stroj a.s.',
      taxId: 'CZ12345678',
      segment: 'BUSINESS',
      acquisitionType: 'ADVISOR',
      ownerAdvisorId: b.advisorId,
    });
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Prospects');
    sheet.addRow(['Firma', 'IČ', 'E-mail']);
    sheet.addRow(['Stroj', 'cz 12345678', 'info@stroj.test']);
    sheet.addRow(['Nová firma s.r.o.', '', 'office@nova-firma.test']);
    const content = Buffer.from(await workbook.xlsx.writeBuffer());
    const campaign = await draft('Prospects XLSX');
    const result = await importFile(campaign.id, content, {
      format: 'XLSX',
      mapping: [
        { column: 'Firma', field: 'companyName' },
        { column: 'IČ', field: 'taxId' },
        { column: 'E-mail', field: 'email' },
      ],
    });
    expect(result.errors).toBeUndefined();
    expect(result.data?.importCampaignProspects).toMatchObject({
      total: 2,
      matched: 1,
      created: 1,
      rejected: 0,
    });
    const created = await holder('CLIENT_EMAIL', 'office@nova-firma.test');
    expect(await memberIds(campaign.id)).toEqual([company.id, created].sort());
    expect(await app.services.clients.book.getClient(b.tenantId, created as string)).toMatchObject({
      kind: 'COMPANY',
      segment: 'BUSINESS',
      name: 'Nová firma s.r.o.',
    });
  });

  it('refuses an unknown lead source and a mapping to an unknown field with field paths', async () => {
    const campaign = await draft('Prospects refused');
    const csv = Buffer.from('firstName,lastName,email\nA,B,a@b.test\n');
    const noSource = await importFile(campaign.id, csv, { leadSourceId: 'NOSUCHSOURCE' });
    expect(noSource.errors?.[0]?.extensions).toMatchObject({
      code: 'BAD_USER_INPUT',
      fieldErrors: [{ path: 'input.leadSourceId', message: 'is not a lead source of the brokerage' }],
    });
    const badField = await importFile(campaign.id, csv, { mapping: [{ column: 'email', field: 'salary' }] });
    expect(badField.errors?.[0]?.extensions?.fieldErrors).toEqual([
      { path: 'input.mapping.0.field', message: 'is not a prospect field' },
    ]);
    expect(await holder('CLIENT_EMAIL', 'a@b.test')).toBeUndefined();
  });
});
