import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/db.js';
import { type ClientsModule, sortNameOf, uniqueValuesOf } from './clients/index.js';
import {
  createGdprModule,
  type GdprModule,
  type SubjectArchives,
  type SubjectFiles,
  type SubjectStoredFiles,
} from './gdpr/index.js';
import type { OrgRepository } from './org/index.js';
import type { ArchiveTarget } from './webhooks/index.js';

/**
 * The GDPR module over the clients module's scope check and record rules, the tenant list (for the
 * retention schedule), the reports bucket (for exports and the invoices' stored PDFs; null where a
 * process has none) and the webhook archive (null likewise).
 */
export function composeGdpr(
  db: Db,
  clock: Clock,
  clients: ClientsModule,
  org: Pick<OrgRepository, 'listTenantIds' | 'getTenantSettings'>,
  files: SubjectFiles | null,
  stores: {
    /** The webhook archive bucket: its deliveries are exported and scrubbed with the person. */
    archive?: ArchiveTarget | null;
    /** Where invoice PDFs and dunning letters are (the invoices' bucket; the reports bucket by default). */
    invoiceFiles?: SubjectFiles | null;
  } = {},
): GdprModule {
  const invoiceBucket = stores.invoiceFiles ?? files;
  return createGdprModule({
    db,
    clock,
    book: { requireClient: (p, id) => clients.book.requireClient(p, id), uniqueValuesOf, sortNameOf },
    files,
    tenants: { listTenantIds: () => org.listTenantIds() },
    documents: {
      tenant: (tenantId) => org.getTenantSettings(tenantId),
      // The reports module's enum words, loaded with the export's PDF code, never at a cold start.
      enumText: async (language, group, value) =>
        (await import('./reports/index.js')).documentEnumText(language, group, value),
    },
    archives: stores.archive ? webhookArchives(db, stores.archive) : null,
    storedFiles: invoiceBucket ? invoiceFiles(db, org, invoiceBucket) : null,
  });
}

/** The webhooks module's archive of deliveries, loaded when a data subject request first needs it. */
function webhookArchives(db: Db, archive: ArchiveTarget): SubjectArchives {
  let loaded: Promise<import('./webhooks/index.js').WebhookArchives> | undefined;
  const load = () => {
    loaded ??= import('./webhooks/index.js').then((m) => m.createWebhookArchives(db, archive));
    return loaded;
  };
  return {
    linksOf: async (tenantId, clientId) => (await load()).linksOf(tenantId, clientId),
    deliveriesOf: async (tenantId, clientId) => (await load()).deliveriesOf(tenantId, clientId),
    scrub: async (tenantId, link, scrub) => (await load()).scrub(tenantId, link, scrub),
  };
}

/** The invoices module's stored PDFs and dunning letters, loaded (with pdfkit) only by an erasure. */
function invoiceFiles(
  db: Db,
  org: Pick<OrgRepository, 'listTenantIds' | 'getTenantSettings'>,
  files: SubjectFiles,
): SubjectStoredFiles {
  return {
    refreshAfterErasure: async (tenantId, clientId) => {
      const { createErasedClientDocuments } = await import('./invoices/index.js');
      const tenants = {
        getTenantSettings: (id: string) => org.getTenantSettings(id),
        listTenantIds: () => org.listTenantIds(),
      };
      return createErasedClientDocuments(db, tenants, files).refresh(tenantId, clientId);
    },
  };
}
