import type { Money } from '../../../shared/money.js';
import type { Ledger, Scheme, SplitShare, TierTable } from './scheme.model.js';

export type RecipientKind = 'USER' | 'PARTNER' | 'BROKERAGE';

/** Who a line is owed to (ADVISOR: a user; PARTNER: a lead supplier) or due to (RECEIVABLE: the brokerage). */
export interface Recipient {
  kind: RecipientKind;
  id: string;
}

/**
 * The brokerage's recipient id. The tenant is already the first part of every key, so the brokerage
 * needs no other id; a constant keeps its lines queryable "by recipient" like anyone else's.
 */
export const BROKERAGE_ID = 'BROKERAGE';

export const LINE_KINDS = [
  'ACCRUAL',
  'DELTA',
  'CLAWBACK',
  'CLAWBACK_REVERSAL',
  'TIER_CORRECTION',
  'ADJUSTMENT',
  'RECOMPUTE',
] as const;
/**
 * ACCRUAL: earned on a written policy or a payment; DELTA: an endorsement's change; CLAWBACK /
 * CLAWBACK_REVERSAL: cancellation and reactivation; TIER_CORRECTION: a PERIOD_TOTAL tier crossed;
 * ADJUSTMENT: a manager's correction; RECOMPUTE: the difference a recompute under today's scheme
 * versions found (both written by services, never by the engine).
 */
export type LineKind = (typeof LINE_KINDS)[number];

/** Why a recipient is on the line: a rule's own recipient, a share of a split, or an upline's override. */
export type LineRole = 'PRIMARY' | 'ORIGINATOR' | 'SPLIT' | 'OVERRIDE';

/** Everything needed to redo the line by hand. */
export interface LineExplanation {
  /** The base the rate or tier applied to (the new base for a delta). */
  base: string;
  /** The base before the change, for DELTA lines; null otherwise. */
  previousBase: string | null;
  /** Percent applied, for percent rules, overrides and the reached tier; null for flat amounts. */
  rate: string | null;
  tier: {
    index: number;
    from: string;
    to: string | null;
    rate: string;
    mode: TierTable['mode'];
    volume: TierTable['volume'];
    boundary: TierTable['boundary'];
  } | null;
  /** Split or originator share in percent, when the line is a share of the advisor commission. */
  share: string | null;
  schemeId: string;
  ruleId: string;
  ruleName: string;
  schemeVersion: number;
  /** 0 for the rule's own recipient; the compressed override level (1, 2…) for uplines. */
  level: number;
  /** The upline's level in the frozen hierarchy, which differs from `level` after compression. */
  hierarchyLevel: number | null;
  role: LineRole;
  formula: string;
  rounding: 'HALF_EVEN';
}

/** One append-only ledger line as the engine proposes it (the suggested amount). */
export interface CommissionLine {
  id: string;
  ledger: Ledger;
  recipient: Recipient;
  policyId: string;
  sourceEventId: string;
  kind: LineKind;
  /** Decimal string rounded half-even to the currency's minor unit; negative for clawbacks and falls. */
  amount: string;
  currency: string;
  /** The line a clawback recovers or a reversal undoes. */
  relatedLineId: string | null;
  /**
   * The policy's version when the source event happened. A cancellation or reactivation only looks
   * at lines from earlier versions, so replaying it later, after more lines exist, gives the same answer.
   */
  policyVersion: number;
  explanation: LineExplanation;
}

/** A rate-group membership from a date; the latest one starting on or before the written date applies. */
export interface RateGroupMembershipFact {
  rateGroupId: string;
  from: string;
}

/** How a member came to the rate group frozen on the policy, when a promotion put them there. */
export interface RateGroupPromotionFact {
  /** The group's name when promoted (explanations name it). */
  rateGroupName: string;
  /** First day of the membership. */
  from: string;
  /** The month whose personal production earned it. */
  period: string;
  written: string;
  threshold: string;
  currency: string;
}

/** One level of the hierarchy frozen on the policy (level 0 is the seller). */
export interface HierarchyFact {
  level: number;
  userId: string;
  /** The name frozen on the policy, for explanations (the id is shown without it). */
  name?: string;
  active: boolean;
  /** The rate group frozen on the written date; used when no memberships are given. */
  rateGroupId: string | null;
  /** Set when the frozen rate group came from an automatic promotion; explanations cite it. */
  rateGroupPromotion?: RateGroupPromotionFact | null;
  /** Dated memberships, so a promotion dated after the written date does not apply. */
  rateGroupMemberships?: RateGroupMembershipFact[];
}

/** What the engine needs to know about a policy; the consumer maps the stored policy onto it. */
export interface PolicyFacts {
  id: string;
  insurerId: string;
  productLineId: string;
  productLineCode: string;
  /** Annual premium as it stands after the event. */
  premium: Money;
  /** The target premium commission is based on (life and health), when the policy carries one. */
  targetPremium?: Money | null;
  writtenDate: string;
  termStart: string;
  termEnd: string;
  businessType: 'NEW' | 'RENEWAL';
  renewalYear: number;
  clientSegment: string | null;
  acquisitionType: string | null;
  leadSourceId: string | null;
  branchKind: 'OWN' | 'FRANCHISE';
  /** The seller's branch frozen on the policy, for schemes limited to branches. */
  branchId?: string | null;
  /**
   * The policy item's version after the write that raised the event (for a payment: the version when
   * it was recorded). It orders a policy's events, which keeps clawbacks replay-safe.
   */
  version: number;
  sellerId: string;
  originatorId: string | null;
  referringPartnerId: string | null;
  hierarchy: HierarchyFact[];
  /** A split arrangement among closers (validated by SplitArrangementSchema); absent: the seller closes alone. */
  splits?: SplitShare[] | null;
}

interface EventBase {
  /** The stream record's id (or the domain event id): every line id derives from it. */
  eventId: string;
  policy: PolicyFacts;
}

export type CommissionEvent =
  | (EventBase & { type: 'POLICY_WRITTEN' })
  | (EventBase & { type: 'ENDORSED'; previousPremium: string; newPremium: string })
  | (EventBase & { type: 'PAYMENT_RECEIVED'; amount: string; paidDate: string })
  | (EventBase & { type: 'CANCELLED'; cancellationDate: string; policyLines: CommissionLine[] })
  | (EventBase & { type: 'REACTIVATED'; policyLines: CommissionLine[] });

/** A recipient's standing on one PERIOD_TOTAL rule in the open period, before this event. */
export interface PeriodTotal {
  schemeId: string;
  ruleId: string;
  recipient: Recipient;
  /** The volume (base) already counted in the open period. */
  volume: string;
  /** The sum of this recipient's lines for the rule in the open period; enables tier corrections. */
  earned?: string;
}

export interface EngineInput {
  event: CommissionEvent;
  /** The tenant's schemes with all their versions: the engine picks the version in force itself. */
  schemes: Scheme[];
  periodTotals?: PeriodTotal[];
  /**
   * Premium each upline wrote personally in the event's month, by user id, in the policy's currency
   * (decimal strings); an upline not listed wrote nothing. Read only by qualifying override levels.
   */
  personalPremium?: Record<string, string>;
}
