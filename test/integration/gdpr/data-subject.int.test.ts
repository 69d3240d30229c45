import { gunzipSync } from 'node:zlib';
import Decimal from 'decimal.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { createServices, type Services } from '../../../functions/modules/services.js';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { systemClock } from '../../../functions/shared/clock.js';
import { MemoryMailer } from '../../../functions/shared/mailer.js';
import { MemorySmsSender } from '../../../functions/shared/sms.js';
import { keys } from '../../../functions/shared/table-design.js';
import { createTestApp, errorCode } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';
import { pdfText } from '../../support/invoices.js';
import {
  CREATE_SCHEME,
  lines,
  mtplSchemeInput,
  must,
  policyChange,
} from '../commissions/commission-fixtures.js';
import { createMappedInsurer, issuedEvent, reportOf, signedHeaders } from '../webhooks/webhook-support.js';

/**
 * Data subject requests over DynamoDB Local: the access export holds the person's data and nothing of
 * another client; erasure leaves no query, export or audit image naming them, keeps the ledger as it
 * was, is audited, and answers the same when asked again.
 */
const app = createTestApp();
let b: Brokerage;

const SUBJECT = {
  firstName: 'Bohumila',
  lastName: 'Zapomenutá',
  nationalId: '8551011234',
  email: 'bohumila.zapomenuta@example.cz',
  phone: '+420777123456',
};
const OTHER = {
  firstName: 'Květoslav',
  lastName: 'Jinýčlověk',
  nationalId: '7001015555',
  email: 'kvetoslav@example.cz',
  phone: '+420608999111',
};
const PERSONAL = Object.values(SUBJECT);

const EXPORT = `mutation($i: ExportDataSubjectInput!) {
  exportDataSubject(input: $i) { clientId jsonUrl pdfUrl expiresAt sections { name items } } }`;
const ERASE = `mutation($i: EraseDataSubjectInput!) {
  eraseDataSubject(input: $i) { clientId pseudonym erasedAt alreadyErased itemsChanged } }`;
const READS = `query($id: ID!) {
  client(id: $id) { id name firstName lastName nationalId email phone consents { channel granted how } }
  clientCard(id: $id) { client { name } policies { holderName policyNumber } }
  clientTimeline(clientId: $id, first: 50) { edges { node { kind summary text reason } } } }`;
const AUDIT = `query($f: AuditFilter) { auditTrail(filter: $f, first: 50) {
  edges { node { action actorId before after changedFields } } } }`;

let subjectId: string;
let otherId: string;
let policyId: string;

async function createClient(as: Principal, person: Record<string, unknown>): Promise<string> {
  const data = await must<{ createClient: { id: string } }>(
    app,
    as,
    'mutation($i: CreateClientInput!) { createClient(input: $i) { id } }',
    { i: personInput(person) },
  );
  return data.createClient.id;
}

/** The JSON an export wrote, read back from the test store by its link. */
function exportedJson(url: string): string {
  const key = url.replace(/^memory:\/\//, '').replace(/\?.*$/, '');
  const body = app.objects.objects.get(key)?.body;
  if (body === undefined) throw new Error(`nothing stored at ${key}`);
  return typeof body === 'string' ? body : new TextDecoder().decode(body);
}

function exportedBytes(url: string): Uint8Array {
  const key = url.replace(/^memory:\/\//, '').replace(/\?.*$/, '');
  const body = app.objects.objects.get(key)?.body;
  if (body === undefined) throw new Error(`nothing stored at ${key}`);
  return typeof body === 'string' ? new TextEncoder().encode(body) : body;
}

async function exportOf(as: Principal, clientId: string) {
  const data = await must<{
    exportDataSubject: { jsonUrl: string; pdfUrl: string; sections: Array<{ name: string; items: number }> };
  }>(app, as, EXPORT, { i: { clientId } });
  return data.exportDataSubject;
}

async function ledgerTotal(): Promise<string> {
  const found = await lines(app, b.as.manager, { policyId });
  expect(found.length).toBeGreaterThan(0);
  return found.reduce((sum, l) => sum.plus(l.amount.amount), new Decimal(0)).toFixed();
}

beforeAll(async () => {
  b = await createBrokerage(app, 'GDPR Brokerage');
  await must(app, b.as.manager, CREATE_SCHEME, { i: mtplSchemeInput() });
  subjectId = await createClient(b.as.advisor, {
    ...SUBJECT,
    consents: [{ channel: 'DATA_PROCESSING', granted: true, how: 'signed form' }],
  });
  otherId = await createClient(b.as.advisor, OTHER);
  const written = await must<{ writePolicy: { id: string } }>(
    app,
    b.as.advisor,
    'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
    { i: mtplInput(b, subjectId) },
  );
  policyId = written.writePolicy.id;
  const policy = await app.services.repositories.policies.getPolicyOfClient(b.tenantId, subjectId, policyId);
  if (!policy) throw new Error('policy not found');
  await app.services.commissions.consumer.onChange(policyChange(b.tenantId, policy));
  const addNote = 'mutation($i: AddNoteInput!) { addNote(input: $i) { id } }';
  await must(app, b.as.advisor, addNote, {
    i: { clientId: subjectId, kind: 'CALL', text: `Called Bohumila Zapomenutá on ${SUBJECT.phone}` },
  });
  await must(app, b.as.advisor, addNote, {
    i: { clientId: otherId, kind: 'NOTE', text: `${OTHER.lastName} asked about travel cover` },
  });
  await must(app, b.as.advisor, 'mutation($i: AddContactInput!) { addContact(input: $i) { id } }', {
    i: { clientId: subjectId, name: 'Spouse Secretname', role: 'spouse', email: 'spouse@example.cz' },
  });
  await app.services.tasks.tasks.createTask(b.as.advisor, {
    clientId: subjectId,
    typeCode: 'CALL',
    title: `Call ${SUBJECT.lastName} about the renewal`,
  });
});

describe('exportDataSubject', () => {
  it("writes the person's record, consents, policy, timeline and tasks to JSON and PDF, and nothing of another client", async () => {
    const exported = await exportOf(b.as.manager, subjectId);
    const json = exportedJson(exported.jsonUrl);
    for (const value of PERSONAL) expect(json).toContain(value);
    expect(json).toContain('DATA_PROCESSING');
    expect(json).toContain(`Called Bohumila Zapomenutá on ${SUBJECT.phone}`);
    expect(json).toContain(`Call ${SUBJECT.lastName} about the renewal`);
    expect(json).toContain(policyId);
    for (const value of Object.values(OTHER)) expect(json).not.toContain(value);
    expect(json).not.toContain(otherId);
    // A contact is a person of their own: listed by role, without their name or e-mail.
    expect(json).toContain('spouse');
    expect(json).not.toContain('Secretname');
    expect(json).not.toContain('spouse@example.cz');
    const counts = Object.fromEntries(exported.sections.map((s) => [s.name, s.items]));
    expect(counts).toMatchObject({ client: 1, consents: 1, contacts: 1, policies: 1, tasks: 1 });
    const pdf = exportedJson(exported.pdfUrl);
    expect(pdf.startsWith('%PDF-')).toBe(true);
    // The PDF is a letter in the brokerage's language (cs-CZ here), with words, not field names or codes.
    const text = (await pdfText(exportedBytes(exported.pdfUrl))).replace(/\s+/g, ' ');
    expect(text).toContain('Osobní údaje, které o vás uchováváme');
    expect(text).toContain(`Rodné číslo ${SUBJECT.nationalId}`);
    expect(text).toContain(SUBJECT.email);
    expect(text).toContain('Aktivní');
    expect(text).not.toContain('nationalId');
    expect(text).toContain('změněno — změněné údaje: Stav');
    expect(text).not.toContain(OTHER.firstName);
  });

  it('is refused to an advisor (FORBIDDEN) and unknown clients answer NOT_FOUND', async () => {
    expect(errorCode(await app.exec(b.as.advisor, EXPORT, { i: { clientId: subjectId } }))).toBe('FORBIDDEN');
    expect(errorCode(await app.exec(b.as.admin, EXPORT, { i: { clientId: 'NO_SUCH_CLIENT' } }))).toBe(
      'NOT_FOUND',
    );
  });
});

describe('eraseDataSubject', () => {
  it('leaves no query, export or audit image naming the person, keeps the ledger, and is idempotent', async () => {
    const totalBefore = await ledgerTotal();
    const before = await app.services.repositories.policies.getPolicyOfClient(
      b.tenantId,
      subjectId,
      policyId,
    );
    const first = await must<{
      eraseDataSubject: { pseudonym: string; alreadyErased: boolean; itemsChanged: number };
    }>(app, b.as.admin, ERASE, { i: { clientId: subjectId, reason: 'GDPR request 2026/118' } });
    expect(first.eraseDataSubject.alreadyErased).toBe(false);
    expect(first.eraseDataSubject.pseudonym).toMatch(/^Erased client [0-9a-f]{10}$/);
    expect(first.eraseDataSubject.itemsChanged).toBeGreaterThan(3);

    const reads = await must<{ client: { name: string; consents: unknown[] } }>(app, b.as.admin, READS, {
      id: subjectId,
    });
    expect(reads.client.name).toBe(first.eraseDataSubject.pseudonym);
    expect(reads.client.consents).toHaveLength(1);
    const exported = exportedJson((await exportOf(b.as.admin, subjectId)).jsonUrl);
    const tasks = await app.services.tasks.reads.listTasks(
      b.as.admin,
      { clientId: subjectId },
      {
        limit: 50,
        cursor: null,
      },
    );
    const audit = await must(app, b.as.admin, AUDIT, { f: { entityType: 'CLIENT', entityId: subjectId } });
    const policyAudit = await must(app, b.as.admin, AUDIT, {
      f: { entityType: 'POLICY', entityId: policyId },
    });
    for (const seen of [reads, exported, tasks, audit, policyAudit]) {
      const text = JSON.stringify(seen);
      for (const value of PERSONAL) expect(text).not.toContain(value);
      expect(text).not.toContain('Secretname');
      // Nor the sort form of the name (lower case, no accents) the by-name indexes kept.
      expect(text.toLowerCase()).not.toContain('zapomenut');
    }

    // The erasure is in the audit trail under its actor; the other client is untouched.
    const entries = (
      audit as { auditTrail: { edges: Array<{ node: { actorId: string; changedFields: string[] } }> } }
    ).auditTrail.edges;
    expect(
      entries.some((e) => e.node.actorId === b.as.admin.userId && e.node.changedFields.includes('erasedAt')),
    ).toBe(true);
    const other = await must<{ client: { lastName: string; email: string } }>(app, b.as.admin, READS, {
      id: otherId,
    });
    expect(other.client).toMatchObject({ lastName: OTHER.lastName, email: OTHER.email });

    // Ledger lines stay, with their totals, also once the consumer sees the rewritten policy.
    const after = await app.services.repositories.policies.getPolicyOfClient(b.tenantId, subjectId, policyId);
    if (!before || !after) throw new Error('policy not found');
    await app.services.commissions.consumer.onChange(policyChange(b.tenantId, after, before));
    expect(await ledgerTotal()).toBe(totalBefore);

    const again = await must<{
      eraseDataSubject: { pseudonym: string; alreadyErased: boolean; itemsChanged: number };
    }>(app, b.as.admin, ERASE, { i: { clientId: subjectId, reason: 'repeat' } });
    expect(again.eraseDataSubject).toMatchObject({
      pseudonym: first.eraseDataSubject.pseudonym,
      alreadyErased: true,
      itemsChanged: 0,
    });
  });

  it('frees the national id and e-mail for a new client', async () => {
    const erased = await createClient(b.as.advisor, { ...SUBJECT, phone: null, firstName: 'Nová' });
    expect(erased).not.toBe(subjectId);
  });
});

/**
 * The S3 side of a data subject request: the insurer deliveries archived for the person (linked to
 * them when processed, once however often the delivery is repeated or replayed), their invoice PDF,
 * dunning letters and earlier exports.
 */
describe('archived insurer deliveries and stored documents', () => {
  const HOLDER = {
    kind: 'PERSON',
    firstName: 'Radmila',
    lastName: 'Archivovaná',
    nationalId: '7755120017',
    email: 'radmila.archiv@example.cz',
    phone: '+420777555444',
  };
  const OTHER_HOLDER = {
    kind: 'PERSON',
    firstName: 'Ctibor',
    lastName: 'Druhýdržitel',
    nationalId: '6601019999',
    email: 'ctibor.druhy@example.cz',
    phone: '+420601222333',
  };
  const HELD = [HOLDER.firstName, HOLDER.lastName, HOLDER.nationalId, HOLDER.email, HOLDER.phone];
  const CZK = { premium: { amount: '4860.00', currency: 'CZK' } };
  let full: Services;
  let insurer: { insurerId: string; secret: string };
  let clientId: string;
  let webhookPolicyId: string;
  let webhookId: string;
  let invoice: { id: string; pdfKey: string | null; total: { amount: string } };
  let otherTenant: string;

  const text = (key: string) => {
    const body = app.objects.objects.get(key)?.body;
    if (body === undefined) throw new Error(`nothing stored at ${key}`);
    return typeof body === 'string' ? body : new TextDecoder().decode(body);
  };
  const receive = (services: Services, insurerId: string, secret: string, payload: unknown, id: string) => {
    const body = JSON.stringify(payload);
    return services.webhooks.deliveries.receive({
      insurerId,
      headers: signedHeaders(secret, body, { id }),
      body,
    });
  };
  const archiveKeysOf = (tenantId: string) =>
    [...app.objects.objects.keys()].filter((k) => k.startsWith(`test-archive/webhooks/${tenantId}/`));
  const webhookLedger = async () => {
    const found = await lines(app, b.as.manager, { policyId: webhookPolicyId });
    expect(found.length).toBeGreaterThan(0);
    return found.reduce((sum, l) => sum.plus(l.amount.amount), new Decimal(0)).toFixed();
  };

  beforeAll(async () => {
    full = createServices(app.db, systemClock, {
      reports: { store: app.objects, bucket: 'test-reports' },
      archive: { store: app.objects, bucket: 'test-archive' },
      invoices: {
        store: app.objects,
        bucket: 'test-reports',
        mailer: new MemoryMailer(),
        mailFrom: 'crm@test.local',
        sms: new MemorySmsSender(),
      },
    });
    insurer = await createMappedInsurer(app, b, 'Archiving Insurer');
    webhookId = `msg_gdpr_${Date.now()}`;
    const batch = {
      events: [
        issuedEvent({}, { ...CZK, holder: HOLDER }),
        issuedEvent({}, { ...CZK, holder: OTHER_HOLDER }),
      ],
    };
    const report = reportOf(await receive(full, insurer.insurerId, insurer.secret, batch, webhookId));
    expect(report.accepted).toBe(2);
    webhookPolicyId = report.events[0]?.policyId as string;
    const policy = await app.services.repositories.policies.getPolicy(b.tenantId, webhookPolicyId);
    if (!policy) throw new Error('policy not found');
    clientId = policy.clientId;
    await app.services.commissions.consumer.onChange(policyChange(b.tenantId, policy));
    // A repeat (stored answer) and an admin's replay link the archive again, never twice.
    reportOf(await receive(full, insurer.insurerId, insurer.secret, batch, webhookId));
    await full.webhooks.deliveries.reprocessDelivery(b.admin, insurer.insurerId, webhookId);

    const draft = await full.invoices.invoices.createInvoice(b.as.advisor, {
      clientId,
      currency: 'CZK',
      lines: [{ description: `Broker fee for ${HOLDER.firstName} ${HOLDER.lastName}`, unitPrice: '1200' }],
      dueDate: '2026-12-31',
    });
    invoice = await full.invoices.invoices.issueInvoice(b.as.backoffice, { id: draft.id });
    expect(invoice.pdfKey).toBeTruthy();
    await app.objects.put(
      'test-reports',
      `invoices/${b.tenantId}/${invoice.id}/letter-r1.pdf`,
      'x',
      'application/pdf',
    );

    // Another brokerage received the same person: its archive is its own and stays as it is.
    const other = await createBrokerage(app, 'GDPR Other Brokerage');
    otherTenant = other.tenantId;
    const otherInsurer = await createMappedInsurer(app, other, 'Other Insurer');
    reportOf(
      await receive(
        full,
        otherInsurer.insurerId,
        otherInsurer.secret,
        issuedEvent({}, { ...CZK, holder: HOLDER }),
        `msg_other_${Date.now()}`,
      ),
    );
  });

  it('links the delivery to the holder once, and the export holds their event of the archived batch only', async () => {
    const links = await app.db.queryAll({
      partition: keys.clientCollection(b.tenantId, clientId),
      beginsWith: keys.webhookArchiveLinkPrefix,
    });
    expect(links).toHaveLength(1);
    expect(links[0]).toMatchObject({ webhookId, insurerId: insurer.insurerId });

    const exported = await full.gdpr.subjects.exportSubject(b.as.manager, { clientId });
    const json = JSON.parse(exportedJson(exported.jsonUrl)) as {
      sections: {
        insurerMessages: Array<{ webhookId: string; events: Array<{ data: { holder: unknown } }> }>;
      };
    };
    expect(json.sections.insurerMessages).toHaveLength(1);
    expect(json.sections.insurerMessages[0]?.webhookId).toBe(webhookId);
    expect(json.sections.insurerMessages[0]?.events.map((e) => e.data.holder)).toEqual([HOLDER]);
    expect(JSON.stringify(json)).not.toContain(OTHER_HOLDER.nationalId);
    const pdf = (await pdfText(exportedBytes(exported.pdfUrl))).replace(/\s+/g, ' ');
    expect(pdf).toContain('Zprávy pojišťoven o vašich pojistných smlouvách (1)');
    expect(pdf).toContain(`pojišťovna ${insurer.insurerId} — události: 1`);
  });

  it('after erasure no archive, stored answer, invoice PDF or export names them; the ledger and the other holder and tenant are untouched', async () => {
    const ledgerBefore = await webhookLedger();
    const erased = await full.gdpr.subjects.eraseSubject(b.as.admin, { clientId, reason: 'GDPR 2026/200' });
    expect(erased.alreadyErased).toBe(false);

    const archives = archiveKeysOf(b.tenantId);
    expect(archives.length).toBeGreaterThan(0);
    for (const key of archives) {
      const body = text(key);
      for (const value of HELD) expect(body).not.toContain(value);
    }
    const batch = text(archives.find((k) => k.endsWith(`/${webhookId}.json`)) as string);
    expect(batch).toContain(OTHER_HOLDER.nationalId);
    expect(batch).toContain(OTHER_HOLDER.email);
    expect(batch).toContain(`"holder":{"kind":"PERSON","firstName":null,"lastName":null,"nationalId":null`);
    expect(archiveKeysOf(otherTenant).some((k) => text(k).includes(HOLDER.nationalId))).toBe(true);

    const dedupe = await app.db.get(keys.webhookDedupe(b.tenantId, insurer.insurerId, webhookId));
    if (!dedupe) throw new Error('no stored answer');
    const answer = gunzipSync((dedupe.response as { bodyGzip: Uint8Array }).bodyGzip).toString('utf8');
    expect(answer).toContain(webhookPolicyId);
    for (const value of HELD) expect(answer).not.toContain(value);

    const invoiceText = (await pdfText(exportedBytes(`memory://test-reports/${invoice.pdfKey}`))).replace(
      /\s+/g,
      ' ',
    );
    expect(invoiceText).toContain(erased.pseudonym);
    for (const value of HELD) expect(invoiceText).not.toContain(value);
    expect(await app.objects.list('test-reports', `invoices/${b.tenantId}/${invoice.id}/letter-`)).toEqual(
      [],
    );
    expect(await app.objects.list('test-reports', `${b.tenantId}/data-subjects/${clientId}/`)).toEqual([]);

    const kept = await full.invoices.invoices.getInvoice(b.as.admin, invoice.id);
    expect(kept?.total.amount).toBe(invoice.total.amount);
    const after = await app.services.repositories.policies.getPolicy(b.tenantId, webhookPolicyId);
    if (!after) throw new Error('policy not found');
    await app.services.commissions.consumer.onChange(policyChange(b.tenantId, after));
    expect(await webhookLedger()).toBe(ledgerBefore);

    // The export of the erased client still lists the delivery, without them.
    const exported = exportedJson((await full.gdpr.subjects.exportSubject(b.as.admin, { clientId })).jsonUrl);
    expect(exported).toContain(webhookId);
    for (const value of HELD) expect(exported).not.toContain(value);
  });
});
