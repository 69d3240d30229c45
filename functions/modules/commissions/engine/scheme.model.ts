import * as z from 'zod';
import { IdSchema } from '../../../shared/input.js';
import { CurrencySchema, Dec, DecimalStringSchema } from '../../../shared/money.js';

/**
 * Commission schemes as data. A sales manager edits these through GraphQL; the engine only reads
 * them, so every setting that changes an amount is an explicit field here rather than a code path.
 * Rates are percent decimal strings ("15" is 15 %), amounts are decimal strings in the scheme's
 * currency; neither ever becomes a JS number.
 */

export const LEDGERS = ['RECEIVABLE', 'ADVISOR', 'PARTNER'] as const;
/** RECEIVABLE: due to the brokerage from the insurer; ADVISOR: owed to advisors; PARTNER: owed to lead suppliers. */
export type Ledger = (typeof LEDGERS)[number];

const isoDate = z.iso.date('must be a date YYYY-MM-DD');
const id = IdSchema;
const ids = z.array(id).max(200);

/** A percent between 0 and 100 inclusive, as a decimal string. */
export const RateSchema = DecimalStringSchema.refine((v) => {
  const d = new Dec(v);
  return d.gte(0) && d.lte(100);
}, 'must be a percent between 0 and 100');

const nonNegativeAmount = DecimalStringSchema.refine((v) => new Dec(v).gte(0), 'must not be negative');

/** What a percent or a tier table is applied to. */
export const BaseSchema = z.discriminatedUnion('kind', [
  /** The policy's annual premium as written; an endorsement contributes its change. */
  z.object({ kind: z.literal('WRITTEN_PREMIUM') }),
  /** Premium as the client pays it: the rule earns only on PAYMENT_RECEIVED. */
  z.object({ kind: z.literal('PAID_PREMIUM') }),
  /**
   * The policy's target premium (life and health: the premium commission is paid on, which differs
   * from the premium charged); earns when written, unchanged by endorsements. A policy without one
   * uses its written premium.
   */
  z.object({ kind: z.literal('TARGET_PREMIUM') }),
  /**
   * The amount earlier rules produced for the same event, e.g. the advisor earns 40 % of what the
   * insurer pays the brokerage. Either one named rule, or every earlier rule of a ledger.
   */
  z.object({ kind: z.literal('LEDGER'), ruleId: id.optional(), ledger: z.enum(LEDGERS).optional() }),
]);
export type Base = z.output<typeof BaseSchema>;

export const TierSchema = z.object({
  from: nonNegativeAmount,
  to: nonNegativeAmount.optional(),
  rate: RateSchema,
});
export type Tier = z.output<typeof TierSchema>;

export const TIER_MODES = ['MARGINAL', 'WHOLE_AMOUNT'] as const;
export const TIER_VOLUMES = ['PER_LINE', 'PERIOD_TOTAL'] as const;
export const TIER_BOUNDARIES = ['LOWER_INCLUSIVE', 'UPPER_INCLUSIVE'] as const;

/**
 * A tier table with its semantics spelled out, because the same table pays very different amounts
 * under each reading: MARGINAL pays each slice at its own rate, WHOLE_AMOUNT pays the whole volume at
 * the rate of the tier reached; PER_LINE measures volume on the one line, PERIOD_TOTAL on the
 * recipient's volume in the open period; the boundary says which tier an exact `to` value is in.
 */
export const TierTableSchema = z.object({
  mode: z.enum(TIER_MODES),
  volume: z.enum(TIER_VOLUMES),
  boundary: z.enum(TIER_BOUNDARIES),
  tiers: z.array(TierSchema).min(1).max(50),
});
export type TierTable = z.output<typeof TierTableSchema>;

export const ComputationSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('PERCENT'), base: BaseSchema, rate: RateSchema }),
  /** A fixed amount per policy written, in the scheme's currency. */
  z.object({ type: z.literal('FLAT'), amount: nonNegativeAmount }),
  z.object({ type: z.literal('TIERED'), base: BaseSchema, table: TierTableSchema }),
]);
export type Computation = z.output<typeof ComputationSchema>;

/**
 * What an upline must meet in the period to take an override level: a minimum personal premium
 * written in the month of the event (in the scheme's currency), active status (inactive uplines are
 * skipped unless `requireActive` is false), and membership of one of the rate groups. An upline who
 * fails is compressed past and the line's formula says why.
 */
export const QualificationSchema = z.object({
  minPersonalPremium: nonNegativeAmount.optional(),
  requireActive: z.boolean().optional(),
  rateGroups: ids.optional(),
});
export type Qualification = z.output<typeof QualificationSchema>;

/**
 * What the k-th qualifying upline earns (ADVISOR rules). PERCENT: a percent of the rule's base,
 * optionally only for uplines in given rate groups. DIFFERENTIAL: the upline's contract rate minus
 * the highest rate already paid below, from a table of contract rates by rate group. Either may
 * require the upline to qualify in the period.
 */
export const OverrideLevelSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('PERCENT'),
    rate: RateSchema,
    rateGroupIds: ids.optional(),
    qualification: QualificationSchema.optional(),
  }),
  z.object({
    type: z.literal('DIFFERENTIAL'),
    rates: z
      .array(z.object({ rateGroupId: id, rate: RateSchema }))
      .min(1)
      .max(100),
    qualification: QualificationSchema.optional(),
  }),
]);
export type OverrideLevel = z.output<typeof OverrideLevelSchema>;

export const TenureBandSchema = z.object({
  fromMonth: z.number().int().min(1),
  toMonth: z.number().int().min(1),
  percent: RateSchema,
});
export type TenureBand = z.output<typeof TenureBandSchema>;

/**
 * How much of an earned line is recovered when the policy is cancelled. PRO_RATA_MONTHS recovers
 * the unearned share by full months in force; TENURE recovers a percent chosen by the month of the
 * term in which the cancellation falls (e.g. 100 % in months 1–6, 50 % in 7–12, nothing after).
 */
export const ClawbackRuleSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('PRO_RATA_MONTHS') }),
  z.object({ type: z.literal('TENURE'), bands: z.array(TenureBandSchema).min(1).max(60) }),
]);
export type ClawbackRule = z.output<typeof ClawbackRuleSchema>;

/** Conditions a policy (and, for rate groups and named recipients, the recipient) must meet. */
export const MatchSchema = z.object({
  insurerIds: ids.optional(),
  /** Product line ids or codes (MTPL, CASCO…): a manager thinks in codes, imports carry ids. */
  productLines: ids.optional(),
  businessType: z.enum(['NEW', 'RENEWAL']).optional(),
  renewalYearFrom: z.number().int().min(1).optional(),
  renewalYearTo: z.number().int().min(1).optional(),
  clientSegments: ids.optional(),
  acquisitionTypes: ids.optional(),
  leadSourceIds: ids.optional(),
  branchType: z.enum(['OWN', 'FRANCHISE']).optional(),
  /** The recipient's rate group on the written date (the seller's for ADVISOR rules). */
  rateGroupIds: ids.optional(),
  /** Individual terms: only this advisor (ADVISOR ledger). */
  recipientUserId: id.optional(),
  /** Individual terms: only this lead supplier (PARTNER ledger). */
  partnerId: id.optional(),
});
export type Match = z.output<typeof MatchSchema>;

export const RuleSchema = z.object({
  id,
  name: z.string().trim().min(1).max(200),
  ledger: z.enum(LEDGERS),
  match: MatchSchema.default({}),
  computation: ComputationSchema,
  /**
   * Non-additive rules of one ledger compete and the first match in rule order wins, so individual
   * terms listed before the general rule replace it; additive rules (bonuses) always apply.
   */
  additive: z.boolean().default(false),
  min: nonNegativeAmount.optional(),
  max: nonNegativeAmount.optional(),
  overrides: z.array(OverrideLevelSchema).max(20).optional(),
  /** Share of the advisor commission that goes to the originator when someone else closed the deal. */
  originatorShare: RateSchema.optional(),
  clawback: ClawbackRuleSchema.optional(),
});
export type Rule = z.output<typeof RuleSchema>;

/** Where a scheme version applies: insurers, product lines (ids or codes), branches; left out, all. */
export const ApplicabilitySchema = z.object({
  insurerIds: ids.min(1).optional(),
  productLines: ids.min(1).optional(),
  branchIds: ids.min(1).optional(),
});

/**
 * Automatic promotion: an advisor in `fromRateGroupId` who writes at least `minPersonalPremium`
 * personally in one calendar month (in the scheme's currency; written premium plus endorsement
 * changes, as the ledger counts production) joins `toRateGroupId` from the first day of the next
 * month. Evaluated by the stream consumer on each premium record under the version in force on the
 * record's date; recorded once as a dated rate-group membership in the user's history.
 */
export const PromotionRuleSchema = z.object({
  id,
  name: z.string().trim().min(1).max(200),
  fromRateGroupId: id,
  toRateGroupId: id,
  minPersonalPremium: DecimalStringSchema.refine((v) => new Dec(v).gt(0), 'must be above 0'),
});
export type PromotionRule = z.output<typeof PromotionRuleSchema>;

export const SchemeVersionSchema = z.object({
  version: z.number().int().min(1),
  validFrom: isoDate,
  /** Exclusive: the version applies to policies written before this date. */
  validTo: isoDate.optional(),
  /** Limits the version to insurers, product lines and branches; without it, every policy in the currency. */
  appliesTo: ApplicabilitySchema.optional(),
  rules: z.array(RuleSchema).max(500),
  /** Promotion rules in force with the version (one per rate group promoted from). */
  promotions: z.array(PromotionRuleSchema).max(50).optional(),
});
export type SchemeVersion = z.output<typeof SchemeVersionSchema>;

export const SchemeSchema = z
  .object({
    id,
    name: z.string().trim().min(1).max(200),
    /** Tier bounds, flat amounts and min/max are in this currency; the scheme applies only to policies in it. */
    currency: CurrencySchema,
    versions: z.array(SchemeVersionSchema).min(1).max(200),
  })
  .superRefine((scheme, ctx) => {
    for (const issue of schemeIssues(scheme))
      ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
  });
export type Scheme = z.output<typeof SchemeSchema>;

interface Issue {
  path: (string | number)[];
  message: string;
}

/**
 * Domain checks zod's shape cannot express. Kept as a plain function so the service can run it on a
 * scheme assembled from stored versions, not only on GraphQL input.
 */
export function schemeIssues(scheme: Pick<Scheme, 'versions'>): Issue[] {
  const issues: Issue[] = [];
  const seen = new Set<number>();
  scheme.versions.forEach((v, vi) => {
    if (seen.has(v.version)) issues.push({ path: ['versions', vi, 'version'], message: 'is used twice' });
    seen.add(v.version);
    if (v.validTo !== undefined && v.validTo <= v.validFrom) {
      issues.push({ path: ['versions', vi, 'validTo'], message: 'must be after validFrom' });
    }
    scheme.versions.forEach((w, wi) => {
      if (wi <= vi) return;
      if (rangesOverlap(v, w)) {
        issues.push({ path: ['versions', wi, 'validFrom'], message: `overlaps version ${v.version}` });
      }
    });
    issues.push(...ruleIssues(v.rules).map((i) => ({ ...i, path: ['versions', vi, 'rules', ...i.path] })));
    issues.push(
      ...promotionIssues(v.promotions ?? []).map((i) => ({
        ...i,
        path: ['versions', vi, 'promotions', ...i.path],
      })),
    );
  });
  return issues;
}

function rangesOverlap(a: SchemeVersion, b: SchemeVersion): boolean {
  const aEndsAfterBStarts = a.validTo === undefined || a.validTo > b.validFrom;
  const bEndsAfterAStarts = b.validTo === undefined || b.validTo > a.validFrom;
  return aEndsAfterBStarts && bEndsAfterAStarts;
}

function ruleIssues(rules: Rule[]): Issue[] {
  const issues: Issue[] = [];
  const earlier = new Map<string, Rule>();
  rules.forEach((rule, ri) => {
    if (earlier.has(rule.id)) issues.push({ path: [ri, 'id'], message: 'is used twice' });
    const c = rule.computation;
    if (c.type !== 'FLAT' && c.base.kind === 'LEDGER') {
      if (c.base.ruleId === undefined && c.base.ledger === undefined) {
        issues.push({ path: [ri, 'computation', 'base'], message: 'names a rule or a ledger' });
      }
      // Only earlier rules may be referenced: the order of the version is the order of evaluation, so
      // a cycle cannot be written down.
      if (c.base.ruleId !== undefined && !earlier.has(c.base.ruleId)) {
        issues.push({ path: [ri, 'computation', 'base', 'ruleId'], message: 'must name an earlier rule' });
      }
    }
    if (c.type === 'TIERED') {
      issues.push(
        ...tierIssues(c.table).map((i) => ({ ...i, path: [ri, 'computation', 'table', ...i.path] })),
      );
      if (c.table.volume === 'PERIOD_TOTAL' && (rule.min !== undefined || rule.max !== undefined)) {
        // A per-line bound on a period-total table would fight the tier correction each line.
        issues.push({ path: [ri, 'min'], message: 'min and max do not apply to PERIOD_TOTAL tiers' });
      }
    }
    if (rule.min !== undefined && rule.max !== undefined && new Dec(rule.min).gt(rule.max)) {
      issues.push({ path: [ri, 'max'], message: 'must not be below min' });
    }
    if (rule.ledger !== 'ADVISOR' && rule.overrides !== undefined && rule.overrides.length > 0) {
      issues.push({ path: [ri, 'overrides'], message: 'apply to the ADVISOR ledger only' });
    }
    if (rule.ledger !== 'ADVISOR' && rule.originatorShare !== undefined) {
      issues.push({ path: [ri, 'originatorShare'], message: 'applies to the ADVISOR ledger only' });
    }
    const m = rule.match;
    if (
      m.renewalYearFrom !== undefined &&
      m.renewalYearTo !== undefined &&
      m.renewalYearTo < m.renewalYearFrom
    ) {
      issues.push({ path: [ri, 'match', 'renewalYearTo'], message: 'must not be before renewalYearFrom' });
    }
    if (rule.clawback?.type === 'TENURE') {
      rule.clawback.bands.forEach((b, bi) => {
        if (b.toMonth < b.fromMonth) {
          issues.push({
            path: [ri, 'clawback', 'bands', bi, 'toMonth'],
            message: 'must not be before fromMonth',
          });
        }
        const prev = rule.clawback?.type === 'TENURE' ? rule.clawback.bands[bi - 1] : undefined;
        if (prev !== undefined && b.fromMonth <= prev.toMonth) {
          issues.push({
            path: [ri, 'clawback', 'bands', bi, 'fromMonth'],
            message: 'overlaps the band before',
          });
        }
      });
    }
    earlier.set(rule.id, rule);
  });
  return issues;
}

/** A promotion leads to another group, and one rule per group promoted from keeps "the next group" unambiguous. */
function promotionIssues(rules: PromotionRule[]): Issue[] {
  const issues: Issue[] = [];
  const ids = new Set<string>();
  const from = new Set<string>();
  rules.forEach((r, ri) => {
    if (ids.has(r.id)) issues.push({ path: [ri, 'id'], message: 'is used twice' });
    ids.add(r.id);
    if (r.toRateGroupId === r.fromRateGroupId)
      issues.push({ path: [ri, 'toRateGroupId'], message: 'must differ from fromRateGroupId' });
    if (from.has(r.fromRateGroupId))
      issues.push({ path: [ri, 'fromRateGroupId'], message: 'has a promotion rule already' });
    from.add(r.fromRateGroupId);
  });
  return issues;
}

/** Tiers must start at 0, be ordered and contiguous, and only the last may be open-ended. */
export function tierIssues(table: TierTable): Issue[] {
  const issues: Issue[] = [];
  table.tiers.forEach((t, ti) => {
    if (ti === 0 && !new Dec(t.from).isZero())
      issues.push({ path: ['tiers', 0, 'from'], message: 'must be 0' });
    const last = ti === table.tiers.length - 1;
    if (t.to === undefined && !last)
      issues.push({ path: ['tiers', ti, 'to'], message: 'is required but on the last tier' });
    if (t.to !== undefined && !new Dec(t.to).gt(t.from)) {
      issues.push({ path: ['tiers', ti, 'to'], message: 'must be above from' });
    }
    const prev = table.tiers[ti - 1];
    if (prev?.to !== undefined && !new Dec(prev.to).eq(t.from)) {
      issues.push({ path: ['tiers', ti, 'from'], message: `must equal the previous tier's to (${prev.to})` });
    }
  });
  return issues;
}

/** One recipient's share of a split arrangement on a policy. */
export const SplitShareSchema = z.object({
  userId: id,
  share: RateSchema,
  /** Credit beyond the 100 % (e.g. a manager's overlay) that does not reduce anyone else's share. */
  overlay: z.boolean().default(false),
});
export type SplitShare = z.output<typeof SplitShareSchema>;

/** A split arrangement: non-overlay shares sum to exactly 100 %; overlay shares come on top. */
export const SplitArrangementSchema = z
  .array(SplitShareSchema)
  .min(1)
  .max(20)
  .superRefine((shares, ctx) => {
    const total = shares.filter((s) => !s.overlay).reduce((sum, s) => sum.plus(s.share), new Dec(0));
    if (!total.eq(100)) {
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `shares must sum to 100% unless marked overlay (got ${total.toString()}%)`,
      });
    }
    const users = new Set<string>();
    shares.forEach((s, i) => {
      if (users.has(s.userId))
        ctx.addIssue({ code: 'custom', path: [i, 'userId'], message: 'appears twice' });
      users.add(s.userId);
    });
  });
