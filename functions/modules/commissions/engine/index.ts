/**
 * The commission engine's public API: pure functions from an event, the tenant's schemes, the
 * policy's frozen hierarchy and the open period's totals to ledger lines with explanations. The
 * stream consumer, the repository and the GraphQL layer build on these and nothing below them.
 */
export { type Applicability, versionApplies, versionsOverlap } from './applicability.js';
export {
  clawbackLines,
  clawbackReversalLines,
  fullMonthsBetween,
  type Recovery,
  recoveryOf,
  termMonthsOf,
} from './clawback.js';
export {
  computeCommissionLines,
  rateGroupOn,
  ruleMatches,
  type TierCorrectionInput,
  tierCorrectionLine,
  versionInForce,
} from './engine.js';
export { formatAmount, formatRate, promotionNote } from './explain.js';
export { type LineIdParts, lineId } from './line-id.js';
export { nextMonthStart, type PromotionDecision, promotionFor, usesPromotions } from './promotion.js';
export { usesPremiumQualification } from './qualification.js';
export * from './scheme.model.js';
export { evaluateTiers, type TierResult, type TierSlice, tierIndexOf } from './tiers.js';
export * from './types.js';
