import type { ObjectStore } from '../../shared/object-store.js';
import { invoiceFilesPrefix } from './adapters.js';
import { renderInvoicePdf } from './invoice-pdf.js';
import type { InvoicesRepository } from './invoices.repository.js';
import type { TenantDirectory } from './lookups.js';

/** What a data subject's erasure did to the stored files of the client's invoices. */
export interface ErasedDocumentsResult {
  /** Invoice PDFs rendered again from the pseudonymised records. */
  rewritten: number;
  /** Dunning letters removed. */
  removed: number;
}

/**
 * The stored files that name an erased client. An invoice is a ledger document and stays, so its
 * PDF is rendered again from the invoice as stored now (the erasure has put the pseudonym in its
 * client name) without the client's address, and overwrites the object at its key, so the
 * invoice's link keeps working; nothing is mailed. Dunning letters only served the collection of
 * a debt from the person and are removed (a collector task's letter link then has nothing behind it).
 */
export class ErasedClientDocuments {
  constructor(
    private readonly repo: InvoicesRepository,
    private readonly tenants: TenantDirectory,
    private readonly files: { store: ObjectStore; bucket: string },
  ) {}

  /** Idempotent: run again after a failure (or a repeat of the erasure), it writes the same. */
  async refresh(tenantId: string, clientId: string): Promise<ErasedDocumentsResult> {
    const [invoices, tenant] = await Promise.all([
      this.repo.clientInvoices(tenantId, clientId),
      this.tenants.getTenantSettings(tenantId),
    ]);
    const { store, bucket } = this.files;
    let rewritten = 0;
    let removed = 0;
    for (const invoice of invoices) {
      if (invoice.pdfKey && tenant) {
        const pdf = await renderInvoicePdf(
          invoice,
          { name: tenant.name, locale: tenant.locale, supplier: tenant.supplier ?? null },
          { name: invoice.clientName, address: null },
        );
        await store.put(bucket, invoice.pdfKey, pdf, 'application/pdf');
        rewritten += 1;
      }
      const letters = await store.list(bucket, `${invoiceFilesPrefix(tenantId, invoice.id)}letter-`);
      for (const key of letters) await store.delete(bucket, key);
      removed += letters.length;
    }
    return { rewritten, removed };
  }
}
