import type { Page } from '../../shared/db.js';
import { NotFoundError } from '../../shared/errors.js';
import type { Money } from '../../shared/money.js';
import type { StoredAccrual, StoredLine } from './commissions.model.js';
import type { Recipient } from './engine/index.js';
import type { LedgerRepository } from './ledger.repository.js';
import { fromMinor } from './minor-units.js';

/** A recipient's month as the API shows it: exact Money from integer minor units. */
export interface Accrual {
  recipient: Recipient;
  period: string;
  accrued: Money;
  clawedBack: Money;
  adjusted: Money;
  /** accrued + clawed back + adjusted. */
  total: Money;
  approved: Money | null;
  paid: Money | null;
  lineCount: number;
}

/** A line as the API shows it: with the period's status deciding whether it is approved. */
export interface LineView extends StoredLine {
  approvedAmount: string | null;
}

export function toAccrual(a: StoredAccrual): Accrual {
  const m = (minor: number | undefined) => ({
    amount: fromMinor(minor ?? 0, a.currency),
    currency: a.currency,
  });
  return {
    recipient: a.recipient,
    period: a.period,
    accrued: m(a.accruedMinor),
    clawedBack: m(a.clawedBackMinor),
    adjusted: m(a.adjustedMinor),
    total: m((a.accruedMinor ?? 0) + (a.clawedBackMinor ?? 0) + (a.adjustedMinor ?? 0)),
    approved: a.approvedMinor === undefined ? null : m(a.approvedMinor),
    paid: a.paidMinor === undefined ? null : m(a.paidMinor),
    lineCount: a.lineCount ?? 0,
  };
}

/** Lines as the API shows them: approved once their period is no longer open. */
export async function withApproval(
  ledger: LedgerRepository,
  tenantId: string,
  page: Page<StoredLine>,
): Promise<Page<LineView>> {
  const periods = await ledger.listPeriods(tenantId);
  const locked = new Set(periods.filter((x) => x.status !== 'OPEN').map((x) => x.period));
  return {
    ...page,
    items: page.items.map((l) => ({ ...l, approvedAmount: locked.has(l.period) ? l.amount : null })),
  };
}

/** One line as the API shows it, read back after a write. */
export async function viewOf(ledger: LedgerRepository, tenantId: string, id: string): Promise<LineView> {
  const found = await ledger.getLine(tenantId, id);
  if (!found) throw new NotFoundError('CommissionLine', id);
  const page = await withApproval(ledger, tenantId, { items: [found.line], cursors: [''], nextCursor: null });
  return page.items[0] as LineView;
}
