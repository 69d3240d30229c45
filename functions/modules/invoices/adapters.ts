import type { InvoiceAdapters } from '../../shared/invoice-adapters.js';

/** What issuing and dunning need outside the table (declared in shared/, where the functions build it). */
export type { InvoiceAdapters };

/** How long a link to an invoice's PDF or a dunning letter stays valid. */
const PDF_LINK_SECONDS = 900;

/** An expiring link to a stored PDF, or null when there is none (or no bucket). */
export function pdfLink(
  adapters: InvoiceAdapters | null,
  key: string | null | undefined,
  filename: string,
): Promise<string | null> {
  if (!key || !adapters) return Promise.resolve(null);
  return adapters.store.signedGetUrl(adapters.bucket, key, PDF_LINK_SECONDS, filename);
}

/** Where an invoice's files live in the bucket: its PDF and the dunning letters about it. */
export const invoiceFilesPrefix = (tenantId: string, invoiceId: string): string =>
  `invoices/${tenantId}/${invoiceId}/`;

/** The key of a dunning letter about an invoice, one per dunning rule. */
export const dunningLetterKey = (tenantId: string, invoiceId: string, ruleId: string): string =>
  `${invoiceFilesPrefix(tenantId, invoiceId)}letter-${ruleId}.pdf`;
