import type { Mailer } from '../../shared/mailer.js';
import { SesMailer } from '../../shared/mailer.js';
import type { ObjectStore } from '../../shared/object-store.js';
import type { Runtime } from '../../shared/runtime.js';
import { createSmsSender, type SmsSender } from '../../shared/sms.js';

/** What issuing and dunning need outside the table: a bucket for PDFs, mail and SMS. */
export interface InvoiceAdapters {
  store: ObjectStore;
  bucket: string;
  mailer: Mailer;
  mailFrom: string;
  sms: SmsSender;
}

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

/**
 * The bucket, mailer and SMS sender that issuing and dunning use, created once per process from the
 * parsed env: SES and S3 on both hosts (endpoints differ), SNS in the cloud and the SMS recorder on
 * the local stack. Null when the function has no bucket or sender address, so nothing half-sends.
 */
export function invoiceAdapters(runtime: Runtime): InvoiceAdapters | null {
  const { REPORTS_BUCKET, MAIL_FROM, SMS_SINK_URL } = runtime.env;
  if (!REPORTS_BUCKET || !MAIL_FROM) return null;
  return {
    store: runtime.objects,
    bucket: REPORTS_BUCKET,
    mailer: new SesMailer(),
    mailFrom: MAIL_FROM,
    sms: createSmsSender(SMS_SINK_URL),
  };
}
