import { addDays } from '../../../shared/dates.js';
import { Dec, money } from '../../../shared/money.js';
import { formatAmount, formatRate, ruleLabel } from './explain.js';
import { lineId } from './line-id.js';
import type { ClawbackRule, Rule, Scheme } from './scheme.model.js';
import type { CommissionEvent, CommissionLine } from './types.js';

type CancelledEvent = Extract<CommissionEvent, { type: 'CANCELLED' }>;
type ReactivatedEvent = Extract<CommissionEvent, { type: 'REACTIVATED' }>;

function parseDate(iso: string): { y: number; m: number; d: number } {
  const [y, m, d] = iso.split('-').map((p) => Number.parseInt(p, 10));
  if (y === undefined || m === undefined || d === undefined) throw new RangeError(`Not an ISO date: ${iso}`);
  return { y, m, d };
}

function lastDayOfMonth(y: number, m: number): number {
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

/**
 * Full calendar months from `start` to `end` (0 when `end` is not after `start`). A month is full
 * when the day of month is reached again; when the later month is shorter (31 Jan → 28 Feb), its
 * last day counts as reaching it, so a policy from the 31st is not short-changed a month.
 */
export function fullMonthsBetween(start: string, end: string): number {
  if (end <= start) return 0;
  const a = parseDate(start);
  const b = parseDate(end);
  let months = (b.y - a.y) * 12 + (b.m - a.m);
  const reached = b.d >= a.d || b.d === lastDayOfMonth(b.y, b.m);
  if (!reached) months -= 1;
  return Math.max(0, months);
}

/** The share of an earned line that a cancellation recovers, and the words that explain it. */
export interface Recovery {
  /** Between 0 and 1. */
  fraction: Dec;
  text: string;
}

/**
 * Full months a term covers. Term dates have one meaning across the product: `termStart` is the
 * first day covered and `termEnd` the last day covered (inclusive), so 2026-12-01 → 2027-11-30 is
 * 12 months. The term is counted up to the day after its last day; a term written the older way,
 * ending on the anniversary (2026-12-01 → 2027-12-01), still counts 12 full months.
 */
export function termMonthsOf(termStart: string, termEnd: string): number {
  return Math.max(1, fullMonthsBetween(termStart, addDays(termEnd, 1)));
}

/**
 * Applies a scheme's recovery rule. The cancellation date is the day the cancellation takes effect,
 * the first day no longer covered, so full months in force run from `termStart` up to it.
 * PRO_RATA_MONTHS recovers the unearned months: a 12-month term cancelled after 4 full months in
 * force recovers 8/12 (a mid-month cancellation counts the started month as unearned). TENURE picks
 * the band of the term month in which the cancellation falls (after 4 full months it falls in month
 * 5) and recovers its percent; outside every band nothing is recovered.
 */
export function recoveryOf(
  rule: ClawbackRule,
  termStart: string,
  termEnd: string,
  cancellationDate: string,
): Recovery {
  const termMonths = termMonthsOf(termStart, termEnd);
  const inForce = Math.min(termMonths, fullMonthsBetween(termStart, cancellationDate));
  if (rule.type === 'PRO_RATA_MONTHS') {
    const unearned = termMonths - inForce;
    return {
      fraction: new Dec(unearned).div(termMonths),
      text: `${unearned}/${termMonths} unearned months, cancelled after ${inForce} full months in force`,
    };
  }
  const month = inForce + 1;
  const band = rule.bands.find((b) => month >= b.fromMonth && month <= b.toMonth);
  if (band === undefined)
    return { fraction: new Dec(0), text: `cancelled in month ${month}, outside the recovery bands` };
  return {
    fraction: new Dec(band.percent).div(100),
    text: `${formatRate(band.percent)} recovered when cancelled in months ${band.fromMonth}–${band.toMonth} (month ${month})`,
  };
}

function ruleOf(schemes: Scheme[], line: CommissionLine): Rule | undefined {
  const scheme = schemes.find((s) => s.id === line.explanation.schemeId);
  const version = scheme?.versions.find((v) => v.version === line.explanation.schemeVersion);
  return version?.rules.find((r) => r.id === line.explanation.ruleId);
}

/**
 * The lines that existed when the event happened. The consumer reads the policy's lines when it
 * processes the event, and on a replay that read also returns lines written after it (a later
 * payment, a later clawback): ignoring those keeps the output a function of the event alone.
 */
function linesBefore(lines: CommissionLine[], policyVersion: number): CommissionLine[] {
  return lines.filter((l) => l.policyVersion < policyVersion);
}

/** Ids of clawback lines that no reversal has undone yet, keyed by the line they recovered. */
function outstandingClawbacks(lines: CommissionLine[]): Map<string, CommissionLine> {
  const reversed = new Set(lines.filter((l) => l.kind === 'CLAWBACK_REVERSAL').map((l) => l.relatedLineId));
  const outstanding = new Map<string, CommissionLine>();
  for (const l of lines) {
    if (l.kind === 'CLAWBACK' && !reversed.has(l.id) && l.relatedLineId !== null)
      outstanding.set(l.relatedLineId, l);
  }
  return outstanding;
}

/**
 * Clawback lines for a cancellation: one per earned line (accruals, deltas, recomputes) whose rule has a
 * recovery rule, each citing the line it recovers. Lines are recovered one by one rather than as a
 * total so a reactivation can undo exactly what was taken and each cent stays traceable. The rule is
 * looked up in the scheme version that produced the line, not the one in force today. A line that
 * is already clawed back and not reversed is skipped, so a repeated cancellation takes nothing twice.
 */
export function clawbackLines(event: CancelledEvent, schemes: Scheme[]): CommissionLine[] {
  const { policy } = event;
  const history = linesBefore(event.policyLines, policy.version);
  const outstanding = outstandingClawbacks(history);
  const out: CommissionLine[] = [];
  for (const earned of history) {
    if (earned.policyId !== policy.id) continue;
    // A RECOMPUTE line corrects what was earned, so it is recovered like the lines it corrects.
    if (earned.kind !== 'ACCRUAL' && earned.kind !== 'DELTA' && earned.kind !== 'RECOMPUTE') continue;
    if (outstanding.has(earned.id)) continue;
    const rule = ruleOf(schemes, earned);
    if (rule?.clawback === undefined) continue;
    const recovery = recoveryOf(rule.clawback, policy.termStart, policy.termEnd, event.cancellationDate);
    const amount = money(new Dec(earned.amount).times(recovery.fraction).negated(), earned.currency);
    if (new Dec(amount.amount).isZero()) continue;
    const ex = earned.explanation;
    out.push({
      id: lineId({
        sourceEventId: event.eventId,
        kind: 'CLAWBACK',
        schemeId: ex.schemeId,
        ruleId: ex.ruleId,
        schemeVersion: ex.schemeVersion,
        recipientKind: earned.recipient.kind,
        recipientId: earned.recipient.id,
        level: ex.level,
        role: ex.role,
        relatedLineId: earned.id,
      }),
      ledger: earned.ledger,
      recipient: earned.recipient,
      policyId: policy.id,
      sourceEventId: event.eventId,
      kind: 'CLAWBACK',
      amount: amount.amount,
      currency: earned.currency,
      relatedLineId: earned.id,
      policyVersion: policy.version,
      explanation: {
        ...ex,
        base: earned.amount,
        previousBase: null,
        rate: recovery.fraction.times(100).toFixed(),
        tier: null,
        formula: `-(${formatAmount(earned.amount, earned.currency)} × ${recovery.text}) ${ruleLabel(
          ex.ruleName,
          ex.schemeVersion,
          ex.level,
        )} = ${formatAmount(amount.amount, earned.currency)}`,
      },
    });
  }
  return out;
}

/**
 * Reversal lines for a reactivation: each clawback not yet reversed is undone by an equal and
 * opposite line, so clawback plus reversal nets to exactly zero whatever the rounding was.
 */
export function clawbackReversalLines(event: ReactivatedEvent): CommissionLine[] {
  const out: CommissionLine[] = [];
  for (const clawback of outstandingClawbacks(
    linesBefore(event.policyLines, event.policy.version),
  ).values()) {
    if (clawback.policyId !== event.policy.id) continue;
    const amount = money(new Dec(clawback.amount).negated(), clawback.currency);
    const ex = clawback.explanation;
    out.push({
      id: lineId({
        sourceEventId: event.eventId,
        kind: 'CLAWBACK_REVERSAL',
        schemeId: ex.schemeId,
        ruleId: ex.ruleId,
        schemeVersion: ex.schemeVersion,
        recipientKind: clawback.recipient.kind,
        recipientId: clawback.recipient.id,
        level: ex.level,
        role: ex.role,
        relatedLineId: clawback.id,
      }),
      ledger: clawback.ledger,
      recipient: clawback.recipient,
      policyId: clawback.policyId,
      sourceEventId: event.eventId,
      kind: 'CLAWBACK_REVERSAL',
      amount: amount.amount,
      currency: clawback.currency,
      relatedLineId: clawback.id,
      policyVersion: event.policy.version,
      explanation: {
        ...ex,
        base: clawback.amount,
        formula: `reactivated: reverses clawback ${formatAmount(clawback.amount, clawback.currency)} ${ruleLabel(
          ex.ruleName,
          ex.schemeVersion,
          ex.level,
        )} = ${formatAmount(amount.amount, clawback.currency)}`,
      },
    });
  }
  return out;
}
