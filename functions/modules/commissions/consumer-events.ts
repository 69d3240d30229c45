import type { TableChangeDetail } from '../../shared/change-event.js';
import { Dec } from '../../shared/money.js';
import { EntityType } from '../../shared/table-design.js';
import { paymentImage, policyImage } from './change-images.js';
import {
  classifyPolicyChange,
  type PolicyChange,
  paymentEventId,
  policyEventId,
  policyFacts,
  toEngineEvent,
} from './commission-events.js';
import type { PaymentRecord, PolicyRecord } from './commission-lookups.js';
import type { ChangeBatch, ConflictKeys } from './consumer-batch.js';
import {
  type CommissionEvent,
  type CommissionLine,
  type PolicyFacts,
  type Scheme,
  usesPremiumQualification,
  usesPromotions,
} from './engine/index.js';

/**
 * The stream consumer's view of a batch's records before any ledger read: which records move
 * commission (parsed and classified), the event each means once the batch's shared reads are in,
 * and what each event depends on, so the consumer knows which may be booked side by side.
 */

/** A record that may book lines, parsed, with its classified change. */
export type Parsed = { index: number; tenantId: string } & (
  | { kind: 'policy'; change: PolicyChange; now: PolicyRecord }
  | { kind: 'payment'; payment: PaymentRecord }
);

/** An event ready to schedule: everything but the policy's own lines, which it reads when it runs. */
export interface Planned extends ConflictKeys {
  index: number;
  tenantId: string;
  eventId: string;
  date: string;
  policy: PolicyRecord;
  facts: PolicyFacts;
  /** Reads the policy's lines first (a cancellation claws back from them, a reactivation reverses). */
  needsPolicyLines: boolean;
  build: (policyLines: CommissionLine[]) => CommissionEvent;
}

/** The premium an event adds to its seller's personal production: written premium, an endorsement's change. */
export function writtenPremium(event: CommissionEvent): Dec | null {
  if (event.type === 'POLICY_WRITTEN') return new Dec(event.policy.premium.amount);
  if (event.type === 'ENDORSED') return new Dec(event.newPremium).minus(event.previousPremium);
  return null;
}

export const sellerOf = (policy: Pick<PolicyFacts, 'hierarchy' | 'sellerId'>) =>
  policy.hierarchy.find((h) => h.level === 0)?.userId ?? policy.sellerId;

export const usesPeriodTotals = (schemes: readonly Scheme[]) =>
  schemes.some((s) =>
    s.versions.some((v) =>
      v.rules.some((r) => r.computation.type === 'TIERED' && r.computation.table.volume === 'PERIOD_TOTAL'),
    ),
  );

/**
 * What an event reads and writes beyond its own lines (see {@link ConflictKeys}). Period totals are
 * read for the brokerage, whom every event pays, so they tie all of a tenant's events together.
 */
function conflictKeys(tenantId: string, facts: PolicyFacts, schemes: readonly Scheme[]): ConflictKeys {
  const key = (...parts: string[]) => [tenantId, ...parts].join('\u0000');
  const seller = sellerOf(facts);
  const reads = [key('policy', facts.id)];
  const writes = [key('policy', facts.id)];
  if (usesPeriodTotals(schemes)) {
    reads.push(key('period-totals'));
    writes.push(key('period-totals'));
  }
  const qualifying = usesPremiumQualification(schemes);
  const promoting = usesPromotions(schemes);
  if (qualifying)
    reads.push(...facts.hierarchy.filter((h) => h.level > 0).map((h) => key('production', h.userId)));
  if (qualifying || promoting) writes.push(key('production', seller));
  if (promoting) {
    reads.push(key('production', seller), key('rate-groups', seller));
    writes.push(key('rate-groups', seller));
  }
  return { reads, writes };
}

/** A stream change as the consumer reads it: a policy change that moves commission, a new payment, or nothing. */
export function parseChange(index: number, detail: TableChangeDetail): Parsed | null {
  const tenantId = detail.tenantId;
  if (!tenantId || !detail.newImage) return null;
  if (detail.entityType === EntityType.Payment) {
    const payment = paymentImage(detail.newImage);
    if (detail.eventName !== 'INSERT' || !payment.policyId) return null;
    return { index, tenantId, kind: 'payment', payment };
  }
  if (detail.entityType !== EntityType.Policy) return null;
  const now = policyImage(detail.newImage);
  const change = classifyPolicyChange(detail.oldImage ? policyImage(detail.oldImage) : undefined, now);
  return change ? { index, tenantId, kind: 'policy', change, now } : null;
}

/** The event a parsed record means, from the batch's reads; null when it books nothing. */
export function planEvent(p: Parsed, batch: ChangeBatch, schemes: readonly Scheme[]): Planned | null {
  const { tenantId } = p;
  if (p.kind === 'policy') {
    const facts = policyFacts(p.now, batch.client(tenantId, p.now.clientId));
    return {
      index: p.index,
      tenantId,
      eventId: policyEventId(facts),
      date: p.change.date,
      policy: p.now,
      facts,
      needsPolicyLines: p.change.type === 'CANCELLED' || p.change.type === 'REACTIVATED',
      build: (lines) => toEngineEvent(p.change, facts, lines),
      ...conflictKeys(tenantId, facts, schemes),
    };
  }
  const { payment } = p;
  const policy = payment.policyId ? batch.policy(tenantId, payment.policyId) : null;
  if (!policy || policy.premium.currency !== payment.applied.currency) return null;
  const facts = policyFacts(policy, batch.client(tenantId, policy.clientId));
  const eventId = paymentEventId(payment);
  return {
    index: p.index,
    tenantId,
    eventId,
    date: payment.paidDate,
    policy,
    facts,
    needsPolicyLines: false,
    build: () => ({
      type: 'PAYMENT_RECEIVED',
      eventId,
      policy: facts,
      amount: payment.applied.amount,
      paidDate: payment.paidDate,
    }),
    ...conflictKeys(tenantId, facts, schemes),
  };
}
