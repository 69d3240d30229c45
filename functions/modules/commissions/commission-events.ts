import {
  type ClientFacts,
  IN_FORCE,
  type PaymentRecord,
  type PolicyRecord,
  type PolicyStatus,
} from './commission-lookups.js';
import type { CommissionEvent, PolicyFacts } from './engine/index.js';

/**
 * Turns table changes into engine events. Pure: the stream consumer feeds it the old and new image
 * of a policy (or a new payment) and gets at most one event, whose id derives from the policy's
 * version (or the payment's id). A stream record delivered twice, or a write the stream shows
 * again after a retry, therefore maps to the same event and the same line ids.
 */

const ENDED: readonly PolicyStatus[] = ['CANCELLED', 'LAPSED'];
type Policy = PolicyRecord;

/** The fields of a policy the engine reads: a stored one, or a hypothetical one (simulation). */
export type PolicyFactsSource = Pick<
  PolicyRecord,
  | 'id'
  | 'insurerId'
  | 'productLineId'
  | 'productLineCode'
  | 'premium'
  | 'targetPremium'
  | 'writtenDate'
  | 'termStart'
  | 'termEnd'
  | 'businessType'
  | 'renewalYear'
  | 'branchKind'
  | 'branchId'
  | 'version'
  | 'sellerId'
  | 'originatorId'
  | 'referringPartnerId'
  | 'hierarchy'
  | 'splits'
>;

const inForce = (p: Policy | undefined) => p !== undefined && IN_FORCE.includes(p.status);

/** The engine's view of a policy; the client gives segment, acquisition type and lead source. */
export function policyFacts(policy: PolicyFactsSource, client: ClientFacts | null): PolicyFacts {
  return {
    id: policy.id,
    insurerId: policy.insurerId,
    productLineId: policy.productLineId,
    productLineCode: policy.productLineCode,
    premium: policy.premium,
    targetPremium: policy.targetPremium ?? null,
    writtenDate: policy.writtenDate,
    termStart: policy.termStart,
    termEnd: policy.termEnd,
    businessType: policy.businessType,
    renewalYear: policy.renewalYear,
    clientSegment: client?.segment ?? null,
    acquisitionType: client?.acquisitionType ?? null,
    leadSourceId: client?.leadSourceId ?? null,
    branchKind: policy.branchKind,
    branchId: policy.branchId,
    version: policy.version,
    sellerId: policy.sellerId,
    originatorId: policy.originatorId ?? null,
    referringPartnerId: policy.referringPartnerId,
    hierarchy: policy.hierarchy.map((h) => ({
      level: h.level,
      userId: h.userId,
      ...(h.name !== undefined ? { name: h.name } : {}),
      active: h.active,
      rateGroupId: h.rateGroupId,
      ...(h.rateGroupPromotion ? { rateGroupPromotion: h.rateGroupPromotion } : {}),
    })),
    splits: policy.splits ?? null,
  };
}

/** An event kind before the policy's lines and client are attached, with the date it happened on. */
export type PolicyChange =
  | { type: 'POLICY_WRITTEN'; date: string }
  | { type: 'ENDORSED'; date: string; previousPremium: string; newPremium: string }
  | { type: 'CANCELLED'; date: string }
  | { type: 'REACTIVATED'; date: string };

function lastStatusDate(policy: Policy): string {
  return policy.statusHistory.at(-1)?.date ?? policy.updatedAt.slice(0, 10);
}

/**
 * What a policy write means for commissions. A policy coming into force (written ACTIVE, or an
 * offer accepted) is written business; a premium change while in force is an endorsement; leaving
 * force by cancellation or lapse is a cancellation (clawback); coming back is a reactivation
 * (reversal). Renewals write a new policy item, so they arrive as new business of the next term.
 */
export function classifyPolicyChange(old: Policy | undefined, now: Policy): PolicyChange | null {
  if (inForce(now) && (old === undefined || old.status === 'OFFER')) {
    return { type: 'POLICY_WRITTEN', date: now.writtenDate };
  }
  if (old === undefined) return null;
  if (inForce(old) && inForce(now) && old.premium.amount !== now.premium.amount) {
    return {
      type: 'ENDORSED',
      date: now.endorsements.at(-1)?.effectiveDate ?? now.updatedAt.slice(0, 10),
      previousPremium: old.premium.amount,
      newPremium: now.premium.amount,
    };
  }
  if (inForce(old) && ENDED.includes(now.status)) {
    return { type: 'CANCELLED', date: now.cancellation?.date ?? lastStatusDate(now) };
  }
  if (ENDED.includes(old.status) && now.status === 'REACTIVATED') {
    return { type: 'REACTIVATED', date: lastStatusDate(now) };
  }
  return null;
}

/** The id every line of a policy event derives from: stable across redeliveries of the write. */
export function policyEventId(policy: Pick<Policy, 'id' | 'version'>): string {
  return `policy:${policy.id}:v${policy.version}`;
}

export function paymentEventId(payment: Pick<PaymentRecord, 'id'>): string {
  return `payment:${payment.id}`;
}

/** Builds the engine event for a classified policy change. */
export function toEngineEvent(
  change: PolicyChange,
  facts: PolicyFacts,
  policyLines: Extract<CommissionEvent, { type: 'CANCELLED' }>['policyLines'],
): CommissionEvent {
  const eventId = policyEventId(facts);
  switch (change.type) {
    case 'POLICY_WRITTEN':
      return { type: 'POLICY_WRITTEN', eventId, policy: facts };
    case 'ENDORSED':
      return {
        type: 'ENDORSED',
        eventId,
        policy: facts,
        previousPremium: change.previousPremium,
        newPremium: change.newPremium,
      };
    case 'CANCELLED':
      return { type: 'CANCELLED', eventId, policy: facts, cancellationDate: change.date, policyLines };
    case 'REACTIVATED':
      return { type: 'REACTIVATED', eventId, policy: facts, policyLines };
  }
}
