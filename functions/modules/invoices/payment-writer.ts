import type { TransactOp } from '../../shared/db.js';
import { NotFoundError, RuleViolationError, ValidationFailedError } from '../../shared/errors.js';
import { Dec, type Money, money } from '../../shared/money.js';
import { type InvoiceAccess, invoiceWrites, retryAfterRace } from './invoice-access.js';
import {
  type CreditEntry,
  type Invoice,
  type Payment,
  type PaymentSource,
  splitPayment,
  statusAfterPayment,
  toMinor,
} from './invoices.model.js';
import type { InvoicesRepository } from './invoices.repository.js';
import type { PaymentsRepository } from './payments.repository.js';

/** A received amount to apply to an invoice. */
export interface PaymentToApply {
  paymentId: string;
  invoiceId: string;
  amount: Money;
  paidDate: string;
  source: PaymentSource;
  reference: string | null;
  by: string;
}

/**
 * Writes payments against invoices: the payment record, the invoice's new paid, outstanding and
 * status, and any overpayment as client credit, in one transaction retried after lost races.
 */
export class PaymentWriter {
  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly repo: PaymentsRepository,
    private readonly access: InvoiceAccess,
  ) {}

  /**
   * Applies a received amount to an invoice: the payment, the invoice's new paid/outstanding/status
   * and any overpayment as client credit commit together. A payment id seen before fails the whole
   * write with ALREADY_EXISTS, so re-imports change nothing.
   */
  async applyPayment(tenantId: string, p: PaymentToApply, extra: TransactOp[] = []): Promise<Payment> {
    const today = await this.access.today(tenantId);
    return invoiceWrites.run(`${tenantId}#${p.invoiceId}`, async () => {
      const startedAt = performance.now();
      for (let attempt = 0; ; attempt++) {
        const invoice = await this.invoices.getInvoice(tenantId, p.invoiceId);
        if (!invoice) throw new NotFoundError('Invoice', p.invoiceId);
        if (!['ISSUED', 'PARTIALLY_PAID', 'OVERDUE', 'PAID'].includes(invoice.status)) {
          throw new RuleViolationError(
            `Invoice ${invoice.number ?? invoice.id} is ${invoice.status}: it takes no payments`,
          );
        }
        if (invoice.currency !== p.amount.currency) {
          throw new ValidationFailedError('Currency differs from the invoice', [
            { path: 'input.currency', message: `must be ${invoice.currency}, the invoice's currency` },
          ]);
        }
        const { applied, credited } = splitPayment(invoice.outstanding, p.amount);
        const payment = this.paymentRecord(invoice, p, applied, credited, null);
        try {
          await this.invoices.transact([
            this.repo.paymentOp(tenantId, payment),
            ...(p.source === 'BANK_IMPORT' || p.source === 'INSURER'
              ? [this.repo.externalPaymentClaimOp(tenantId, p.paymentId, invoice.id)]
              : []),
            this.invoices.updateInvoiceOp(tenantId, invoice, this.paidChanges(invoice, applied, today)),
            ...this.creditOps(tenantId, payment),
            ...extra,
          ]);
          return payment;
        } catch (error) {
          if (!(await retryAfterRace(error, attempt, startedAt))) throw error;
        }
      }
    });
  }

  paymentRecord(
    invoice: Invoice,
    p: Omit<PaymentToApply, 'invoiceId'>,
    applied: Money,
    credited: Money,
    reverses: string | null,
  ): Payment {
    return {
      id: p.paymentId,
      invoiceId: invoice.id,
      invoiceNumber: invoice.number,
      clientId: invoice.clientId,
      policyId: invoice.policyId,
      amount: p.amount,
      applied,
      credited,
      paidDate: p.paidDate,
      period: p.paidDate.slice(0, 7),
      late: p.paidDate > invoice.dueDate,
      source: p.source,
      reference: p.reference,
      reversesPaymentId: reverses,
      reversedByPaymentId: null,
      advisorId: invoice.advisorId,
      productLineId: invoice.productLineId,
      branchId: invoice.branchId,
      regionId: invoice.regionId,
      by: p.by,
      at: this.access.now(),
      version: 1,
    };
  }

  paidChanges(invoice: Invoice, applied: Money, today: string): Partial<Invoice> {
    const paid = money(new Dec(invoice.paid.amount).plus(applied.amount), invoice.currency);
    const outstanding = money(new Dec(invoice.total.amount).minus(paid.amount), invoice.currency);
    return {
      paid,
      outstanding,
      outstandingMinor: toMinor(outstanding),
      status: statusAfterPayment(invoice, outstanding, paid, today),
      updatedAt: this.access.now(),
    };
  }

  creditOps(tenantId: string, payment: Payment): TransactOp[] {
    if (new Dec(payment.credited.amount).isZero()) return [];
    const credit: CreditEntry = {
      id: payment.id,
      clientId: payment.clientId,
      paymentId: payment.id,
      amount: payment.credited,
      at: payment.at,
    };
    return [this.repo.creditOp(tenantId, credit)];
  }
}
