import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { InvoiceAdapters } from '../../functions/modules/invoices/index.js';
import { createServices, type Services } from '../../functions/modules/services.js';
import type { Principal } from '../../functions/shared/auth/principal.js';
import type { TableChangeDetail } from '../../functions/shared/change-event.js';
import type { Clock } from '../../functions/shared/clock.js';
import { MemoryMailer } from '../../functions/shared/mailer.js';
import { MemoryObjectStore } from '../../functions/shared/object-store.js';
import { MemorySmsSender } from '../../functions/shared/sms.js';
import { keys } from '../../functions/shared/table-design.js';
import type { GraphQLResult, TestApp } from './app.js';

/** Services with invoice adapters that record what was stored, mailed and texted. */
export interface InvoiceHarness {
  services: Services;
  store: MemoryObjectStore;
  mailer: MemoryMailer;
  sms: MemorySmsSender;
  adapters: InvoiceAdapters;
}

export function invoiceHarness(
  app: TestApp,
  clock: Clock,
  adapters: Partial<InvoiceAdapters> = {},
): InvoiceHarness {
  const store = new MemoryObjectStore();
  const mailer = new MemoryMailer();
  const sms = new MemorySmsSender();
  const full: InvoiceAdapters = {
    store,
    bucket: 'reports',
    mailer,
    mailFrom: 'crm@test.local',
    sms,
    ...adapters,
  };
  return { services: createServices(app.db, clock, { invoices: full }), store, mailer, sms, adapters: full };
}

/** Runs an operation through the app's real GraphQL server over the harness's services (with invoice adapters). */
export async function execWith<T = Record<string, unknown>>(
  app: TestApp,
  services: Services,
  principal: Principal | null,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResult<T>> {
  const response = await app.server.executeOperation(
    { query, ...(variables ? { variables } : {}) },
    { contextValue: { principal, services } },
  );
  if (response.body.kind !== 'single') throw new Error('Expected a single result');
  return response.body.singleResult as GraphQLResult<T>;
}

let sequence = 0;

const STANDARD_FONTS = join(
  dirname(createRequire(import.meta.url).resolve('pdfjs-dist/package.json')),
  'standard_fonts/',
);

/**
 * The change-bus detail of an item as it is now in the table, as the pipe would publish it:
 * integration tests hand these to a bus subscriber (and hand them again to replay).
 */
export async function changeOf(
  app: TestApp,
  tenantId: string,
  key: { pk: string; sk: string },
  eventName: 'INSERT' | 'MODIFY' = 'MODIFY',
): Promise<TableChangeDetail> {
  const item = await app.db.get(key, { consistent: true });
  if (!item) throw new Error(`no item ${key.pk} ${key.sk}`);
  sequence++;
  return {
    eventName,
    eventID: `evt-${sequence}`,
    entityType: String(item.type),
    tenantId,
    keys: { pk: key.pk, sk: key.sk },
    newImage: item,
    sequenceNumber: String(1_000_000 + sequence),
  };
}

/**
 * Runs an import job to its end as the bus would: its INSERT, then each checkpoint's MODIFY, through
 * the given jobs service (at most 10 runs).
 */
export async function runImportJob(
  app: TestApp,
  jobs: Pick<Services['imports']['jobs'], 'onChange'>,
  tenantId: string,
  jobId: string,
): Promise<void> {
  let change = await changeOf(app, tenantId, keys.importJob(tenantId, jobId), 'INSERT');
  for (let run = 0; run < 10; run++) {
    const result = await jobs.onChange(change);
    if (result.status === 'SUCCEEDED' || result.status === 'FAILED') return;
    change = await changeOf(app, tenantId, keys.importJob(tenantId, jobId));
  }
}

/** The MODIFY detail of an invoice as it is now in the table (what the debtors consumer receives). */
export function invoiceChange(
  app: TestApp,
  tenantId: string,
  clientId: string,
  invoiceId: string,
): Promise<TableChangeDetail> {
  return changeOf(app, tenantId, keys.invoice(tenantId, clientId, invoiceId));
}

/**
 * The text of a PDF as a reader extracts it (pdfjs, the engine of Firefox's viewer), one line per
 * text line, runs of white space (NBSP and narrow spaces included) folded to one space.
 */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  const { getDocument } = await import('pdfjs-dist/legacy/build/pdf.mjs');
  const doc = await getDocument({
    data: new Uint8Array(bytes),
    isEvalSupported: false,
    standardFontDataUrl: STANDARD_FONTS,
  }).promise;
  const lines: string[] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    let line = '';
    for (const item of content.items) {
      if (!('str' in item)) continue;
      line += item.str;
      if (item.hasEOL) {
        lines.push(line);
        line = '';
      }
    }
    if (line) lines.push(line);
  }
  await doc.destroy();
  return lines.map((l) => l.replace(/\s+/gu, ' ').trim()).join('\n');
}
