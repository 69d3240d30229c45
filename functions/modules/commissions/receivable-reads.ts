import { Dec, type Money, money } from '../../shared/money.js';
import type { LedgerRepository } from './ledger.repository.js';

/**
 * The commission receivable booked for an insurer's month, one sum per currency: its RECEIVABLE lines
 * of the month, clawbacks netted. Kept apart so an entry point that needs only this read (the import
 * jobs, recording insurers' commission payments) does not compose the commission services.
 */
export async function receivableOfInsurer(
  ledger: Pick<LedgerRepository, 'listReceivableLinesOfPeriod'>,
  tenantId: string,
  insurerId: string,
  period: string,
): Promise<Money[]> {
  const sums = new Map<string, Dec>();
  for (const l of await ledger.listReceivableLinesOfPeriod(tenantId, period)) {
    if (l.insurerId !== insurerId) continue;
    sums.set(l.currency, (sums.get(l.currency) ?? new Dec(0)).plus(l.amount));
  }
  return [...sums].sort(([a], [b]) => a.localeCompare(b)).map(([currency, sum]) => money(sum, currency));
}
