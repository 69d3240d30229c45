import { Dec, money } from '../../shared/money.js';
import { policyFacts } from './commission-events.js';
import { type ClientFacts, IN_FORCE, type PolicyRecord, type PolicyStatus } from './commission-lookups.js';
import {
  type CommissionEvent,
  type CommissionLine,
  computeCommissionLines,
  formatAmount,
  lineId,
  type Scheme,
} from './engine/index.js';

/**
 * What a recompute derives: the lines a policy's history gives under today's scheme versions, and
 * the difference from what the ledger holds, key by key. Pure: the service reads, this decides.
 *
 * In reach: lines of policy events (written, endorsed, cancelled, reactivated), including the
 * clawbacks and reversals of those lines. Out of reach, on both sides, so they never show as a
 * difference: lines of payments (rules on paid premium), PERIOD_TOTAL tiers and their corrections
 * (they depend on the whole month's volume), manual adjustments (a person's decision stays on top).
 */

const ENDED: readonly PolicyStatus[] = ['CANCELLED', 'LAPSED'];
const inForce = (s: PolicyStatus | null | undefined) => s != null && IN_FORCE.includes(s);
const ended = (s: PolicyStatus | null | undefined) => s != null && ENDED.includes(s);

type Step =
  | { order: string; type: 'POLICY_WRITTEN' }
  | { order: string; type: 'ENDORSED'; month: string; previousPremium: string; newPremium: string }
  | { order: string; type: 'CANCELLED'; date: string }
  | { order: string; type: 'REACTIVATED' };

/**
 * The month whose production qualifies uplines for a step's overrides: as the consumer books it, the
 * written date's month for a written policy and the effective date's for an endorsement (other steps
 * pay no overrides of their own).
 */
export function stepMonth(policy: PolicyRecord, step: Step): string {
  return step.type === 'ENDORSED' ? step.month : policy.writtenDate.slice(0, 7);
}

/** The months {@link replayedLines} reads production of. */
export function replayMonths(policy: PolicyRecord): string[] {
  return [...new Set(historyOf(policy).map((step) => stepMonth(policy, step)))];
}

/** The policy's commission events in the order they happened, from its status history and endorsements. */
function historyOf(policy: PolicyRecord): Step[] {
  const steps: Step[] = [];
  for (const h of policy.statusHistory) {
    const order = h.at ?? h.date;
    if (inForce(h.to) && (h.from == null || h.from === 'OFFER'))
      steps.push({ order, type: 'POLICY_WRITTEN' });
    else if (inForce(h.from) && ended(h.to)) steps.push({ order, type: 'CANCELLED', date: h.date });
    else if (ended(h.from) && h.to === 'REACTIVATED') steps.push({ order, type: 'REACTIVATED' });
  }
  for (const e of policy.endorsements) {
    if (!e.previousPremium || !e.newPremium) continue;
    steps.push({
      order: e.at ?? e.effectiveDate,
      type: 'ENDORSED',
      month: e.effectiveDate.slice(0, 7),
      previousPremium: e.previousPremium.amount,
      newPremium: e.newPremium.amount,
    });
  }
  return steps.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
}

/**
 * The lines the policy's history gives under `schemes` (today's versions), replayed event by event
 * through the engine, so clawbacks recover what the recomputed history earned. Event ids and
 * versions are the replay's own; only the amounts per key are compared with the ledger.
 */
export function replayedLines(
  policy: PolicyRecord,
  client: ClientFacts | null,
  schemes: Scheme[],
  personalPremium: Record<string, Record<string, string>> = {},
): CommissionLine[] {
  const steps = historyOf(policy);
  const firstEndorsement = policy.endorsements.find((e) => e.previousPremium);
  let premium = firstEndorsement?.previousPremium?.amount ?? policy.premium.amount;
  const lines: CommissionLine[] = [];
  steps.forEach((step, i) => {
    if (step.type === 'ENDORSED') premium = step.newPremium;
    const facts = {
      ...policyFacts(policy, client),
      premium: { amount: premium, currency: policy.premium.currency },
      version: i + 1,
    };
    const eventId = `replay:${policy.id}:${i + 1}`;
    const event: CommissionEvent =
      step.type === 'POLICY_WRITTEN'
        ? { type: 'POLICY_WRITTEN', eventId, policy: facts }
        : step.type === 'ENDORSED'
          ? {
              type: 'ENDORSED',
              eventId,
              policy: facts,
              previousPremium: step.previousPremium,
              newPremium: step.newPremium,
            }
          : step.type === 'CANCELLED'
            ? { type: 'CANCELLED', eventId, policy: facts, cancellationDate: step.date, policyLines: lines }
            : { type: 'REACTIVATED', eventId, policy: facts, policyLines: lines };
    const standing = personalPremium[stepMonth(policy, step)];
    lines.push(
      ...computeCommissionLines({ event, schemes, ...(standing ? { personalPremium: standing } : {}) }),
    );
  });
  return lines;
}

const COMPARED = new Set(['ACCRUAL', 'DELTA', 'CLAWBACK', 'CLAWBACK_REVERSAL', 'RECOMPUTE']);

/** Lines a recompute compares: policy-event lines and earlier recomputes, not payments, period tiers or adjustments. */
export function comparedLines(lines: readonly CommissionLine[]): CommissionLine[] {
  const byId = new Map(lines.map((l) => [l.id, l]));
  const inReach = (l: CommissionLine, depth = 0): boolean => {
    if (!COMPARED.has(l.kind) || depth > 3) return false;
    if (l.sourceEventId.startsWith('payment:')) return false;
    if (l.explanation.tier?.volume === 'PERIOD_TOTAL') return false;
    if (l.relatedLineId === null || l.kind === 'RECOMPUTE') return true;
    const related = byId.get(l.relatedLineId);
    return related === undefined || inReach(related, depth + 1);
  };
  return lines.filter((l) => inReach(l));
}

/** One key of the comparison: a recipient's part of one rule at one level, in one currency. */
const keyOf = (l: CommissionLine) =>
  [
    l.ledger,
    l.recipient.kind,
    l.recipient.id,
    l.explanation.schemeId,
    l.explanation.ruleId,
    l.explanation.level,
    l.explanation.role,
    l.currency,
  ].join('|');

/** A difference found, as a RECOMPUTE line to append (or, in a dry run, to show). */
export interface Difference {
  line: CommissionLine;
  expected: string;
  held: string;
}

/**
 * The difference between what the ledger holds and what the history gives, as RECOMPUTE lines.
 * `stateId` names the ledger state compared (a hash of the policy's line ids): the same state gives
 * the same line ids, so a retried or doubled request writes each difference once, and once written
 * the next recompute holds it and finds nothing.
 */
export function differences(
  policy: Pick<PolicyRecord, 'id' | 'version'>,
  held: readonly CommissionLine[],
  expected: readonly CommissionLine[],
  stateId: string,
): Difference[] {
  const sums = new Map<string, { held: Dec; expected: Dec; sample: CommissionLine; latest: boolean }>();
  const add = (l: CommissionLine, side: 'held' | 'expected') => {
    const key = keyOf(l);
    const entry = sums.get(key) ?? { held: new Dec(0), expected: new Dec(0), sample: l, latest: false };
    entry[side] = entry[side].plus(l.amount);
    // The explanation names today's rule when the history still has it.
    if (side === 'expected' && !entry.latest) Object.assign(entry, { sample: l, latest: true });
    sums.set(key, entry);
  };
  for (const l of held) add(l, 'held');
  for (const l of expected) add(l, 'expected');
  const out: Difference[] = [];
  for (const { held: h, expected: e, sample } of sums.values()) {
    const diff = e.minus(h);
    if (diff.isZero()) continue;
    const amount = money(diff, sample.currency).amount;
    const ex = sample.explanation;
    const sourceEventId = `recompute:${policy.id}:${stateId}`;
    const label = `(${ex.ruleName}, v${ex.schemeVersion}${ex.level > 0 ? `, override level ${ex.level}` : ''})`;
    out.push({
      expected: money(e, sample.currency).amount,
      held: money(h, sample.currency).amount,
      line: {
        id: lineId({
          sourceEventId,
          kind: 'RECOMPUTE',
          schemeId: ex.schemeId,
          ruleId: ex.ruleId,
          schemeVersion: ex.schemeVersion,
          recipientKind: sample.recipient.kind,
          recipientId: sample.recipient.id,
          level: ex.level,
          role: ex.role,
        }),
        ledger: sample.ledger,
        recipient: sample.recipient,
        policyId: policy.id,
        sourceEventId,
        kind: 'RECOMPUTE',
        amount,
        currency: sample.currency,
        relatedLineId: null,
        policyVersion: policy.version,
        explanation: {
          ...ex,
          base: money(e, sample.currency).amount,
          previousBase: money(h, sample.currency).amount,
          rate: null,
          tier: null,
          share: null,
          formula: `recomputed under today's scheme ${label}: the history gives ${formatAmount(e, sample.currency)}, the ledger holds ${formatAmount(h, sample.currency)} = ${formatAmount(amount, sample.currency)}`,
        },
      },
    });
  }
  return out;
}
