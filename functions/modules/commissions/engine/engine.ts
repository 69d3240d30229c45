import { Dec, money } from '../../../shared/money.js';
import { versionApplies } from './applicability.js';
import { clawbackLines, clawbackReversalLines } from './clawback.js';
import { formatAmount, formatRate, promotionNote, ruleLabel, tierFormula } from './explain.js';
import { lineId } from './line-id.js';
import { disqualification, skipNote } from './qualification.js';
import type { Base, Ledger, Rule, Scheme, SchemeVersion, SplitShare, TierTable } from './scheme.model.js';
import { evaluateTiers, type TierResult } from './tiers.js';
import {
  BROKERAGE_ID,
  type CommissionEvent,
  type CommissionLine,
  type EngineInput,
  type HierarchyFact,
  type LineExplanation,
  type LineKind,
  type LineRole,
  type PeriodTotal,
  type PolicyFacts,
  type Recipient,
} from './types.js';

const HUNDRED = new Dec(100);
const ZERO = new Dec(0);

/**
 * The scheme version that applies to a policy: the one in force on its written date
 * (validFrom ≤ writtenDate < validTo). The written date is the day the deal was concluded, so it is
 * the date the advisor and the insurer agreed terms on; it never moves afterwards, so every later
 * event of the policy (endorsement, payment, cancellation) is computed under the same version and a
 * replay next year gives today's answer. Term start can lie months ahead and processing dates depend
 * on when the stream ran, so neither is a stable anchor.
 */
export function versionInForce(scheme: Scheme, writtenDate: string): SchemeVersion | undefined {
  return scheme.versions.find(
    (v) => v.validFrom <= writtenDate && (v.validTo === undefined || writtenDate < v.validTo),
  );
}

/**
 * The rate group of a hierarchy member on a date: the latest membership starting on or before it.
 * A promotion entered today but dated next month therefore applies only to policies written from
 * next month. Without dated memberships the group frozen on the policy is used.
 */
export function rateGroupOn(fact: HierarchyFact, date: string): string | null {
  if (fact.rateGroupMemberships === undefined || fact.rateGroupMemberships.length === 0)
    return fact.rateGroupId;
  let best: { rateGroupId: string; from: string } | undefined;
  for (const m of fact.rateGroupMemberships) {
    if (m.from <= date && (best === undefined || m.from >= best.from)) best = m;
  }
  return best?.rateGroupId ?? null;
}

/**
 * Computes the ledger lines an event produces. Pure: the same input always gives the same lines
 * with the same ids, which is what lets the stream consumer write them conditionally and replay
 * freely. Events:
 * - POLICY_WRITTEN: ACCRUAL lines for rules earning on written premium (and flat amounts).
 * - ENDORSED: DELTA lines, each the rule's result on the new premium minus its result on the
 *   previous one, so min/max, whole-amount tiers and overrides stay right (negative when it falls).
 * - PAYMENT_RECEIVED: ACCRUAL lines for rules earning on paid premium.
 * - CANCELLED: clawbacks of the earned lines by each rule's recovery rule.
 * - REACTIVATED: reversals of the outstanding clawbacks.
 * PERIOD_TOTAL tiers also yield a TIER_CORRECTION line when the period state includes `earned`.
 */
export function computeCommissionLines(input: EngineInput): CommissionLine[] {
  const { event } = input;
  switch (event.type) {
    case 'POLICY_WRITTEN': {
      const written = new Dec(event.policy.premium.amount);
      return accrue(input, event, 'ACCRUAL', {
        before: { written: ZERO, paid: ZERO, target: ZERO },
        after: { written, paid: ZERO, target: targetOf(event.policy) ?? written },
      });
    }
    case 'ENDORSED': {
      // A premium change leaves a target premium where it was; without one, the target is the premium.
      const target = targetOf(event.policy);
      return accrue(input, event, 'DELTA', {
        before: {
          written: new Dec(event.previousPremium),
          paid: ZERO,
          target: target ?? new Dec(event.previousPremium),
        },
        after: {
          written: new Dec(event.newPremium),
          paid: ZERO,
          target: target ?? new Dec(event.newPremium),
        },
      });
    }
    case 'PAYMENT_RECEIVED':
      return accrue(input, event, 'ACCRUAL', {
        before: { written: ZERO, paid: ZERO, target: ZERO },
        after: { written: ZERO, paid: new Dec(event.amount), target: ZERO },
      });
    case 'CANCELLED':
      return clawbackLines(event, input.schemes);
    case 'REACTIVATED':
      return clawbackReversalLines(event);
  }
}

interface Scenario {
  written: Dec;
  paid: Dec;
  /** The target premium (life and health business); the written premium where the policy has none. */
  target: Dec;
}

/** The policy's target premium when it carries one in its own currency. */
function targetOf(policy: PolicyFacts): Dec | null {
  const t = policy.targetPremium;
  return t != null && t.currency === policy.premium.currency ? new Dec(t.amount) : null;
}
type Side = 'before' | 'after';
type Sides<T> = Record<Side, T>;

/** A rule's own result in one scenario, before it is shared out. */
interface Primary {
  /** Rounded half-even: shares and ledger bases build on the rounded amount. */
  value: Dec;
  base: Dec | null;
  rate: string | null;
  tier: TierResult | null;
  text: string;
}

/** One recipient's part in one scenario. */
interface Part {
  key: string;
  recipient: Recipient;
  role: LineRole;
  level: number;
  hierarchyLevel: number | null;
  share: string | null;
  value: Dec;
  base: Dec | null;
  rate: string | null;
  tier: TierResult | null;
  text: string;
  /** Why the rate group the amount depended on applies (a promotion), appended to the formula. */
  note: string | null;
}

interface RuleContext {
  scheme: Scheme;
  version: SchemeVersion;
  rule: Rule;
  policy: PolicyFacts;
  currency: string;
  eventId: string;
  kind: LineKind;
  personalPremium: Record<string, string> | undefined;
}

function round(value: Dec, currency: string): Dec {
  return new Dec(money(value, currency).amount);
}

function seller(policy: PolicyFacts): HierarchyFact {
  return (
    policy.hierarchy.find((h) => h.level === 0) ?? {
      level: 0,
      userId: policy.sellerId,
      active: true,
      rateGroupId: null,
    }
  );
}

function recipientOf(ledger: Ledger, policy: PolicyFacts): Recipient | null {
  if (ledger === 'RECEIVABLE') return { kind: 'BROKERAGE', id: BROKERAGE_ID };
  if (ledger === 'PARTNER')
    return policy.referringPartnerId ? { kind: 'PARTNER', id: policy.referringPartnerId } : null;
  return { kind: 'USER', id: seller(policy).userId };
}

function within(list: string[] | undefined, value: string | null): boolean {
  return list === undefined || list.length === 0 || (value !== null && list.includes(value));
}

/**
 * Whether a rule applies to a policy. Rate group and named-recipient conditions refer to the seller
 * (level 0 of the frozen hierarchy), partner conditions to the referring partner.
 */
export function ruleMatches(rule: Rule, policy: PolicyFacts): boolean {
  const m = rule.match;
  const s = seller(policy);
  if (!within(m.insurerIds, policy.insurerId)) return false;
  if (
    m.productLines !== undefined &&
    m.productLines.length > 0 &&
    !m.productLines.includes(policy.productLineId) &&
    !m.productLines.includes(policy.productLineCode)
  ) {
    return false;
  }
  if (m.businessType !== undefined && m.businessType !== policy.businessType) return false;
  if (m.renewalYearFrom !== undefined && policy.renewalYear < m.renewalYearFrom) return false;
  if (m.renewalYearTo !== undefined && policy.renewalYear > m.renewalYearTo) return false;
  if (!within(m.clientSegments, policy.clientSegment)) return false;
  if (!within(m.acquisitionTypes, policy.acquisitionType)) return false;
  if (!within(m.leadSourceIds, policy.leadSourceId)) return false;
  if (m.branchType !== undefined && m.branchType !== policy.branchKind) return false;
  if (!within(m.rateGroupIds, rateGroupOn(s, policy.writtenDate))) return false;
  if (m.recipientUserId !== undefined && m.recipientUserId !== s.userId) return false;
  if (m.partnerId !== undefined && m.partnerId !== policy.referringPartnerId) return false;
  return true;
}

function accrue(
  input: EngineInput,
  event: CommissionEvent,
  kind: LineKind,
  scenarios: Sides<Scenario>,
): CommissionLine[] {
  const { policy } = event;
  const currency = policy.premium.currency;
  const lines: CommissionLine[] = [];
  for (const scheme of input.schemes) {
    if (scheme.currency !== currency) continue;
    const version = versionInForce(scheme, policy.writtenDate);
    if (version === undefined || !versionApplies(version, policy)) continue;
    const primaries: Sides<Map<string, { ledger: Ledger; value: Dec }>> = {
      before: new Map(),
      after: new Map(),
    };
    const claimed = new Set<Ledger>();
    for (const rule of version.rules) {
      if (!rule.additive && claimed.has(rule.ledger)) continue;
      const recipient = recipientOf(rule.ledger, policy);
      if (recipient === null || !ruleMatches(rule, policy)) continue;
      if (!rule.additive) claimed.add(rule.ledger);
      const ctx: RuleContext = {
        scheme,
        version,
        rule,
        policy,
        currency,
        eventId: event.eventId,
        kind,
        personalPremium: input.personalPremium,
      };
      const base = (side: Side): Dec | null => baseValue(rule, scenarios[side], primaries[side]);
      const c = rule.computation;
      if (c.type === 'TIERED' && c.table.volume === 'PERIOD_TOTAL') {
        const eventBase = (base('after') ?? ZERO).minus(base('before') ?? ZERO);
        const period = periodTotalOf(input.periodTotals, scheme.id, rule.id, recipient);
        const primary = periodPrimary(c.table, eventBase, new Dec(period?.volume ?? '0'), currency);
        primaries.after.set(rule.id, { ledger: rule.ledger, value: primary.value });
        const parts = { before: [], after: shareOut(ctx, primary, recipient, eventBase) };
        lines.push(...toLines(ctx, parts));
        if (period?.earned !== undefined) {
          const correction = tierCorrectionLine({
            sourceEventId: event.eventId,
            policyId: policy.id,
            policyVersion: policy.version,
            currency,
            schemeId: scheme.id,
            schemeVersion: version.version,
            rule,
            table: c.table,
            recipient,
            periodVolume: new Dec(period.volume).plus(eventBase).toFixed(),
            earned: new Dec(period.earned).plus(primary.value).toFixed(),
          });
          if (correction !== null) lines.push(correction);
        }
        continue;
      }
      const parts: Sides<Part[]> = { before: [], after: [] };
      for (const side of ['before', 'after'] as const) {
        const b = base(side);
        const primary = primaryOf(rule, b, scenarios[side].written, currency);
        primaries[side].set(rule.id, { ledger: rule.ledger, value: primary.value });
        parts[side] = shareOut(ctx, primary, recipient, b);
      }
      lines.push(...toLines(ctx, parts));
    }
  }
  return lines;
}

function baseValue(
  rule: Rule,
  scenario: Scenario,
  primaries: Map<string, { ledger: Ledger; value: Dec }>,
): Dec | null {
  const c = rule.computation;
  if (c.type === 'FLAT') return null;
  return baseOf(c.base, scenario, primaries);
}

function baseOf(base: Base, scenario: Scenario, primaries: Map<string, { ledger: Ledger; value: Dec }>): Dec {
  switch (base.kind) {
    case 'WRITTEN_PREMIUM':
      return scenario.written;
    case 'PAID_PREMIUM':
      return scenario.paid;
    case 'TARGET_PREMIUM':
      return scenario.target;
    case 'LEDGER': {
      if (base.ruleId !== undefined) return primaries.get(base.ruleId)?.value ?? ZERO;
      let sum = ZERO;
      for (const p of primaries.values()) if (p.ledger === base.ledger) sum = sum.plus(p.value);
      return sum;
    }
  }
}

function periodTotalOf(
  totals: PeriodTotal[] | undefined,
  schemeId: string,
  ruleId: string,
  recipient: Recipient,
): PeriodTotal | undefined {
  return totals?.find(
    (t) =>
      t.schemeId === schemeId &&
      t.ruleId === ruleId &&
      t.recipient.kind === recipient.kind &&
      t.recipient.id === recipient.id,
  );
}

/** A per-line rule's result in one scenario; nothing is earned on a zero base (a minimum included). */
function primaryOf(rule: Rule, base: Dec | null, written: Dec, currency: string): Primary {
  const c = rule.computation;
  let raw: Dec;
  let rate: string | null = null;
  let tier: TierResult | null = null;
  let text: string;
  let earns: boolean;
  if (c.type === 'FLAT') {
    earns = written.gt(0);
    raw = earns ? new Dec(c.amount) : ZERO;
    text = `flat ${formatAmount(c.amount, currency)}`;
  } else if (c.type === 'PERCENT') {
    const b = base ?? ZERO;
    earns = !b.isZero();
    raw = b.times(c.rate).div(HUNDRED);
    rate = c.rate;
    text = `${formatAmount(b, currency)} × ${formatRate(c.rate)}`;
  } else {
    const b = base ?? ZERO;
    earns = !b.isZero();
    tier = evaluateTiers(c.table, b);
    raw = tier.amount;
    rate = tier.rate;
    text = tierFormula(b, tier, c.table.mode === 'WHOLE_AMOUNT', currency);
  }
  if (earns && rule.min !== undefined && raw.lt(rule.min)) {
    text = `${text} = ${formatAmount(round(raw, currency), currency)}, raised to minimum ${formatAmount(rule.min, currency)}`;
    raw = new Dec(rule.min);
  }
  if (earns && rule.max !== undefined && raw.gt(rule.max)) {
    text = `${text} = ${formatAmount(round(raw, currency), currency)}, capped at maximum ${formatAmount(rule.max, currency)}`;
    raw = new Dec(rule.max);
  }
  return { value: round(raw, currency), base, rate, tier, text };
}

/**
 * A PERIOD_TOTAL tier's line for one event. MARGINAL pays the slices between the period volume before
 * and after the event; WHOLE_AMOUNT pays the event's base at the rate of the tier the period volume
 * reaches. Earlier lines of the period are brought to the new tier by {@link tierCorrectionLine}.
 */
function periodPrimary(table: TierTable, eventBase: Dec, volumeBefore: Dec, currency: string): Primary {
  const volumeAfter = volumeBefore.plus(eventBase);
  const after = evaluateTiers(table, volumeAfter);
  if (table.mode === 'WHOLE_AMOUNT') {
    return {
      value: round(eventBase.times(after.rate).div(HUNDRED), currency),
      base: eventBase,
      rate: after.rate,
      tier: after,
      text: `${formatAmount(eventBase, currency)} × ${formatRate(after.rate)} (tier ${after.tierIndex + 1} at period volume ${formatAmount(volumeAfter, currency)})`,
    };
  }
  const before = evaluateTiers(table, volumeBefore);
  const slices = after.slices
    .map((s) => {
      const earlier = before.slices.find((p) => p.tierIndex === s.tierIndex)?.portion ?? ZERO;
      return { portion: s.portion.minus(earlier), rate: s.rate };
    })
    .filter((s) => !s.portion.isZero());
  const text = `period volume ${formatAmount(volumeBefore, currency)} → ${formatAmount(volumeAfter, currency)}: ${
    slices.length === 0
      ? '0'
      : slices.map((s) => `${formatAmount(s.portion, currency)} × ${formatRate(s.rate)}`).join(' + ')
  }`;
  return {
    value: round(after.amount.minus(before.amount), currency),
    base: eventBase,
    rate: after.rate,
    tier: after,
    text,
  };
}

/**
 * Shares a rule's result among its recipients and adds the uplines' overrides. For ADVISOR rules the
 * originator (when someone else closed) takes `originatorShare` of the commission, the rest goes to
 * the closers by the policy's split (the seller alone without one). The last non-overlay share takes
 * the rounding remainder so the shares add up to the commission to the cent.
 */
function shareOut(ctx: RuleContext, primary: Primary, recipient: Recipient, base: Dec | null): Part[] {
  const { rule, policy, currency } = ctx;
  const dependsOnGroup = rule.match.rateGroupIds !== undefined && rule.match.rateGroupIds.length > 0;
  const note = dependsOnGroup ? promotionNote(seller(policy)) : null;
  const own = (r: Recipient, role: LineRole, value: Dec, share: string | null, text: string): Part => ({
    key: `${role}|${r.kind}|${r.id}|0`,
    recipient: r,
    role,
    level: 0,
    hierarchyLevel: role === 'PRIMARY' || role === 'SPLIT' ? 0 : null,
    share,
    value,
    base: primary.base,
    rate: primary.rate,
    tier: primary.tier,
    text,
    note,
  });
  if (rule.ledger !== 'ADVISOR') return [own(recipient, 'PRIMARY', primary.value, null, primary.text)];

  const parts: Part[] = [];
  let rest = primary.value;
  const commission = `${primary.text} = ${formatAmount(primary.value, currency)}`;
  const originator = policy.originatorId;
  if (rule.originatorShare !== undefined && originator !== null && originator !== recipient.id) {
    const value = round(primary.value.times(rule.originatorShare).div(HUNDRED), currency);
    parts.push(
      own(
        { kind: 'USER', id: originator },
        'ORIGINATOR',
        value,
        rule.originatorShare,
        `${commission} × ${formatRate(rule.originatorShare)} originator share`,
      ),
    );
    rest = rest.minus(value);
  }
  const splits: SplitShare[] =
    policy.splits && policy.splits.length > 0
      ? policy.splits
      : [{ userId: recipient.id, share: '100', overlay: false }];
  const closers = splits.filter((s) => !s.overlay);
  const restText =
    parts.length > 0
      ? `(${commission} − ${formatAmount(parts[0]?.value ?? ZERO, currency)} originator)`
      : primary.text;
  let allocated = ZERO;
  closers.forEach((s, i) => {
    const last = i === closers.length - 1;
    const value = last ? rest.minus(allocated) : round(rest.times(s.share).div(HUNDRED), currency);
    allocated = allocated.plus(value);
    const alone = closers.length === 1 && new Dec(s.share).eq(100);
    const text = alone
      ? restText
      : `${restText} × ${formatRate(s.share)} split${last ? ' (remainder after rounding)' : ''}`;
    parts.push(
      own({ kind: 'USER', id: s.userId }, alone ? 'PRIMARY' : 'SPLIT', value, alone ? null : s.share, text),
    );
  });
  for (const s of splits.filter((x) => x.overlay)) {
    const value = round(rest.times(s.share).div(HUNDRED), currency);
    parts.push(
      own(
        { kind: 'USER', id: s.userId },
        'SPLIT',
        value,
        s.share,
        `${restText} × ${formatRate(s.share)} overlay`,
      ),
    );
  }
  return [...parts, ...overrides(ctx, primary, base)];
}

/**
 * Override lines for the uplines in the hierarchy frozen on the policy. Each configured level is
 * taken by the next upline who qualifies; an upline who does not (inactive, outside the level's rate
 * groups, short of the level's qualification — personal premium in the period, status, rate group — or for a DIFFERENTIAL level without a contract rate above the rate already paid below) is
 * skipped and the next one up takes the level. This is compression: the override budget is not lost
 * to a gap in the hierarchy, and a skipped upline's level is not paid twice. A differential level pays
 * the upline's contract rate minus the highest rate paid below (starting from the rate the seller's
 * line used), so the total paid down the chain equals the top qualifying contract rate.
 */
function overrides(ctx: RuleContext, primary: Primary, base: Dec | null): Part[] {
  const { rule, policy, currency } = ctx;
  if (rule.overrides === undefined || rule.overrides.length === 0 || base === null || base.isZero())
    return [];
  const uplines = policy.hierarchy.filter((h) => h.level > 0).sort((a, b) => a.level - b.level);
  const parts: Part[] = [];
  let next = 0;
  let rateBelow = new Dec(primary.rate ?? '0');
  rule.overrides.forEach((def, i) => {
    const level = i + 1;
    const skipped: string[] = [];
    while (next < uplines.length) {
      const upline = uplines[next] as HierarchyFact;
      next += 1;
      const group = rateGroupOn(upline, policy.writtenDate);
      const why = disqualification(upline, group, def.qualification, ctx.personalPremium, currency);
      if (why !== null) {
        if (def.qualification !== undefined) skipped.push(skipNote(level, upline, why));
        continue;
      }
      let rate: Dec;
      let text: string;
      if (def.type === 'PERCENT') {
        if (
          def.rateGroupIds !== undefined &&
          def.rateGroupIds.length > 0 &&
          (group === null || !def.rateGroupIds.includes(group))
        ) {
          continue;
        }
        rate = new Dec(def.rate);
        text = `${formatAmount(base, currency)} × ${formatRate(def.rate)}`;
      } else {
        const contract = def.rates.find((r) => r.rateGroupId === group);
        if (contract === undefined || !new Dec(contract.rate).gt(rateBelow)) continue;
        rate = new Dec(contract.rate).minus(rateBelow);
        text = `${formatAmount(base, currency)} × (${formatRate(contract.rate)} − ${formatRate(rateBelow)})`;
        rateBelow = new Dec(contract.rate);
      }
      parts.push({
        key: `OVERRIDE|USER|${upline.userId}|${level}`,
        recipient: { kind: 'USER', id: upline.userId },
        role: 'OVERRIDE',
        level,
        hierarchyLevel: upline.level,
        share: null,
        value: round(base.times(rate).div(HUNDRED), currency),
        base,
        rate: rate.toFixed(),
        tier: null,
        text: skipped.length === 0 ? text : `${skipped.join('; ')}; ${text}`,
        note: levelDependsOnGroup(def) ? promotionNote(upline) : null,
      });
      return;
    }
  });
  return parts;
}

/** Whether an override level's result depends on the upline's rate group. */
function levelDependsOnGroup(def: NonNullable<Rule['overrides']>[number]): boolean {
  const byGroup =
    def.type === 'DIFFERENTIAL' || (def.rateGroupIds !== undefined && def.rateGroupIds.length > 0);
  return byGroup || (def.qualification?.rateGroups !== undefined && def.qualification.rateGroups.length > 0);
}

/** Turns the parts of both scenarios into lines: each line is its after value minus its before value. */
function toLines(ctx: RuleContext, parts: Sides<Part[]>): CommissionLine[] {
  const { scheme, version, rule, policy, currency, eventId, kind } = ctx;
  const keys = [...new Set([...parts.after.map((p) => p.key), ...parts.before.map((p) => p.key)])];
  const lines: CommissionLine[] = [];
  for (const key of keys) {
    const after = parts.after.find((p) => p.key === key);
    const before = parts.before.find((p) => p.key === key);
    const ref = (after ?? before) as Part;
    const amount = (after?.value ?? ZERO).minus(before?.value ?? ZERO);
    if (amount.isZero()) continue;
    const label = ruleLabel(rule.name, version.version, ref.level);
    const fmt = (d: Dec) => formatAmount(d, currency);
    const computed =
      before === undefined || before.value.isZero()
        ? `${ref.text} ${label} = ${fmt(amount)}`
        : `(${after?.text ?? '0'} = ${fmt(after?.value ?? ZERO)}) − (${before.text} = ${fmt(before.value)}) ${label} = ${fmt(amount)}`;
    const formula = ref.note === null ? computed : `${computed}; ${ref.note}`;
    const tier = ref.tier;
    const tierDef = tier !== null && rule.computation.type === 'TIERED' ? rule.computation.table : null;
    const tierRow = tierDef?.tiers[tier?.tierIndex ?? 0];
    const explanation: LineExplanation = {
      base: (ref.base ?? ZERO).toFixed(),
      previousBase:
        before !== undefined && after !== undefined && kind === 'DELTA'
          ? (before.base ?? ZERO).toFixed()
          : null,
      rate: ref.rate,
      tier:
        tier !== null && tierDef !== null && tierRow !== undefined
          ? {
              index: tier.tierIndex,
              from: tierRow.from,
              to: tierRow.to ?? null,
              rate: tierRow.rate,
              mode: tierDef.mode,
              volume: tierDef.volume,
              boundary: tierDef.boundary,
            }
          : null,
      share: ref.share,
      schemeId: scheme.id,
      ruleId: rule.id,
      ruleName: rule.name,
      schemeVersion: version.version,
      level: ref.level,
      hierarchyLevel: ref.hierarchyLevel,
      role: ref.role,
      formula,
      rounding: 'HALF_EVEN',
    };
    lines.push({
      id: lineId({
        sourceEventId: eventId,
        kind,
        schemeId: scheme.id,
        ruleId: rule.id,
        schemeVersion: version.version,
        recipientKind: ref.recipient.kind,
        recipientId: ref.recipient.id,
        level: ref.level,
        role: ref.role,
      }),
      ledger: rule.ledger,
      recipient: ref.recipient,
      policyId: policy.id,
      sourceEventId: eventId,
      kind,
      amount: money(amount, currency).amount,
      currency,
      relatedLineId: null,
      policyVersion: policy.version,
      explanation,
    });
  }
  return lines;
}

/** What {@link tierCorrectionLine} needs to bring a recipient's period to its tier result. */
export interface TierCorrectionInput {
  sourceEventId: string;
  policyId: string;
  policyVersion: number;
  currency: string;
  schemeId: string;
  schemeVersion: number;
  rule: Rule;
  table: TierTable;
  recipient: Recipient;
  /** The recipient's volume in the open period, including the event. */
  periodVolume: string;
  /** The sum of the recipient's lines for the rule in the open period, including the event's. */
  earned: string;
}

/**
 * The correction that makes a recipient's lines in the open period add up to what the tier table
 * pays on the period's total volume. When a WHOLE_AMOUNT period tier is crossed, the earlier lines
 * were paid at the lower rate: rather than rewrite them (the ledger is append-only, and earlier
 * periods may be locked) one line carries the difference. It also absorbs marginal rounding drift
 * and works downwards when a falling premium drops the recipient back a tier. Null when nothing is due.
 */
export function tierCorrectionLine(input: TierCorrectionInput): CommissionLine | null {
  const { currency, rule } = input;
  const volume = new Dec(input.periodVolume);
  const result = evaluateTiers(input.table, volume);
  const target = round(result.amount, currency);
  const amount = target.minus(input.earned);
  if (amount.isZero()) return null;
  const whole = input.table.mode === 'WHOLE_AMOUNT';
  const tierRow = input.table.tiers[result.tierIndex];
  const formula = `period target ${tierFormula(volume, result, whole, currency)} = ${formatAmount(target, currency)} − earned ${formatAmount(
    input.earned,
    currency,
  )} ${ruleLabel(rule.name, input.schemeVersion)} = ${formatAmount(amount, currency)}`;
  return {
    id: lineId({
      sourceEventId: input.sourceEventId,
      kind: 'TIER_CORRECTION',
      schemeId: input.schemeId,
      ruleId: rule.id,
      schemeVersion: input.schemeVersion,
      recipientKind: input.recipient.kind,
      recipientId: input.recipient.id,
      level: 0,
      role: 'PRIMARY',
    }),
    ledger: rule.ledger,
    recipient: input.recipient,
    policyId: input.policyId,
    sourceEventId: input.sourceEventId,
    kind: 'TIER_CORRECTION',
    amount: money(amount, currency).amount,
    currency,
    relatedLineId: null,
    policyVersion: input.policyVersion,
    explanation: {
      base: volume.toFixed(),
      previousBase: null,
      rate: result.rate,
      tier:
        tierRow === undefined
          ? null
          : {
              index: result.tierIndex,
              from: tierRow.from,
              to: tierRow.to ?? null,
              rate: tierRow.rate,
              mode: input.table.mode,
              volume: input.table.volume,
              boundary: input.table.boundary,
            },
      share: null,
      schemeId: input.schemeId,
      ruleId: rule.id,
      ruleName: rule.name,
      schemeVersion: input.schemeVersion,
      level: 0,
      hierarchyLevel: 0,
      role: 'PRIMARY',
      formula,
      rounding: 'HALF_EVEN',
    },
  };
}
