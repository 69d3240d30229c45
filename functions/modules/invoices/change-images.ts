import * as z from 'zod';
import { imageDate, imageMoney, imageText, parseImage } from '../../shared/change-image.js';
import type { Money } from '../../shared/money.js';
import { INVOICE_STATUSES, type InvoiceStatus } from './invoices.model.js';

/** The fields of an invoice's bus image dunning acts on; the rest passes through untouched. */
const InvoiceImageSchema = z.looseObject({
  id: imageText,
  clientId: imageText,
  status: z.enum(INVOICE_STATUSES),
});

/** A premium payment an insurer reported, as the webhooks module stored it. */
const InsurerPaymentImageSchema = z.looseObject({
  policyId: imageText,
  policyNumber: imageText,
  amount: imageMoney,
  paidDate: imageDate,
  reference: z.string().nullable(),
});

export interface InvoiceImage {
  id: string;
  clientId: string;
  status: InvoiceStatus;
}

export interface InsurerPaymentImage {
  policyId: string;
  policyNumber: string;
  amount: Money;
  paidDate: string;
  reference: string | null;
}

export const invoiceImage = (image: unknown): InvoiceImage =>
  parseImage(InvoiceImageSchema, 'Invoice', image) satisfies InvoiceImage;

export const insurerPaymentImage = (image: unknown): InsurerPaymentImage =>
  parseImage(InsurerPaymentImageSchema, 'InsurerPremiumPayment', image) satisfies InsurerPaymentImage;
