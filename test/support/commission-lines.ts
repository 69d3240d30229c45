import type { StoredLine } from '../../functions/modules/commissions/commissions.model.js';
import type { StoredItem } from '../../functions/shared/db.js';
import { newId } from '../../functions/shared/ids.js';
import { toItem } from '../../functions/shared/items.js';
import { EntityType, keys } from '../../functions/shared/table-design.js';

/** Who and what generated ledger lines are spread over. */
export interface LineSpread {
  period: string;
  /** Advisors (USER recipients) the lines go to in turn. */
  advisorIds: readonly string[];
  insurerIds: readonly string[];
  currencies?: readonly string[];
  createdAt?: string;
}

/**
 * The n-th of many ledger lines as the commission engine writes them (typed as the ledger's
 * StoredLine, so its shape follows the model): every fourth an upline's 2 % override, the others
 * the seller's 40 % of a 15 % receivable, on policies two lines each. For tests and benches that need
 * far more lines than the engine would write in their time.
 */
export function ledgerLine(n: number, s: LineSpread): StoredLine {
  const override = n % 4 === 3;
  const policy = Math.floor(n / 2);
  const premium = 800 + ((n * 37) % 9_000);
  const base = ((premium * 15) / 100).toFixed(2);
  const rate = override ? '2' : '40';
  const amount = ((Number(base) * Number(rate)) / 100).toFixed(2);
  const currencies = s.currencies ?? ['EUR'];
  const currency = currencies[n % currencies.length] as string;
  const advisorId = s.advisorIds[n % s.advisorIds.length] as string;
  return {
    id: newId(),
    ledger: 'ADVISOR',
    recipient: { kind: 'USER', id: advisorId },
    recipientKey: `USER:${advisorId}`,
    policyId: `gen-policy-${policy}`,
    sourceEventId: `gen-event-${policy}`,
    kind: 'ACCRUAL',
    amount,
    currency,
    relatedLineId: null,
    policyVersion: 1,
    explanation: {
      base,
      previousBase: null,
      rate,
      tier: null,
      share: null,
      schemeId: 'gen-scheme',
      ruleId: 'advisor',
      ruleName: 'Advisor',
      schemeVersion: 1,
      level: override ? 1 : 0,
      hierarchyLevel: override ? 1 : null,
      role: override ? 'OVERRIDE' : 'PRIMARY',
      formula: `${rate} % × ${base} ${currency} = ${amount} ${currency}`,
      rounding: 'HALF_EVEN',
    },
    period: s.period,
    reason: null,
    by: null,
    insurerId: s.insurerIds[n % s.insurerIds.length] ?? null,
    policyNumber: `GEN-${String(policy).padStart(7, '0')}`,
    clientId: `gen-client-${Math.floor(n / 8)}`,
    createdAt: s.createdAt ?? new Date().toISOString(),
    version: 1,
  };
}

/** A line as the ledger repository stores it: its key, entity type and the three index keys. */
export function ledgerLineItem(tenantId: string, line: StoredLine): StoredItem {
  return toItem(
    keys.commissionLine(tenantId, line.id),
    EntityType.CommissionLine,
    tenantId,
    line,
    keys.commissionLineIndexes(tenantId, {
      id: line.id,
      recipient: line.recipientKey,
      period: line.period,
      policyId: line.policyId,
    }),
  );
}
