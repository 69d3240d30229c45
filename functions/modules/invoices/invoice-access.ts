import { canReach } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import { type Clock, isoDateInZone } from '../../shared/clock.js';
import { ForbiddenError, NotFoundError, VersionConflictError } from '../../shared/errors.js';
import { KeyedQueue } from '../../shared/keyed-queue.js';
import type { Money } from '../../shared/money.js';
import { type Invoice, sumMoney } from './invoices.model.js';
import { type InvoicesRepository, SequenceConflictError } from './invoices.repository.js';
import type { InvoiceTenant, TenantDirectory } from './lookups.js';

import type { PageRequest } from './query-filter.js';

export type { PageRequest };

/**
 * How long a write to an invoice keeps re-reading and retrying after lost races before it answers
 * CONFLICT: callers pass no version, so a race is ours to resolve, well inside the API's 29 s.
 */
const INVOICE_RACE_BUDGET_MS = 10_000;
export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A transaction that lost a race to another writer (DynamoDB cancels it): safe to retry after a re-read. */
export function isRace(error: unknown): boolean {
  if (error instanceof SequenceConflictError || error instanceof VersionConflictError) return true;
  const name = (error as { name?: string } | null)?.name;
  return name === 'TransactionCanceledException' || name === 'TransactionConflictException';
}

/** Payments to one invoice from this process take turns (see KeyedQueue); the race retry covers other processes. */
export const invoiceWrites = new KeyedQueue();

/**
 * After a lost race on an invoice: false once the budget is spent (the caller answers CONFLICT),
 * else waits a jittered, growing pause so concurrent writers spread out, and says to retry.
 */
export async function retryAfterRace(error: unknown, attempt: number, startedAt: number): Promise<boolean> {
  if (!isRace(error) || performance.now() - startedAt > INVOICE_RACE_BUDGET_MS) return false;
  await sleep(Math.random() * Math.min(100, 5 * 2 ** Math.min(attempt, 5)));
  return true;
}

export { allPages } from '../../shared/pagination.js';

/** Exact sums, one per currency, in currency order. */
export function totalsByCurrency(amounts: Money[]): Money[] {
  return [...new Set(amounts.map((m) => m.currency))].sort().map((currency) =>
    sumMoney(
      amounts.filter((m) => m.currency === currency),
      currency,
    ),
  );
}

/** Whether an invoice (or a row that sits where its invoice does) is within the principal's scope. */
export function reaches(
  p: Principal,
  row: { advisorId: string | null; branchId: string; regionId: string | null },
): boolean {
  return canReach(p, { ownerUserId: row.advisorId, branchId: row.branchId, regionId: row.regionId });
}

/** What every invoices service shares: the tenant's calendar and reading an invoice within the caller's scope. */
export class InvoiceAccess {
  constructor(
    readonly repo: InvoicesRepository,
    private readonly tenants: TenantDirectory,
    private readonly clock: Clock,
  ) {}

  now(): string {
    return this.clock.now().toISOString();
  }

  async tenant(tenantId: string): Promise<InvoiceTenant> {
    const t = await this.tenants.getTenantSettings(tenantId);
    if (!t) throw new NotFoundError('Tenant', tenantId);
    return t;
  }

  /** Today in the tenant's time zone: due dates and periods are the tenant's calendar days. */
  async today(tenantId: string): Promise<string> {
    return this.todayOf(await this.tenant(tenantId));
  }

  todayOf(tenant: InvoiceTenant): string {
    return isoDateInZone(this.clock.now(), tenant.timeZone);
  }

  assertReach(principal: Principal, invoice: Invoice): void {
    if (!reaches(principal, invoice)) throw new ForbiddenError('This invoice is outside your scope');
  }

  async requireInvoice(principal: Principal, invoiceId: string): Promise<Invoice> {
    const invoice = await this.repo.getInvoice(principal.tenantId, invoiceId);
    if (!invoice) throw new NotFoundError('Invoice', invoiceId);
    this.assertReach(principal, invoice);
    return invoice;
  }
}
