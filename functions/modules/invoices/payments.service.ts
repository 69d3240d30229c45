import { assertTenantWide, authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { TableChangeDetail } from '../../shared/change-event.js';
import type { Page, TransactOp } from '../../shared/db.js';
import { NotFoundError, RuleViolationError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { money, negateMoney } from '../../shared/money.js';
import { parseInput } from '../../shared/validation.js';
import type {
  ExternalPayments,
  ImportResult,
  ImportRowResult,
  PreparedStatement,
} from './external-payments.js';
import { type InvoiceAccess, invoiceWrites, type PageRequest, retryAfterRace } from './invoice-access.js';
import {
  type Payment,
  RegisterPaymentSchema,
  ResolveUnmatchedSchema,
  ReversePaymentSchema,
  type UnmatchedPayment,
} from './invoices.model.js';
import type { InvoicesRepository } from './invoices.repository.js';
import type { PaymentWriter } from './payment-writer.js';
import type { PaymentsRepository } from './payments.repository.js';

/**
 * Payments: manual ones and their reversal, the payments of an invoice, bank statements and
 * insurer-reported payments (see {@link ExternalPayments}), and the queue of payments nothing matched.
 */
export class PaymentsService {
  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly repo: PaymentsRepository,
    private readonly writer: PaymentWriter,
    private readonly external: ExternalPayments,
    private readonly access: InvoiceAccess,
  ) {}

  async registerPayment(principal: Principal | null, rawInput: unknown): Promise<Payment> {
    const p = authorize(principal, 'payments:write');
    const input = parseInput(RegisterPaymentSchema, rawInput);
    await this.access.requireInvoice(p, input.invoiceId);
    return this.writer.applyPayment(p.tenantId, {
      paymentId: newId(),
      invoiceId: input.invoiceId,
      amount: money(input.amount, input.currency),
      paidDate: input.paidDate,
      source: 'MANUAL',
      reference: input.reference ?? null,
      by: p.userId,
    });
  }

  /** Reverses a payment with a new, negated payment; the invoice reopens and any credit it made is taken back. */
  async reversePayment(principal: Principal | null, rawInput: unknown): Promise<Payment> {
    const p = authorize(principal, 'payments:write');
    const input = parseInput(ReversePaymentSchema, rawInput);
    const today = await this.access.today(p.tenantId);
    return invoiceWrites.run(`${p.tenantId}#${input.invoiceId}`, async () => {
      const startedAt = performance.now();
      for (let attempt = 0; ; attempt++) {
        const invoice = await this.access.requireInvoice(p, input.invoiceId);
        const original = await this.repo.getPayment(p.tenantId, input.invoiceId, input.paymentId);
        if (!original) throw new NotFoundError('Payment', input.paymentId);
        if (original.reversedByPaymentId || original.reversesPaymentId) {
          throw new RuleViolationError(`Payment ${original.id} is already reversed or is itself a reversal`);
        }
        const reversal = this.writer.paymentRecord(
          invoice,
          {
            paymentId: newId(),
            amount: negateMoney(original.amount),
            paidDate: today,
            source: 'REVERSAL',
            reference: input.reason,
            by: p.userId,
          },
          negateMoney(original.applied),
          negateMoney(original.credited),
          original.id,
        );
        try {
          await this.invoices.transact([
            this.repo.paymentOp(p.tenantId, reversal),
            this.repo.markReversedOp(p.tenantId, original, reversal.id),
            this.invoices.updateInvoiceOp(
              p.tenantId,
              invoice,
              this.writer.paidChanges(invoice, reversal.applied, today),
            ),
            ...this.writer.creditOps(p.tenantId, reversal),
          ]);
          return reversal;
        } catch (error) {
          if (!(await retryAfterRace(error, attempt, startedAt))) throw error;
        }
      }
    });
  }

  async paymentsOfInvoice(principal: Principal | null, invoiceId: string): Promise<Payment[]> {
    const p = authorize(principal, 'invoices:read');
    await this.access.requireInvoice(p, invoiceId);
    return this.repo.listPaymentsOfInvoice(p.tenantId, invoiceId);
  }

  /**
   * Imports a bank statement (CSV, camt.053 or MT940, detected when not given) within one request; see {@link ExternalPayments.importBankStatement}.
   */
  importBankStatement(principal: Principal | null, rawInput: unknown): Promise<ImportResult> {
    return this.external.importBankStatement(principal, rawInput);
  }

  /** Checks a statement as a whole before an import job writes anything; returns its rows, import id and format. */
  prepareBankStatement(principal: Principal | null, rawInput: unknown): Promise<PreparedStatement> {
    return this.external.prepareBankStatement(principal, rawInput);
  }

  /** Imports one statement row of an import job; running it again reports DUPLICATE and books nothing. */
  importStatementRow(
    p: Principal,
    importId: string,
    index: number,
    record: Record<string, string>,
  ): Promise<ImportRowResult> {
    return this.external.importStatementRow(p, importId, index, record);
  }

  /** A premium payment an insurer reported, from the change bus; null for any other change. */
  onInsurerPayment(detail: TableChangeDetail): Promise<ImportRowResult | null> {
    return this.external.onInsurerPayment(detail);
  }

  /** Rows no rule matched belong to no client yet, so only a tenant-wide scope sees the queue. */
  async unmatchedPayments(principal: Principal | null, page: PageRequest): Promise<Page<UnmatchedPayment>> {
    const p = authorize(principal, 'payments:write');
    assertTenantWide(p, 'The unmatched payments queue');
    return this.repo.listUnmatched(p.tenantId, page);
  }

  /** A person picks the invoice for a queued row: the payment is applied and the row leaves the queue, together. */
  async resolveUnmatchedPayment(principal: Principal | null, rawInput: unknown): Promise<Payment> {
    const p = authorize(principal, 'payments:write');
    assertTenantWide(p, 'The unmatched payments queue');
    const input = parseInput(ResolveUnmatchedSchema, rawInput);
    const row = await this.repo.getUnmatched(p.tenantId, input.unmatchedId);
    if (!row) throw new NotFoundError('UnmatchedPayment', input.unmatchedId);
    if (row.reason === 'INVALID_ROW')
      throw new RuleViolationError('This row is not a valid payment; fix the statement');
    await this.access.requireInvoice(p, input.invoiceId);
    return this.writer.applyPayment(
      p.tenantId,
      {
        paymentId: row.id,
        invoiceId: input.invoiceId,
        amount: row.amount,
        paidDate: row.paidDate,
        source: row.source,
        reference: row.reference,
        by: p.userId,
      },
      [this.repo.resolveUnmatchedOp(p.tenantId, row.id)],
    );
  }

  /** A queued row by id, for the settlement module's match by hand (which authorizes its caller). */
  queuedPayment(tenantId: string, id: string): Promise<UnmatchedPayment | undefined> {
    return this.repo.getUnmatched(tenantId, id);
  }

  /** Takes a queued row off the queue, in the transaction of another module's match (NOT_FOUND once gone). */
  leaveQueueOp(tenantId: string, id: string): TransactOp {
    return this.repo.resolveUnmatchedOp(tenantId, id);
  }
}
