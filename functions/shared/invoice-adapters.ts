import { type Mailer, SesMailer } from './mailer.js';
import type { ObjectStore } from './object-store.js';
import type { Runtime } from './runtime.js';
import { createSmsSender, type SmsSender } from './sms.js';

/**
 * What issuing and dunning need outside the table: a bucket for PDFs, mail and SMS. Declared here,
 * below the modules, so the functions that send (graphql, debtors) build it without the invoices
 * module pulling the mailer into every function that composes it.
 */
export interface InvoiceAdapters {
  store: ObjectStore;
  bucket: string;
  mailer: Mailer;
  mailFrom: string;
  sms: SmsSender;
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
