import { assertTenantWide, authorize, scopeFilter } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Page } from '../../shared/db.js';
import { type Money, money } from '../../shared/money.js';
import { parseInput } from '../../shared/validation.js';
import {
  allPages,
  type InvoiceAccess,
  type PageRequest,
  reaches,
  totalsByCurrency,
} from './invoice-access.js';
import type { RegisteredInvoice } from './invoice-register.model.js';
import {
  AGE_BUCKETS,
  type AgeBucket,
  bucketOf,
  type CreditEntry,
  DebtorFilterSchema,
  dueRangeOfBucket,
  type Invoice,
  type InvoiceStatus,
  invoiceAge,
  OPEN_STATUSES,
  type Payment,
  type PaymentListFilter,
  PaymentListFilterSchema,
  PaymentStatisticsSchema,
  PeriodSchema,
  periodRange,
  sumMoney,
  toMinor,
} from './invoices.model.js';
import type { DebtorCriteria, InvoicesRepository } from './invoices.repository.js';
import type { ClientDirectory } from './lookups.js';
import type { PaymentCriteria, PaymentsRepository } from './payments.repository.js';

/** Overdue amounts per age bucket, for the debtor statistics. */
export interface DebtorAging {
  asOf: string;
  count: number;
  /** One amount per currency. */
  total: Money[];
  buckets: Array<{ bucket: AgeBucket; count: number; outstanding: Money[] }>;
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

/** One debtor Query: what narrows it, an optional due-date range and a minimum outstanding amount. */
interface DebtorQuery {
  criteria: DebtorCriteria;
  range: [string, string] | null;
  minMinor: number | null;
}

/** Deepest corporate hierarchy walked when grouping by client group. */
const MAX_CLIENT_GROUP_DEPTH = 6;

/**
 * What is owed and paid: the debtor list and its aging, invoices due in a period, payment lists and
 * statistics, and the debtor side of a client's card. Every list is one Query within the caller's scope.
 */
export class ReceivablesService {
  constructor(
    private readonly invoices: InvoicesRepository,
    private readonly paymentRepo: PaymentsRepository,
    private readonly access: InvoiceAccess,
    private readonly clients: ClientDirectory,
  ) {}

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
    const p = authorize(principal, 'invoices:read');
    const q = await this.debtorQuery(p, rawFilter);
    if (!q) return { items: [], cursors: [], nextCursor: null };
    return this.invoices.listDebtors(p.tenantId, q.criteria, q.range, page, q.minMinor);
  }

  /**
   * What is overdue per age bucket (0–30, 31–60, 61–90, 90+ days), with the same filters as
   * {@link debtors}: the pages of that one Query, summed exactly per currency.
   */
  async debtorAging(principal: Principal | null, rawFilter: unknown): Promise<DebtorAging> {
    const p = authorize(principal, 'invoices:read');
    const today = await this.access.today(p.tenantId);
    const q = await this.debtorQuery(p, rawFilter);
    const invoices = q
      ? await allPages((page) => this.invoices.listDebtors(p.tenantId, q.criteria, q.range, page, q.minMinor))
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
    const wanted: DebtorCriteria = {};
    const set = (k: keyof DebtorCriteria, v: string | null | undefined) => {
      if (v) wanted[k] = v;
    };
    set('advisorId', f.advisorId);
    set('branchId', f.branchId);
    set('productLineId', f.productLineId);
    set('insurerId', f.insurerId);
    for (const [k, v] of Object.entries(this.scopeFilter(p)) as Array<[keyof DebtorCriteria, string]>) {
      if (wanted[k] && wanted[k] !== v) return null;
      wanted[k] = v;
    }
    const t = p.tenantId;
    const range = f.bucket ? dueRangeOfBucket(f.bucket, await this.access.today(t)) : null;
    const minMinor = f.minAmount
      ? toMinor(money(f.minAmount, (await this.access.tenant(t)).baseCurrency))
      : null;
    return { criteria: wanted, range, minMinor };
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
    const result = await this.invoices.listInvoicesByStatus(p.tenantId, status, periodRange(month), page);
    return {
      ...result,
      items: result.items.filter((i) => reaches(p, i)),
    };
  }

  /**
   * The invoice register of a month: every invoice issued in it, by issue date and number (one Query
   * on the month's register partition). Tenant-wide readers only: it is the brokerage's sales ledger.
   */
  async invoiceRegister(
    principal: Principal | null,
    period: string,
    page: PageRequest,
  ): Promise<Page<RegisteredInvoice>> {
    const p = authorize(principal, 'invoices:read');
    assertTenantWide(p, 'the invoice register');
    const month = parseInput(PeriodSchema, period, 'period');
    return this.invoices.listRegister(p.tenantId, month, page);
  }

  /**
   * Payments made in a period, optionally late ones only, by advisor or product line: one Query on
   * the most selective index (advisor, product line, late, else period); the other criteria and the
   * caller's scope narrow it.
   */
  async payments(principal: Principal | null, rawFilter: unknown, page: PageRequest): Promise<Page<Payment>> {
    const p = authorize(principal, 'invoices:read');
    const f = parseInput(PaymentListFilterSchema, rawFilter, 'filter');
    const criteria = this.paymentCriteria(p, f);
    if (!criteria) return { items: [], cursors: [], nextCursor: null };
    return this.paymentRepo.listPayments(p.tenantId, f.period, criteria, page);
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
      const all = await allPages((page) =>
        this.invoices.listInvoicesByStatus(p.tenantId, status, range, page),
      );
      due.push(...all.filter((i) => reaches(p, i)));
    }
    const criteria = this.paymentCriteria(p, { period: input.period });
    const made = criteria
      ? await allPages((page) => this.paymentRepo.listPayments(p.tenantId, input.period, criteria, page))
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

  /** What narrows a payment list: the filter and the caller's scope; null when they exclude each other. */
  private paymentCriteria(p: Principal, f: PaymentListFilter): PaymentCriteria | null {
    const wanted: PaymentCriteria = {};
    if (f.advisorId) wanted.advisorId = f.advisorId;
    if (f.productLineId) wanted.productLineId = f.productLineId;
    if (f.lateOnly) wanted.late = true;
    const scope = Object.entries(this.scopeFilter(p)) as Array<
      ['advisorId' | 'branchId' | 'regionId', string]
    >;
    for (const [k, v] of scope) {
      if (wanted[k] !== undefined && wanted[k] !== v) return null;
      wanted[k] = v;
    }
    return wanted;
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
