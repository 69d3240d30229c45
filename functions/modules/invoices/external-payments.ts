import { createHash } from 'node:crypto';
import { assertTenantWide, authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { TableChangeDetail } from '../../shared/change-event.js';
import { AlreadyExistsError, RuleViolationError, ValidationFailedError } from '../../shared/errors.js';
import { fitsCurrencyScale, IsoDateSchema, isAmountInRange } from '../../shared/input.js';
import { CurrencySchema, Dec, DecimalStringSchema, type Money, money } from '../../shared/money.js';
import { EntityType } from '../../shared/table-design.js';
import { parseInput } from '../../shared/validation.js';
import { insurerPaymentImage } from './change-images.js';
import type { InvoiceAccess } from './invoice-access.js';
import {
  ImportBankStatementSchema,
  type Invoice,
  MAX_SYNC_STATEMENT_ROWS,
  OPEN_STATUSES,
  referenceCandidates,
} from './invoices.model.js';
import type { InvoicesRepository } from './invoices.repository.js';
import type { ClientDirectory, InsurerReceipts, PolicyLookup } from './lookups.js';
import type { PaymentWriter } from './payment-writer.js';
import type { PaymentsRepository } from './payments.repository.js';
import { findCreditorReference, findVariableSymbol } from './statements/references.js';
import {
  detectStatementFormat,
  readStatement,
  type StatementFormat,
  type StatementRecord,
} from './statements/statement-formats.js';

/** How a bank-statement row ended (INSURER_COMMISSION: an insurer paid the brokerage's commission). */
export type ImportOutcome =
  | 'MATCHED'
  | 'PARTIAL'
  | 'OVERPAID'
  | 'UNMATCHED'
  | 'DUPLICATE'
  | 'INSURER_COMMISSION';

export interface ImportRowResult {
  row: number;
  outcome: ImportOutcome;
  invoiceId: string | null;
  invoiceNumber: string | null;
  reason: string | null;
  /** The insurer commission settlement the row recorded (INSURER_COMMISSION, or its DUPLICATE). */
  insurerSettlementId?: string | null;
}

export interface ImportResult {
  importId: string;
  /** The format the statement was read in (given or detected). */
  format: StatementFormat;
  rows: ImportRowResult[];
  matched: number;
  unmatched: number;
  duplicates: number;
}

/** A statement checked as a whole and read into rows, before anything is written. */
export interface PreparedStatement {
  p: Principal;
  importId: string;
  records: StatementRecord[];
  format: StatementFormat;
  /** The input field the statement came in, for error paths (`input.content` or `input.csv`). */
  field: string;
}

/** A payment that arrived from outside: a bank-statement row or an insurer's premium payment. */
interface ExternalPayment {
  /** Deterministic, so a second arrival of the same payment is recognised. */
  id: string;
  source: 'BANK_IMPORT' | 'INSURER';
  importId: string;
  row: number;
  /** Null when the row's date is not a date. */
  paidDate: string | null;
  /** Null when the row's amount or currency is not valid (the row is queued as INVALID_ROW). */
  amount: Money | null;
  /** What the row said, kept on the queue entry when it was not valid. */
  rawAmount: Money;
  reference: string | null;
  payer: string | null;
  by: string;
}

/**
 * Payments that arrive from outside: bank-statement rows (synchronously or row by row for import
 * jobs) and premium payments insurers report. Each is matched to an invoice and applied, or queued
 * for a person with the reason nothing matched; its id makes a second arrival change nothing.
 */
export class ExternalPayments {
  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly repo: PaymentsRepository,
    private readonly writer: PaymentWriter,
    private readonly access: InvoiceAccess,
    private readonly clients: ClientDirectory,
    private readonly policies: PolicyLookup,
    private readonly insurers: InsurerReceipts | null = null,
  ) {}

  /**
   * Imports a bank statement: CSV with a header (date, amount, currency, reference, and optionally
   * clientRef and payer), camt.053 or MT940 (see ./statements/). Each incoming payment is matched by
   * its structured reference (ISO 11649 creditor reference, Czech variable symbol), invoice number or
   * payment reference, else by client (its external, national or tax id) and exact open amount; the
   * rest wait in the resolution queue.
   * Row ids derive from the file's hash, so importing the same file again changes nothing.
   */
  async importBankStatement(principal: Principal | null, rawInput: unknown): Promise<ImportResult> {
    const { p, importId, records, format, field } = await this.prepareBankStatement(principal, rawInput);
    if (records.length > MAX_SYNC_STATEMENT_ROWS) {
      throw new ValidationFailedError('Too many rows to import within one request', [
        {
          path: field,
          message: `has ${records.length} rows; importBankStatement takes at most ${MAX_SYNC_STATEMENT_ROWS}: start a job with startBankStatementImport`,
        },
      ]);
    }
    const result: ImportResult = { importId, format, rows: [], matched: 0, unmatched: 0, duplicates: 0 };
    for (const [index, record] of records.entries()) {
      const outcome = await this.importStatementRow(p, importId, index, record);
      result.rows.push(outcome);
      if (outcome.outcome === 'UNMATCHED') result.unmatched++;
      else if (outcome.outcome === 'DUPLICATE') result.duplicates++;
      else result.matched++;
    }
    return result;
  }

  /**
   * Checks a statement as a whole (role, tenant-wide scope, size, format and syntax) before anything
   * is written; returns its incoming payments as rows, the import id (the text's hash) their payment
   * ids derive from, the format read, and the input field the statement came in (for error paths).
   */
  async prepareBankStatement(principal: Principal | null, rawInput: unknown): Promise<PreparedStatement> {
    const p = authorize(principal, 'payments:write');
    assertTenantWide(p, "The brokerage's bank statement");
    const input = parseInput(ImportBankStatementSchema, rawInput);
    const text = (input.content ?? input.csv) as string;
    const field = input.content ? 'input.content' : 'input.csv';
    const format = input.format ?? detectStatementFormat(text);
    const { records, identity } = await readStatement(text, format, field);
    // The statement's own ids where the format has them (a re-export is the same statement), else the text.
    const importId = createHash('sha256')
      .update(identity ?? text)
      .digest('hex')
      .slice(0, 16);
    return { p, importId, records, format, field };
  }

  /**
   * Imports one statement row (0-based `index`; reported as row `index + 1`). Its payment id derives
   * from the import id and row, so running it again reports DUPLICATE and books nothing.
   */
  importStatementRow(
    p: Principal,
    importId: string,
    index: number,
    record: Record<string, string>,
  ): Promise<ImportRowResult> {
    return this.importRow(p, importId, index + 1, record);
  }

  private async importRow(
    p: Principal,
    importId: string,
    row: number,
    record: Record<string, string>,
  ): Promise<ImportRowResult> {
    const amount = DecimalStringSchema.safeParse(record.amount ?? '');
    const currency = CurrencySchema.safeParse(record.currency ?? '');
    // Out of range or finer than the currency: the row is reported, never rounded or counted.
    const valid =
      amount.success &&
      currency.success &&
      new Dec(amount.data).gt(0) &&
      isAmountInRange(amount.data) &&
      fitsCurrencyScale(amount.data, currency.data);
    const reference = record.reference ? record.reference : null;
    // Structured references first (the format's own fields, else found in the text), then the text.
    const structured = [
      record.creditorref ?? findCreditorReference(reference),
      record.vs ?? findVariableSymbol(reference),
    ].filter((r): r is string => !!r);
    return this.settleExternal(
      p.tenantId,
      {
        id: `bank-${importId}-${row}`,
        source: 'BANK_IMPORT',
        importId,
        row,
        paidDate: IsoDateSchema.safeParse(record.date ?? '').success ? (record.date as string) : null,
        amount: valid ? money(amount.data, currency.data) : null,
        rawAmount: { amount: record.amount ?? '', currency: record.currency ?? '' },
        reference,
        payer: record.payer || null,
        by: p.userId,
      },
      async (received) => {
        const byReference = await this.invoiceByReference(p.tenantId, reference, structured);
        if (byReference || !record.clientref) return byReference;
        const clientId = await this.clients.clientIdByRef(p.tenantId, record.clientref);
        if (!clientId) return undefined;
        const open = (await this.invoices.clientInvoices(p.tenantId, clientId)).filter(
          (i) =>
            OPEN_STATUSES.includes(i.status) &&
            i.currency === received.currency &&
            new Dec(i.outstanding.amount).eq(received.amount),
        );
        return open.length > 1 ? 'AMBIGUOUS_CLIENT_AMOUNT' : open[0];
      },
      (ext) => this.insurerCommission(p.tenantId, ext, record.payeriban || null),
    );
  }

  /**
   * A valid row an insurer paid (its account, or its payment reference) is the brokerage's commission
   * arriving, recorded by the settlement module instead of being matched to a client's invoice.
   */
  private async insurerCommission(
    tenantId: string,
    ext: ExternalPayment & { amount: Money; paidDate: string },
    payerIban: string | null,
  ): Promise<ImportRowResult | null> {
    if (!this.insurers) return null;
    const recorded = await this.insurers.record(tenantId, {
      id: ext.id,
      importId: ext.importId,
      row: ext.row,
      receivedDate: ext.paidDate,
      amount: ext.amount,
      reference: ext.reference,
      payer: ext.payer,
      payerIban,
      by: ext.by,
    });
    if (!recorded) return null;
    return {
      row: ext.row,
      outcome: recorded.duplicate ? 'DUPLICATE' : 'INSURER_COMMISSION',
      invoiceId: null,
      invoiceNumber: null,
      reason: null,
      insurerSettlementId: recorded.settlementId,
    };
  }

  /** The invoice a payment's free-text reference names (number or payment reference), if any. */
  private async invoiceByReference(
    tenantId: string,
    reference: string | null,
    structured: string[] = [],
  ): Promise<Invoice | undefined> {
    const candidates = [...structured, ...(reference ? referenceCandidates(reference) : [])];
    for (const candidate of new Set(candidates)) {
      const invoiceId = await this.invoices.invoiceIdByReference(tenantId, candidate);
      const invoice = invoiceId ? await this.invoices.getInvoice(tenantId, invoiceId) : undefined;
      if (invoice) return invoice;
    }
    return undefined;
  }

  /**
   * Applies a payment that arrived from outside (a statement row, an insurer's event) to the invoice
   * `find` names, or queues it for a person with the reason nothing matched (`find` may name one);
   * a row `insurer` recognises as an insurer's commission payment is recorded there instead.
   * The external id is claimed with the payment and a queued one stays queued, so a second arrival
   * of the same payment changes nothing.
   */
  private async settleExternal(
    tenantId: string,
    ext: ExternalPayment,
    find: (received: Money) => Promise<Invoice | string | undefined>,
    insurer?: (ext: ExternalPayment & { amount: Money; paidDate: string }) => Promise<ImportRowResult | null>,
  ): Promise<ImportRowResult> {
    const { id, row } = ext;
    const seen = async (invoiceId: string | null): Promise<ImportRowResult> => ({
      row,
      outcome: 'DUPLICATE',
      invoiceId,
      invoiceNumber: invoiceId
        ? ((await this.invoices.getInvoice(tenantId, invoiceId))?.number ?? null)
        : null,
      reason: null,
    });
    const unmatched = async (reason: string): Promise<ImportRowResult> => {
      const queued = await this.repo.queueUnmatched(tenantId, {
        id,
        source: ext.source,
        importId: ext.importId,
        row,
        paidDate: ext.paidDate ?? '',
        amount: ext.amount ?? ext.rawAmount,
        reference: ext.reference,
        payer: ext.payer,
        reason,
        at: this.access.now(),
      });
      return {
        row,
        outcome: queued ? 'UNMATCHED' : 'DUPLICATE',
        invoiceId: null,
        invoiceNumber: null,
        reason,
      };
    };
    const appliedTo = await this.repo.externalPaymentInvoice(tenantId, id);
    if (appliedTo) return seen(appliedTo);
    if (await this.repo.getUnmatched(tenantId, id)) return seen(null);
    const received = ext.amount;
    if (!received || !ext.paidDate) return unmatched('INVALID_ROW');
    const fromInsurer = insurer ? await insurer({ ...ext, amount: received, paidDate: ext.paidDate }) : null;
    if (fromInsurer) return fromInsurer;
    const found = await find(received);
    if (typeof found === 'string') return unmatched(found);
    if (!found) return unmatched('NO_MATCH');
    if (found.currency !== received.currency) return unmatched('CURRENCY_MISMATCH');
    try {
      const payment = await this.writer.applyPayment(tenantId, {
        paymentId: id,
        invoiceId: found.id,
        amount: received,
        paidDate: ext.paidDate,
        source: ext.source,
        reference: ext.reference,
        by: ext.by,
      });
      const outcome: ImportOutcome = !new Dec(payment.credited.amount).isZero()
        ? 'OVERPAID'
        : new Dec(received.amount).lt(found.outstanding.amount)
          ? 'PARTIAL'
          : 'MATCHED';
      return { row, outcome, invoiceId: found.id, invoiceNumber: found.number, reason: null };
    } catch (error) {
      if (error instanceof AlreadyExistsError) return seen(found.id);
      if (error instanceof RuleViolationError) return unmatched('INVOICE_CLOSED');
      throw error;
    }
  }

  /**
   * A premium payment an insurer reported (`premium.paid`, stored by the webhooks module): applied to
   * the invoice its reference names, else to the policy's oldest open invoice for exactly that
   * amount (instalments are equal, so the earliest due is the one paid); otherwise queued. The id
   * derives from the stored record's key, so a replayed change applies nothing twice.
   */
  async onInsurerPayment(detail: TableChangeDetail): Promise<ImportRowResult | null> {
    if (detail.entityType !== EntityType.InsurerPremiumPayment || !detail.tenantId || !detail.newImage) {
      return null;
    }
    const tenantId = detail.tenantId;
    const paid = insurerPaymentImage(detail.newImage);
    const key = `${String(detail.keys.pk)}|${String(detail.keys.sk)}`;
    return this.settleExternal(
      tenantId,
      {
        id: `insurer-${createHash('sha256').update(key).digest('hex').slice(0, 24)}`,
        source: 'INSURER',
        importId: 'insurer',
        row: 0,
        paidDate: paid.paidDate,
        amount: new Dec(paid.amount.amount).gt(0) ? paid.amount : null,
        rawAmount: paid.amount,
        reference: paid.reference,
        payer: `insurer, policy ${paid.policyNumber}`,
        by: 'insurer',
      },
      async (received) => {
        const byReference = await this.invoiceByReference(tenantId, paid.reference);
        if (byReference) return byReference;
        const policy = await this.policies.getPolicy(tenantId, paid.policyId);
        if (!policy) return undefined;
        return (await this.invoices.clientInvoices(tenantId, policy.clientId))
          .filter(
            (i) =>
              i.policyId === policy.id &&
              OPEN_STATUSES.includes(i.status) &&
              i.currency === received.currency &&
              new Dec(i.outstanding.amount).eq(received.amount),
          )
          .sort((a, b) => a.dueDate.localeCompare(b.dueDate))[0];
      },
    );
  }
}
