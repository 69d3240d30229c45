import { createHash } from 'node:crypto';
import { assertTenantWide, authorize, canReach, scopeFilter } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { TableChangeDetail } from '../../shared/change-event.js';
import { type Clock, isoDateInZone } from '../../shared/clock.js';
import { addDays } from '../../shared/dates.js';
import type { Page, TransactOp } from '../../shared/db.js';
import {
  AlreadyExistsError,
  ForbiddenError,
  NotFoundError,
  RuleViolationError,
  ValidationFailedError,
  VersionConflictError,
} from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { fitsCurrencyScale, IsoDateSchema, isAmountInRange } from '../../shared/input.js';
import { KeyedQueue } from '../../shared/keyed-queue.js';
import type { Mailer } from '../../shared/mailer.js';
import {
  CurrencySchema,
  Dec,
  DecimalStringSchema,
  type Money,
  money,
  negateMoney,
} from '../../shared/money.js';
import type { ObjectStore } from '../../shared/object-store.js';
import { keepInPage } from '../../shared/pagination.js';
import type { SmsSender } from '../../shared/sms.js';
import { EntityType, type IndexName, keys } from '../../shared/table-design.js';
import { parseInput } from '../../shared/validation.js';
import { type Client, normaliseId } from '../clients/clients.model.js';
import type { ClientsRepository } from '../clients/clients.repository.js';
import type { TenantSettings } from '../org/org.model.js';
import type { OrgRepository } from '../org/org.repository.js';
import type { PoliciesRepository } from '../policies/policies.repository.js';
import { renderInvoicePdf } from './invoice-pdf.js';
import {
  AGE_BUCKETS,
  type AgeBucket,
  bucketOf,
  CloseInvoiceSchema,
  type CollectorTask,
  CreateInvoiceSchema,
  type CreditEntry,
  DEFAULT_DUNNING_POLICY,
  DebtorFilterSchema,
  type DunningPolicy,
  type DunningStepRecord,
  dueRangeOfBucket,
  formatInvoiceNumber,
  GenerateInstalmentInvoicesSchema,
  ImportBankStatementSchema,
  type Invoice,
  type InvoiceStatus,
  IssueInvoiceSchema,
  invoiceAge,
  lineTotal,
  MAX_SYNC_STATEMENT_ROWS,
  normaliseReference,
  OPEN_STATUSES,
  type Payment,
  type PaymentListFilter,
  PaymentListFilterSchema,
  type PaymentSource,
  PaymentStatisticsSchema,
  PeriodSchema,
  RegisterPaymentSchema,
  ResolveUnmatchedSchema,
  ReversePaymentSchema,
  referenceCandidates,
  SetDunningPolicySchema,
  splitPayment,
  statusAfterPayment,
  sumMoney,
  toMinor,
  type UnmatchedPayment,
} from './invoices.model.js';
import { type InvoicesRepository, SequenceConflictError } from './invoices.repository.js';

type PageRequest = { limit: number; cursor: string | null };

/** What issuing and dunning need outside the table: a bucket for PDFs, mail and SMS. */
export interface InvoiceAdapters {
  store: ObjectStore;
  bucket: string;
  mailer: Mailer;
  mailFrom: string;
  sms: SmsSender;
}

/** How a bank-statement row ended. */
export type ImportOutcome = 'MATCHED' | 'PARTIAL' | 'OVERPAID' | 'UNMATCHED' | 'DUPLICATE';

export interface ImportRowResult {
  row: number;
  outcome: ImportOutcome;
  invoiceId: string | null;
  invoiceNumber: string | null;
  reason: string | null;
}

export interface ImportResult {
  importId: string;
  rows: ImportRowResult[];
  matched: number;
  unmatched: number;
  duplicates: number;
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

/** Overdue amounts per age bucket, for the debtor statistics. */
export interface DebtorAging {
  asOf: string;
  count: number;
  /** One amount per currency. */
  total: Money[];
  buckets: Array<{ bucket: AgeBucket; count: number; outstanding: Money[] }>;
}

/** One debtor Query: an index partition, an optional due-date range and the filters that narrow it. */
interface DebtorQuery {
  index: IndexName;
  partition: string;
  range: [string, string] | null;
  filter: Record<string, string>;
  minMinor: number | null;
}

/** Payments due, made and late in a period per advisor or product line (amounts per currency). */
export interface PaymentStatistics {
  period: string;
  groupBy: 'ADVISOR' | 'PRODUCT_LINE' | 'CLIENT_GROUP';
  rows: Array<{
    key: string | null;
    invoicesDue: number;
    due: Money[];
    paymentsMade: number;
    made: Money[];
    paymentsLate: number;
    late: Money[];
  }>;
}

/** Every item of a paged Query, page after page. */
async function allPages<T>(fetch: (page: PageRequest) => Promise<Page<T>>): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await fetch({ limit: 100, cursor });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** Exact sums, one per currency, in currency order. */
function totalsByCurrency(amounts: Money[]): Money[] {
  return [...new Set(amounts.map((m) => m.currency))].sort().map((currency) =>
    sumMoney(
      amounts.filter((m) => m.currency === currency),
      currency,
    ),
  );
}

/** The debtor side of a client's card. */
export interface DebtorSummary {
  status: 'NONE' | 'CURRENT' | 'OVERDUE';
  amountOverdue: Money | null;
  outstanding: Money | null;
  credit: Money | null;
  currentStep: string | null;
  /** The oldest overdue invoice; `DebtorSummary.oldestDaysOverdue` is its age ({@link invoiceAge}). */
  oldestOverdue: Pick<Invoice, 'status' | 'dueDate'> | null;
}

const MAX_ISSUE_ATTEMPTS = 200;
/**
 * How long a write to an invoice keeps re-reading and retrying after lost races before it answers
 * CONFLICT: callers pass no version, so a race is ours to resolve, well inside the API's 29 s.
 */
const INVOICE_RACE_BUDGET_MS = 10_000;
const PDF_LINK_SECONDS = 900;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A transaction that lost a race to another writer (DynamoDB cancels it): safe to retry after a re-read. */
function isRace(error: unknown): boolean {
  if (error instanceof SequenceConflictError || error instanceof VersionConflictError) return true;
  const name = (error as { name?: string } | null)?.name;
  return name === 'TransactionCanceledException' || name === 'TransactionConflictException';
}

/** Payments to one invoice from this process take turns (see KeyedQueue); the race retry covers other processes. */
const invoiceWrites = new KeyedQueue();

/**
 * After a lost race on an invoice: false once the budget is spent (the caller answers CONFLICT),
 * else waits a jittered, growing pause so concurrent writers spread out, and says to retry.
 */
async function retryAfterRace(error: unknown, attempt: number, startedAt: number): Promise<boolean> {
  if (!isRace(error) || performance.now() - startedAt > INVOICE_RACE_BUDGET_MS) return false;
  await sleep(Math.random() * Math.min(100, 5 * 2 ** Math.min(attempt, 5)));
  return true;
}

/** The first day and last day of a `YYYY-MM` period. */
export function periodRange(period: string): [string, string] {
  return [`${period}-01`, addDays(`${addDays(`${period}-28`, 4).slice(0, 7)}-01`, -1)];
}

/**
 * Invoices and payments: drafting and issuing with a gapless per-tenant sequence, the PDF in S3 and
 * by e-mail, instalment plans, manual and bank-statement payments with partial, over- and
 * reversed payments, the resolution queue, the debtor and payment lists, and the dunning policy.
 */
/** Deepest corporate hierarchy walked when grouping by client group. */
const MAX_CLIENT_GROUP_DEPTH = 6;

export class InvoicesService {
  constructor(
    private readonly repo: InvoicesRepository,
    private readonly clients: ClientsRepository,
    private readonly policies: PoliciesRepository,
    private readonly org: OrgRepository,
    private readonly clock: Clock,
    private readonly adapters: InvoiceAdapters | null,
  ) {}

  private now(): string {
    return this.clock.now().toISOString();
  }

  async tenant(tenantId: string): Promise<TenantSettings> {
    const t = await this.org.getTenantSettings(tenantId);
    if (!t) throw new NotFoundError('Tenant', tenantId);
    return t;
  }

  /** Today in the tenant's time zone: due dates and periods are the tenant's calendar days. */
  async today(tenantId: string): Promise<string> {
    return isoDateInZone(this.clock.now(), (await this.tenant(tenantId)).timeZone);
  }

  private assertReach(principal: Principal, invoice: Invoice): void {
    if (
      !canReach(principal, {
        ownerUserId: invoice.advisorId,
        branchId: invoice.branchId,
        regionId: invoice.regionId,
      })
    ) {
      throw new ForbiddenError('This invoice is outside your scope');
    }
  }

  private async requireInvoice(principal: Principal, invoiceId: string): Promise<Invoice> {
    const invoice = await this.repo.getInvoice(principal.tenantId, invoiceId);
    if (!invoice) throw new NotFoundError('Invoice', invoiceId);
    this.assertReach(principal, invoice);
    return invoice;
  }

  async getInvoice(principal: Principal | null, invoiceId: string): Promise<Invoice | null> {
    const p = authorize(principal, 'invoices:read');
    const invoice = await this.repo.getInvoice(p.tenantId, invoiceId);
    if (!invoice) return null;
    this.assertReach(p, invoice);
    return invoice;
  }

  async clientInvoices(principal: Principal | null, clientId: string): Promise<Invoice[]> {
    const p = authorize(principal, 'invoices:read');
    const invoices = await this.repo.clientInvoices(p.tenantId, clientId);
    return invoices.filter((i) =>
      canReach(p, { ownerUserId: i.advisorId, branchId: i.branchId, regionId: i.regionId }),
    );
  }

  // ---- drafting -----------------------------------------------------------------------------

  async createInvoice(principal: Principal | null, rawInput: unknown): Promise<Invoice> {
    const p = authorize(principal, 'invoices:write');
    const input = parseInput(CreateInvoiceSchema, rawInput);
    const client = await this.clients.getClient(p.tenantId, input.clientId);
    if (!client) {
      throw new ValidationFailedError('Unknown client', [
        { path: 'input.clientId', message: 'is not a client of this brokerage' },
      ]);
    }
    const policy = input.policyId ? await this.policies.getPolicy(p.tenantId, input.policyId) : undefined;
    if (input.policyId && (!policy || policy.clientId !== client.id)) {
      throw new ValidationFailedError('Unknown policy', [
        { path: 'input.policyId', message: "is not one of the client's policies" },
      ]);
    }
    const lines = input.lines.map((l) => {
      const unitPrice = money(l.unitPrice, input.currency);
      return {
        description: l.description,
        quantity: l.quantity,
        unitPrice,
        total: lineTotal(l.quantity, unitPrice),
      };
    });
    const invoice = this.draft(client, {
      policyId: policy?.id ?? null,
      productLineId: policy?.productLineId ?? null,
      insurerId: policy?.insurerId ?? null,
      advisorId: policy?.servicingAdvisorId ?? client.ownerAdvisorId,
      currency: input.currency,
      lines,
      issueDate: input.issueDate ?? null,
      dueDate: input.dueDate,
      note: input.note ?? null,
      instalmentDueDate: null,
    });
    this.assertReach(p, invoice);
    await this.repo.transact([this.repo.createInvoiceOp(p.tenantId, invoice)]);
    return invoice;
  }

  private draft(
    client: Client,
    fields: Pick<
      Invoice,
      | 'policyId'
      | 'productLineId'
      | 'insurerId'
      | 'advisorId'
      | 'currency'
      | 'lines'
      | 'issueDate'
      | 'dueDate'
      | 'note'
      | 'instalmentDueDate'
    >,
  ): Invoice {
    const now = this.now();
    const total = sumMoney(
      fields.lines.map((l) => l.total),
      fields.currency,
    );
    return {
      id: newId(),
      clientId: client.id,
      clientName: client.name,
      number: null,
      reference: null,
      ...fields,
      total,
      paid: money(0, fields.currency),
      outstanding: total,
      outstandingMinor: toMinor(total),
      status: 'DRAFT',
      branchId: client.branchId,
      regionId: client.regionId,
      pdfKey: null,
      mailedAt: null,
      daysOverdue: 0,
      overdueAsOf: null,
      dunningStep: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
  }

  /**
   * Drafts (and optionally issues) one invoice per instalment of a policy's plan. Re-running it
   * creates nothing new: each instalment claims its invoice under the policy and due date.
   */
  async generateInstalmentInvoices(principal: Principal | null, rawInput: unknown): Promise<Invoice[]> {
    const p = authorize(principal, 'invoices:write');
    const input = parseInput(GenerateInstalmentInvoicesSchema, rawInput);
    const policy = await this.policies.getPolicy(p.tenantId, input.policyId);
    if (!policy) throw new NotFoundError('Policy', input.policyId);
    const client = await this.clients.getClient(p.tenantId, policy.clientId);
    if (!client) throw new NotFoundError('Client', policy.clientId);
    const created: Invoice[] = [];
    for (const [i, instalment] of policy.instalments.entries()) {
      const unitPrice = instalment.amount;
      const invoice = this.draft(client, {
        policyId: policy.id,
        productLineId: policy.productLineId,
        insurerId: policy.insurerId,
        advisorId: policy.servicingAdvisorId ?? client.ownerAdvisorId,
        currency: unitPrice.currency,
        lines: [
          {
            description: `${policy.policyNumber} ${i + 1}/${policy.instalments.length}`,
            quantity: '1',
            unitPrice,
            total: unitPrice,
          },
        ],
        issueDate: addDays(instalment.dueDate, -input.issueDaysBefore),
        dueDate: instalment.dueDate,
        note: null,
        instalmentDueDate: instalment.dueDate,
      });
      if (i === 0) this.assertReach(p, invoice);
      try {
        await this.repo.transact([
          this.repo.createInvoiceOp(p.tenantId, invoice),
          this.clients.claimOp(p.tenantId, invoice.id, {
            field: 'INSTALMENT_INVOICE',
            value: `${policy.id}.${instalment.dueDate}`,
          }),
        ]);
      } catch (error) {
        if (error instanceof AlreadyExistsError) continue;
        throw error;
      }
      created.push(input.issue ? await this.issue(p.tenantId, invoice.id, null) : invoice);
    }
    return created;
  }

  // ---- issuing ------------------------------------------------------------------------------

  async issueInvoice(principal: Principal | null, rawInput: unknown): Promise<Invoice> {
    const p = authorize(principal, 'invoices:write');
    const input = parseInput(IssueInvoiceSchema, rawInput);
    await this.requireInvoice(p, input.id);
    return this.issue(p.tenantId, input.id, input.expectedVersion ?? null);
  }

  /**
   * Numbers the invoice from the tenant's sequence (the increment and the invoice write in one
   * transaction, retried after a lost race), then renders the PDF, stores it and mails it.
   */
  async issue(tenantId: string, invoiceId: string, expectedVersion: number | null): Promise<Invoice> {
    const tenant = await this.tenant(tenantId);
    const today = isoDateInZone(this.clock.now(), tenant.timeZone);
    let issued: Invoice | undefined;
    for (let attempt = 0; !issued; attempt++) {
      const current = await this.repo.getInvoice(tenantId, invoiceId);
      if (!current) throw new NotFoundError('Invoice', invoiceId);
      if (expectedVersion !== null && current.version !== expectedVersion) {
        throw new VersionConflictError('Invoice', invoiceId, expectedVersion);
      }
      if (current.status !== 'DRAFT')
        throw new RuleViolationError(`Invoice ${invoiceId} is ${current.status}, not DRAFT`);
      const issueDate = current.issueDate ?? today;
      const year = issueDate.slice(0, 4);
      const last = await this.repo.readSequence(tenantId, year);
      const number = formatInvoiceNumber(year, last + 1);
      const changes = {
        number,
        reference: normaliseReference(number),
        issueDate,
        status: (current.dueDate < today ? 'OVERDUE' : 'ISSUED') as InvoiceStatus,
        updatedAt: this.now(),
      };
      try {
        await this.repo.issueWithNumber(tenantId, current, year, last, changes);
        issued = { ...current, ...changes, version: current.version + 1 };
      } catch (error) {
        if (!isRace(error) || attempt >= MAX_ISSUE_ATTEMPTS) throw error;
        await sleep(Math.random() * Math.min(100, 5 * 2 ** Math.min(attempt, 5)));
      }
    }
    return this.publish(tenantId, tenant, issued);
  }

  /** Renders, stores and mails an issued invoice; records the PDF key and when it was mailed. */
  private async publish(tenantId: string, tenant: TenantSettings, invoice: Invoice): Promise<Invoice> {
    if (!this.adapters) return invoice;
    const pdf = await renderInvoicePdf(invoice, { name: tenant.name, locale: tenant.locale });
    const pdfKey = `invoices/${tenantId}/${invoice.id}/${invoice.number}.pdf`;
    await this.adapters.store.put(this.adapters.bucket, pdfKey, pdf, 'application/pdf');
    const client = await this.clients.getClient(tenantId, invoice.clientId);
    let mailedAt: string | null = null;
    if (client?.email) {
      await this.adapters.mailer.send({
        from: this.adapters.mailFrom,
        to: client.email,
        subject: `${tenant.name}: invoice ${invoice.number}`,
        text: `Please find attached invoice ${invoice.number} for ${invoice.total.amount} ${invoice.total.currency}, due ${invoice.dueDate}. Payment reference: ${invoice.reference}.`,
        attachments: [{ filename: `${invoice.number}.pdf`, contentType: 'application/pdf', content: pdf }],
      });
      mailedAt = this.now();
    }
    return this.patch(tenantId, invoice, { pdfKey, mailedAt });
  }

  /** Applies a change that does not depend on the invoice's state, re-reading after a lost race. */
  private async patch(tenantId: string, invoice: Invoice, changes: Partial<Invoice>): Promise<Invoice> {
    let current = invoice;
    const startedAt = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await this.repo.transact([this.repo.updateInvoiceOp(tenantId, current, changes)]);
        return { ...current, ...changes, version: current.version + 1 };
      } catch (error) {
        if (!(await retryAfterRace(error, attempt, startedAt))) throw error;
        const fresh = await this.repo.getInvoiceOfClient(tenantId, current.clientId, current.id);
        if (!fresh) throw error;
        current = fresh;
      }
    }
  }

  /** An expiring link to the invoice's PDF, or null before it is issued (or without a bucket). */
  async pdfUrl(invoice: Invoice): Promise<string | null> {
    if (!invoice.pdfKey || !this.adapters) return null;
    return this.adapters.store.signedGetUrl(
      this.adapters.bucket,
      invoice.pdfKey,
      PDF_LINK_SECONDS,
      `${invoice.number}.pdf`,
    );
  }

  async cancelInvoice(principal: Principal | null, rawInput: unknown): Promise<Invoice> {
    return this.close(principal, rawInput, 'CANCELLED', 'invoices:write', ['DRAFT', 'ISSUED', 'OVERDUE']);
  }

  async writeOffInvoice(principal: Principal | null, rawInput: unknown): Promise<Invoice> {
    return this.close(principal, rawInput, 'WRITTEN_OFF', 'payments:write', OPEN_STATUSES);
  }

  private async close(
    principal: Principal | null,
    rawInput: unknown,
    to: InvoiceStatus,
    action: 'invoices:write' | 'payments:write',
    from: readonly InvoiceStatus[],
  ): Promise<Invoice> {
    const p = authorize(principal, action);
    const input = parseInput(CloseInvoiceSchema, rawInput);
    const invoice = await this.requireInvoice(p, input.id);
    if (invoice.version !== input.expectedVersion)
      throw new VersionConflictError('Invoice', invoice.id, input.expectedVersion);
    if (!from.includes(invoice.status) || (to === 'CANCELLED' && !new Dec(invoice.paid.amount).isZero())) {
      throw new RuleViolationError(
        `Invoice ${invoice.number ?? invoice.id} is ${invoice.status} and cannot become ${to}`,
      );
    }
    const changes = { status: to, note: input.reason, updatedAt: this.now() };
    await this.repo.transact([this.repo.updateInvoiceOp(p.tenantId, invoice, changes)]);
    return { ...invoice, ...changes, version: invoice.version + 1 };
  }

  // ---- payments -----------------------------------------------------------------------------

  async registerPayment(principal: Principal | null, rawInput: unknown): Promise<Payment> {
    const p = authorize(principal, 'payments:write');
    const input = parseInput(RegisterPaymentSchema, rawInput);
    await this.requireInvoice(p, input.invoiceId);
    return this.applyPayment(p.tenantId, {
      paymentId: newId(),
      invoiceId: input.invoiceId,
      amount: money(input.amount, input.currency),
      paidDate: input.paidDate,
      source: 'MANUAL',
      reference: input.reference ?? null,
      by: p.userId,
    });
  }

  /**
   * Applies a received amount to an invoice: the payment, the invoice's new paid/outstanding/status
   * and any overpayment as client credit commit together. A payment id seen before fails the whole
   * write with ALREADY_EXISTS, so re-imports change nothing.
   */
  async applyPayment(
    tenantId: string,
    p: {
      paymentId: string;
      invoiceId: string;
      amount: Money;
      paidDate: string;
      source: PaymentSource;
      reference: string | null;
      by: string;
    },
    extra: TransactOp[] = [],
  ): Promise<Payment> {
    const today = await this.today(tenantId);
    return invoiceWrites.run(`${tenantId}#${p.invoiceId}`, async () => {
      const startedAt = performance.now();
      for (let attempt = 0; ; attempt++) {
        const invoice = await this.repo.getInvoice(tenantId, p.invoiceId);
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
          await this.repo.transact([
            this.repo.paymentOp(tenantId, payment),
            ...(p.source === 'BANK_IMPORT' || p.source === 'INSURER'
              ? [this.repo.externalPaymentClaimOp(tenantId, p.paymentId, invoice.id)]
              : []),
            this.repo.updateInvoiceOp(tenantId, invoice, this.paidChanges(invoice, applied, today)),
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

  private paymentRecord(
    invoice: Invoice,
    p: {
      paymentId: string;
      amount: Money;
      paidDate: string;
      source: PaymentSource;
      reference: string | null;
      by: string;
    },
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
      at: this.now(),
      version: 1,
    };
  }

  private paidChanges(invoice: Invoice, applied: Money, today: string): Partial<Invoice> {
    const paid = money(new Dec(invoice.paid.amount).plus(applied.amount), invoice.currency);
    const outstanding = money(new Dec(invoice.total.amount).minus(paid.amount), invoice.currency);
    return {
      paid,
      outstanding,
      outstandingMinor: toMinor(outstanding),
      status: statusAfterPayment(invoice, outstanding, paid, today),
      updatedAt: this.now(),
    };
  }

  private creditOps(tenantId: string, payment: Payment): TransactOp[] {
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

  /** Reverses a payment with a new, negated payment; the invoice reopens and any credit it made is taken back. */
  async reversePayment(principal: Principal | null, rawInput: unknown): Promise<Payment> {
    const p = authorize(principal, 'payments:write');
    const input = parseInput(ReversePaymentSchema, rawInput);
    const today = await this.today(p.tenantId);
    return invoiceWrites.run(`${p.tenantId}#${input.invoiceId}`, async () => {
      const startedAt = performance.now();
      for (let attempt = 0; ; attempt++) {
        const invoice = await this.requireInvoice(p, input.invoiceId);
        const original = await this.repo.getPayment(p.tenantId, input.invoiceId, input.paymentId);
        if (!original) throw new NotFoundError('Payment', input.paymentId);
        if (original.reversedByPaymentId || original.reversesPaymentId) {
          throw new RuleViolationError(`Payment ${original.id} is already reversed or is itself a reversal`);
        }
        const reversal = this.paymentRecord(
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
          await this.repo.transact([
            this.repo.paymentOp(p.tenantId, reversal),
            this.repo.markReversedOp(p.tenantId, original, reversal.id),
            this.repo.updateInvoiceOp(
              p.tenantId,
              invoice,
              this.paidChanges(invoice, reversal.applied, today),
            ),
            ...this.creditOps(p.tenantId, reversal),
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
    await this.requireInvoice(p, invoiceId);
    return this.repo.listPaymentsOfInvoice(p.tenantId, invoiceId);
  }

  /**
   * Imports a bank statement (CSV with a header: date, amount, currency, reference, and optionally
   * clientRef and payer). Each row is matched by invoice number or payment reference, else by client
   * (its external, national or tax id) and exact open amount; the rest wait in the resolution queue.
   * Row ids derive from the file's hash, so importing the same file again changes nothing.
   */
  async importBankStatement(principal: Principal | null, rawInput: unknown): Promise<ImportResult> {
    const { p, importId, records } = await this.prepareBankStatement(principal, rawInput);
    if (records.length > MAX_SYNC_STATEMENT_ROWS) {
      throw new ValidationFailedError('Too many rows to import within one request', [
        {
          path: 'input.csv',
          message: `has ${records.length} rows; importBankStatement takes at most ${MAX_SYNC_STATEMENT_ROWS}: start a job with startBankStatementImport`,
        },
      ]);
    }
    const result: ImportResult = { importId, rows: [], matched: 0, unmatched: 0, duplicates: 0 };
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
   * Checks a statement as a whole (role, tenant-wide scope, size, CSV syntax) before anything is
   * written; returns its rows and the import id (the file's hash) their payment ids derive from.
   */
  async prepareBankStatement(
    principal: Principal | null,
    rawInput: unknown,
  ): Promise<{ p: Principal; importId: string; records: Record<string, string>[] }> {
    const p = authorize(principal, 'payments:write');
    assertTenantWide(p, "The brokerage's bank statement");
    const input = parseInput(ImportBankStatementSchema, rawInput);
    const { parse } = await import('csv-parse/sync'); // on first import, not at cold start
    let records: Record<string, string>[];
    try {
      records = parse(input.csv, {
        columns: (h: string[]) => h.map((c) => c.trim().toLowerCase()),
        skip_empty_lines: true,
        trim: true,
      });
    } catch (error) {
      throw new ValidationFailedError('The statement is not valid CSV', [
        { path: 'input.csv', message: (error as Error).message },
      ]);
    }
    const importId = createHash('sha256').update(input.csv).digest('hex').slice(0, 16);
    return { p, importId, records };
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
        const byReference = await this.invoiceByReference(p.tenantId, reference);
        if (byReference || !record.clientref) return byReference;
        const clientId = await this.clientByRef(p.tenantId, record.clientref);
        if (!clientId) return undefined;
        const open = (await this.repo.clientInvoices(p.tenantId, clientId)).filter(
          (i) =>
            OPEN_STATUSES.includes(i.status) &&
            i.currency === received.currency &&
            new Dec(i.outstanding.amount).eq(received.amount),
        );
        return open.length > 1 ? 'AMBIGUOUS_CLIENT_AMOUNT' : open[0];
      },
    );
  }

  /** The invoice a payment's free-text reference names (number or payment reference), if any. */
  private async invoiceByReference(tenantId: string, reference: string | null): Promise<Invoice | undefined> {
    for (const candidate of reference ? referenceCandidates(reference) : []) {
      const invoiceId = await this.repo.invoiceIdByReference(tenantId, candidate);
      const invoice = invoiceId ? await this.repo.getInvoice(tenantId, invoiceId) : undefined;
      if (invoice) return invoice;
    }
    return undefined;
  }

  /**
   * Applies a payment that arrived from outside (a statement row, an insurer's event) to the invoice
   * `find` names, or queues it for a person with the reason nothing matched (`find` may name one).
   * The external id is claimed with the payment and a queued one stays queued, so a second arrival
   * of the same payment changes nothing.
   */
  private async settleExternal(
    tenantId: string,
    ext: ExternalPayment,
    find: (received: Money) => Promise<Invoice | string | undefined>,
  ): Promise<ImportRowResult> {
    const { id, row } = ext;
    const seen = async (invoiceId: string | null): Promise<ImportRowResult> => ({
      row,
      outcome: 'DUPLICATE',
      invoiceId,
      invoiceNumber: invoiceId ? ((await this.repo.getInvoice(tenantId, invoiceId))?.number ?? null) : null,
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
        at: this.now(),
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
    const found = await find(received);
    if (typeof found === 'string') return unmatched(found);
    if (!found) return unmatched('NO_MATCH');
    if (found.currency !== received.currency) return unmatched('CURRENCY_MISMATCH');
    try {
      const payment = await this.applyPayment(tenantId, {
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
    const paid = detail.newImage as {
      policyId: string;
      policyNumber: string;
      amount: Money;
      paidDate: string;
      reference: string | null;
    };
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
        return (await this.repo.clientInvoices(tenantId, policy.clientId))
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

  private async clientByRef(tenantId: string, ref: string): Promise<string | undefined> {
    return (
      (await this.clients.ownerOfUnique(tenantId, 'CLIENT_EXTERNAL_ID', ref)) ??
      (await this.clients.ownerOfUnique(tenantId, 'TAX_ID', normaliseId(ref))) ??
      (await this.clients.ownerOfUnique(tenantId, 'NATIONAL_ID', normaliseId(ref)))
    );
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
    await this.requireInvoice(p, input.invoiceId);
    return this.applyPayment(
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

  /** The collector's queue: tasks the dunning policy's COLLECTOR step created, with their letters. */
  async collectorTasks(principal: Principal | null, page: PageRequest): Promise<Page<CollectorTask>> {
    const p = authorize(principal, 'payments:write');
    const result = await this.repo.listCollectorTasks(p.tenantId, page);
    if (p.scope === 'all') return result;
    // A task sits where its invoice does; one written before tasks carried it reaches tenant-wide scopes only.
    return keepInPage(result, (t) =>
      canReach(p, { ownerUserId: t.assigneeId, branchId: t.branchId ?? null, regionId: t.regionId ?? null }),
    );
  }

  /** An expiring link to a collector task's formal letter. */
  async letterUrl(task: CollectorTask): Promise<string | null> {
    if (!task.letterKey || !this.adapters) return null;
    return this.adapters.store.signedGetUrl(
      this.adapters.bucket,
      task.letterKey,
      PDF_LINK_SECONDS,
      `notice-${task.invoiceNumber ?? task.invoiceId}.pdf`,
    );
  }

  async dunningSteps(principal: Principal | null, invoiceId: string): Promise<DunningStepRecord[]> {
    const p = authorize(principal, 'invoices:read');
    await this.requireInvoice(p, invoiceId);
    return this.repo.listSteps(p.tenantId, invoiceId);
  }

  // ---- lists --------------------------------------------------------------------------------

  /** The principal's scope as list filters: own scope sees its own advisor's rows, branch its branch. */
  private scopeFilter(p: Principal): Record<string, string> {
    return scopeFilter(p, { owner: 'advisorId', branch: 'branchId', region: 'regionId' });
  }

  /**
   * Overdue invoices by age bucket, filterable by branch, advisor, product line, insurer and a minimum
   * amount. The most selective filter picks the index (each is one Query sorted by due date, the
   * bucket a due-date range); the rest narrow it.
   */
  async debtors(principal: Principal | null, rawFilter: unknown, page: PageRequest): Promise<Page<Invoice>> {
    const q = await this.debtorQuery(authorize(principal, 'invoices:read'), rawFilter);
    if (!q) return { items: [], cursors: [], nextCursor: null };
    return this.repo.listDebtors(q.index, q.partition, q.range, page, q.filter, q.minMinor);
  }

  /**
   * What is overdue per age bucket (0–30, 31–60, 61–90, 90+ days), with the same filters as
   * {@link debtors}: the pages of that one Query, summed exactly per currency.
   */
  async debtorAging(principal: Principal | null, rawFilter: unknown): Promise<DebtorAging> {
    const p = authorize(principal, 'invoices:read');
    const today = await this.today(p.tenantId);
    const q = await this.debtorQuery(p, rawFilter);
    const invoices = q
      ? await allPages((page) =>
          this.repo.listDebtors(q.index, q.partition, q.range, page, q.filter, q.minMinor),
        )
      : [];
    const buckets = AGE_BUCKETS.map((bucket) => {
      const inBucket = invoices.filter((i) => bucketOf(invoiceAge(i, today)) === bucket);
      return {
        bucket,
        count: inBucket.length,
        outstanding: totalsByCurrency(inBucket.map((i) => i.outstanding)),
      };
    });
    return {
      asOf: today,
      count: invoices.length,
      total: totalsByCurrency(invoices.map((i) => i.outstanding)),
      buckets,
    };
  }

  /** The debtor Query a filter and the principal's scope select; null when they exclude each other. */
  private async debtorQuery(p: Principal, rawFilter: unknown): Promise<DebtorQuery | null> {
    const f = parseInput(DebtorFilterSchema, rawFilter ?? {}, 'filter');
    const wanted: Record<string, string> = {};
    const set = (k: string, v: string | null | undefined) => {
      if (v) wanted[k] = v;
    };
    set('advisorId', f.advisorId);
    set('branchId', f.branchId);
    set('productLineId', f.productLineId);
    set('insurerId', f.insurerId);
    for (const [k, v] of Object.entries(this.scopeFilter(p))) {
      if (wanted[k] && wanted[k] !== v) return null;
      wanted[k] = v;
    }
    const t = p.tenantId;
    let index: IndexName = 'gsi2';
    let partition = keys.invoicesByStatus(t, 'OVERDUE');
    let used: string | null = null;
    if (wanted.advisorId)
      [index, partition, used] = ['gsi1', keys.debtorsByAdvisor(t, wanted.advisorId), 'advisorId'];
    else if (wanted.branchId)
      [index, partition, used] = ['gsi3', keys.debtorsByBranch(t, wanted.branchId), 'branchId'];
    else if (wanted.productLineId)
      [index, partition, used] = [
        'gsi4',
        keys.debtorsByProductLine(t, wanted.productLineId),
        'productLineId',
      ];
    else if (wanted.insurerId)
      [index, partition, used] = ['gsi6', keys.debtorsByInsurer(t, wanted.insurerId), 'insurerId'];
    if (used) delete wanted[used];
    const range = f.bucket ? dueRangeOfBucket(f.bucket, await this.today(t)) : null;
    const minMinor = f.minAmount ? toMinor(money(f.minAmount, (await this.tenant(t)).baseCurrency)) : null;
    return { index, partition, range, filter: wanted, minMinor };
  }

  /** Invoices of a status due within a period (payments due: ISSUED/PARTIALLY_PAID/OVERDUE; PAID for paid ones). */
  async invoicesDue(
    principal: Principal | null,
    status: InvoiceStatus,
    period: string,
    page: PageRequest,
  ): Promise<Page<Invoice>> {
    const p = authorize(principal, 'invoices:read');
    const month = parseInput(PeriodSchema, period, 'period');
    const result = await this.repo.listInvoicesByStatus(p.tenantId, status, periodRange(month), page);
    return {
      ...result,
      items: result.items.filter((i) =>
        canReach(p, { ownerUserId: i.advisorId, branchId: i.branchId, regionId: i.regionId }),
      ),
    };
  }

  /**
   * Payments made in a period, optionally late ones only, by advisor or product line: one Query on
   * the most selective index (advisor, product line, late, else period); the other criteria and the
   * caller's scope narrow it.
   */
  async payments(principal: Principal | null, rawFilter: unknown, page: PageRequest): Promise<Page<Payment>> {
    const p = authorize(principal, 'invoices:read');
    const f = parseInput(PaymentListFilterSchema, rawFilter, 'filter');
    const q = this.paymentQuery(p, f);
    if (!q) return { items: [], cursors: [], nextCursor: null };
    return this.repo.listPayments(q.index, q.partition, periodRange(f.period), page, q.filter);
  }

  /**
   * Payments due, made and late in a period, per responsible advisor or product line: the invoices
   * due in the period (a Query per open or paid status on the status and due-date index) and the
   * payments made in it (a Query on the payments-by-period index), within the caller's scope.
   */
  async paymentStatistics(principal: Principal | null, rawInput: unknown): Promise<PaymentStatistics> {
    const p = authorize(principal, 'invoices:read');
    const input = parseInput(PaymentStatisticsSchema, rawInput);
    const range = periodRange(input.period);
    const due: Invoice[] = [];
    for (const status of ['ISSUED', 'PARTIALLY_PAID', 'OVERDUE', 'PAID'] as const) {
      const all = await allPages((page) => this.repo.listInvoicesByStatus(p.tenantId, status, range, page));
      due.push(
        ...all.filter((i) =>
          canReach(p, { ownerUserId: i.advisorId, branchId: i.branchId, regionId: i.regionId }),
        ),
      );
    }
    const q = this.paymentQuery(p, { period: input.period });
    const made = q
      ? await allPages((page) => this.repo.listPayments(q.index, q.partition, range, page, q.filter))
      : [];
    const groupOf =
      input.groupBy === 'CLIENT_GROUP'
        ? await this.clientGroups(
            p.tenantId,
            [...due, ...made].map((r) => r.clientId),
          )
        : new Map<string, string>();
    const keyOf = (r: { advisorId: string | null; productLineId: string | null; clientId: string }) =>
      input.groupBy === 'ADVISOR'
        ? r.advisorId
        : input.groupBy === 'PRODUCT_LINE'
          ? r.productLineId
          : (groupOf.get(r.clientId) ?? r.clientId);
    const groups = [...new Set([...due.map(keyOf), ...made.map(keyOf)])].sort((a, b) =>
      a === null ? 1 : b === null ? -1 : a.localeCompare(b),
    );
    const rows = groups.map((key) => {
      const dueHere = due.filter((i) => keyOf(i) === key);
      const madeHere = made.filter((m) => keyOf(m) === key);
      const lateHere = madeHere.filter((m) => m.late);
      return {
        key,
        invoicesDue: dueHere.length,
        due: totalsByCurrency(dueHere.map((i) => i.total)),
        paymentsMade: madeHere.length,
        made: totalsByCurrency(madeHere.map((m) => m.amount)),
        paymentsLate: lateHere.length,
        late: totalsByCurrency(lateHere.map((m) => m.amount)),
      };
    });
    return { period: input.period, groupBy: input.groupBy, rows };
  }

  /**
   * Each client's group: the top of its corporate hierarchy, found by walking parents up with one
   * batch get per level (a hierarchy is a few levels deep), never by scanning.
   */
  private async clientGroups(tenantId: string, clientIds: string[]): Promise<Map<string, string>> {
    const parentOf = new Map<string, string | null>();
    let wanted = [...new Set(clientIds)];
    for (let depth = 0; wanted.length > 0 && depth < MAX_CLIENT_GROUP_DEPTH; depth += 1) {
      const found = await this.clients.getClients(tenantId, wanted);
      for (const c of found) parentOf.set(c.id, c.parentClientId);
      wanted = [...new Set(found.map((c) => c.parentClientId))].filter(
        (id): id is string => id !== null && !parentOf.has(id),
      );
    }
    const groups = new Map<string, string>();
    for (const id of new Set(clientIds)) {
      let top = id;
      const seen = new Set<string>();
      for (let parent = parentOf.get(top); parent && !seen.has(parent); parent = parentOf.get(top)) {
        seen.add(top);
        top = parent;
      }
      groups.set(id, top);
    }
    return groups;
  }

  private paymentQuery(
    p: Principal,
    f: PaymentListFilter,
  ): { index: IndexName; partition: string; filter: Record<string, string | boolean> } | null {
    const wanted: Record<string, string | boolean> = {};
    if (f.advisorId) wanted.advisorId = f.advisorId;
    if (f.productLineId) wanted.productLineId = f.productLineId;
    if (f.lateOnly) wanted.late = true;
    for (const [k, v] of Object.entries(this.scopeFilter(p))) {
      if (wanted[k] !== undefined && wanted[k] !== v) return null;
      wanted[k] = v;
    }
    const t = p.tenantId;
    const pick = (
      attribute: string,
      index: IndexName,
      partition: string,
    ): { index: IndexName; partition: string; filter: Record<string, string | boolean> } => {
      const { [attribute]: _used, ...rest } = wanted;
      return { index, partition, filter: rest };
    };
    if (typeof wanted.advisorId === 'string')
      return pick('advisorId', 'gsi1', keys.paymentsByAdvisor(t, wanted.advisorId));
    if (typeof wanted.productLineId === 'string')
      return pick('productLineId', 'gsi4', keys.paymentsByProductLine(t, wanted.productLineId));
    if (wanted.late === true) return pick('late', 'gsi6', keys.latePaymentsByPeriod(t, f.period));
    return { index: 'gsi2', partition: keys.paymentsByPeriod(t, f.period), filter: wanted };
  }

  // ---- dunning policy -----------------------------------------------------------------------

  async dunningPolicy(principal: Principal | null): Promise<DunningPolicy> {
    const p = authorize(principal, 'invoices:read');
    return (await this.repo.getDunningPolicy(p.tenantId)) ?? DEFAULT_DUNNING_POLICY;
  }

  async setDunningPolicy(principal: Principal | null, rawInput: unknown): Promise<DunningPolicy> {
    const p = authorize(principal, 'dunning:configure');
    const input = parseInput(SetDunningPolicySchema, rawInput);
    const policy: DunningPolicy = {
      steps: [...input.steps].sort((a, b) => a.afterDays - b.afterDays),
      quietHoursStart: input.quietHoursStart,
      quietHoursEnd: input.quietHoursEnd,
      version: input.expectedVersion + 1,
      updatedAt: this.now(),
      updatedBy: p.userId,
    };
    await this.repo.saveDunningPolicy(p.tenantId, policy, input.expectedVersion);
    return policy;
  }

  // ---- the card ------------------------------------------------------------------------------

  /** The debtor side of a client's card, from the invoices and credits its one Query returned. */
  debtorSummary(invoices: Invoice[], credits: CreditEntry[]): DebtorSummary {
    const open = invoices.filter((i) => OPEN_STATUSES.includes(i.status));
    const overdue = open
      .filter((i) => i.status === 'OVERDUE')
      .sort((a, b) => a.dueDate.localeCompare(b.dueDate));
    const currency = open[0]?.currency ?? credits[0]?.amount.currency ?? null;
    const sum = (list: Money[]) =>
      currency
        ? sumMoney(
            list.filter((m) => m.currency === currency),
            currency,
          )
        : null;
    return {
      status: invoices.length === 0 ? 'NONE' : overdue.length > 0 ? 'OVERDUE' : 'CURRENT',
      amountOverdue: overdue.length > 0 ? sum(overdue.map((i) => i.outstanding)) : null,
      outstanding: open.length > 0 ? sum(open.map((i) => i.outstanding)) : null,
      credit: credits.length > 0 ? sum(credits.map((c) => c.amount)) : null,
      currentStep: overdue.map((i) => i.dunningStep).find((s) => s !== null) ?? null,
      oldestOverdue: overdue[0] ?? null,
    };
  }
}
