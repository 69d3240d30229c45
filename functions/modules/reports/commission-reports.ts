import { ownLedgerRecipient } from '../../shared/auth/policy.js';
import { type Money, money } from '../../shared/money.js';
import type { LineView } from '../commissions/index.js';
import type { BuildContext } from './build-context.js';
import type { Cell, Column, ReportDocument } from './report-document.js';
import { documentOf, type ListReport, rowPages } from './report-listing.js';
import type { MessageKey } from './report-messages.js';
import { moneyTotals, sumByCurrency } from './report-totals.js';

const KINDS = ['ACCRUAL', 'DELTA', 'TIER_CORRECTION', 'CLAWBACK', 'CLAWBACK_REVERSAL', 'ADJUSTMENT'] as const;

const amountOf = (l: LineView): Money => money(l.amount, l.currency);

function recipientName(ctx: BuildContext, r: { kind: string; id: string }): string {
  if (r.kind === 'PARTNER') return ctx.names.partner(r.id);
  if (r.kind === 'BROKERAGE') return ctx.tenantName;
  return ctx.names.user(r.id);
}

/** A line's explanation as a reader checks it: the formula, and the reason of a manual line. */
function explanationOf(l: LineView): string {
  return [l.explanation.formula, l.reason].filter(Boolean).join(' — ');
}

function lineColumns(ctx: BuildContext, withRecipient: boolean): Column[] {
  const { t } = ctx;
  return [
    { key: 'period', label: t('periodColumn'), type: 'text', width: 0.8 },
    ...(withRecipient
      ? [{ key: 'recipient', label: t('recipientColumn'), type: 'text', width: 1.4 } as Column]
      : []),
    { key: 'kind', label: t('kind'), type: 'text', width: 1.1 },
    { key: 'policyNumber', label: t('policyNumber'), type: 'text', width: 1.2 },
    { key: 'insurer', label: t('insurer'), type: 'text', width: 1.3 },
    { key: 'rule', label: t('rule'), type: 'text', width: 1.3 },
    { key: 'explanation', label: t('explanation'), type: 'text', width: 3 },
    { key: 'amount', label: t('amount'), type: 'money', width: 1.2 },
  ];
}

function lineRow(ctx: BuildContext, l: LineView, withRecipient: boolean): Record<string, Cell> {
  return {
    period: l.period,
    ...(withRecipient ? { recipient: recipientName(ctx, l.recipient) } : {}),
    kind: ctx.t(`lineKind.${l.kind}` as MessageKey),
    policyNumber: l.policyNumber ?? null,
    insurer: ctx.names.insurer(l.insurerId),
    rule: l.explanation.ruleName,
    explanation: explanationOf(l),
    amount: amountOf(l),
  };
}

/** The ledger lines of every month the job covers (all months when it names none), with `filter`. */
export async function linesOf(ctx: BuildContext, filter: Record<string, unknown>): Promise<LineView[]> {
  const lines: LineView[] = [];
  for (const period of ctx.periods ?? [null])
    lines.push(
      ...(await ctx.collect<LineView>((page) =>
        ctx.lists.commissionLines(ctx.p, { ...filter, period }, page),
      )),
    );
  return lines;
}

/**
 * The ledger lines of the API (`commissionLines`): its filter (recipient, period, ledger) and reach,
 * each month of the job in turn (all months when it names none).
 */
export function commissionLinesList(ctx: BuildContext): ListReport {
  const f = ctx.job.filter;
  const filter = { recipient: f.recipient ?? null, ledger: f.ledger ?? null };
  return {
    columns: lineColumns(ctx, true),
    reads: (ctx.periods ?? [null]).map((period) =>
      rowPages<LineView>(
        (page) => ctx.lists.commissionLines(ctx.p, { ...filter, period }, page),
        (l) => lineRow(ctx, l, true),
      ),
    ),
    totalKey: 'amount',
  };
}

export const commissionLinesReport = (ctx: BuildContext): Promise<ReportDocument> =>
  documentOf(ctx, commissionLinesList(ctx));

/**
 * One recipient's month (default: the caller's own ledger): every line with its explanation, then
 * totals per kind (commission, changes, clawbacks and their reversals, adjustments) and the total.
 */
export async function commissionStatementReport(ctx: BuildContext): Promise<ReportDocument> {
  const { t } = ctx;
  const recipient = ctx.job.filter.recipient?.id
    ? { kind: ctx.job.filter.recipient.kind, id: ctx.job.filter.recipient.id }
    : ownLedgerRecipient(ctx.p);
  const lines = await linesOf(ctx, { recipient });
  const byKind = KINDS.flatMap((kind) => {
    const ofKind = lines.filter((l) => l.kind === kind);
    return sumByCurrency(ofKind.map(amountOf)).map((total) => ({
      kind: t(`lineKind.${kind}`),
      lines: ofKind.filter((l) => l.currency === total.currency).length,
      amount: total,
    }));
  });
  const totals = sumByCurrency(lines.map(amountOf));
  return ctx.document(
    [
      {
        title: t('statementLines'),
        columns: lineColumns(ctx, false),
        rows: lines.map((l) => lineRow(ctx, l, false)),
        totals: moneyTotals('amount', lines.map(amountOf), t('total')),
      },
      {
        title: t('totalsByKind'),
        columns: [
          { key: 'kind', label: t('kind'), type: 'text', width: 2 },
          { key: 'lines', label: t('lines'), type: 'integer' },
          { key: 'amount', label: t('amount'), type: 'money', width: 1.5 },
        ],
        rows: byKind,
        totals: moneyTotals('amount', lines.map(amountOf), t('statementTotal')),
      },
    ],
    {
      subtitle: [t('recipient', { name: recipientName(ctx, recipient) })],
      summary: totals.map((total) => ({ label: t('statementTotal'), value: total })),
    },
  );
}

/** What insurers owe the brokerage for the month: the receivable ledger's lines summed per insurer. */
export async function receivableReport(ctx: BuildContext): Promise<ReportDocument> {
  const { t } = ctx;
  const lines = await linesOf(ctx, { recipient: { kind: 'BROKERAGE' }, ledger: 'RECEIVABLE' });
  const insurers = [...new Set(lines.map((l) => l.insurerId ?? ''))];
  const rows = insurers
    .flatMap((insurerId) => {
      const of = lines.filter((l) => (l.insurerId ?? '') === insurerId);
      return sumByCurrency(of.map(amountOf)).map((total) => ({
        insurer: ctx.names.insurer(insurerId),
        lines: of.filter((l) => l.currency === total.currency).length,
        amount: total,
      }));
    })
    .sort((a, b) => a.insurer.localeCompare(b.insurer));
  return ctx.document([
    {
      title: null,
      columns: [
        { key: 'insurer', label: t('insurer'), type: 'text', width: 2.5 },
        { key: 'lines', label: t('lines'), type: 'integer' },
        { key: 'amount', label: t('amount'), type: 'money', width: 1.5 },
      ],
      rows,
      totals: moneyTotals('amount', lines.map(amountOf), t('total')),
    },
    {
      title: t('statementLines'),
      columns: lineColumns(ctx, false),
      rows: lines.map((l) => lineRow(ctx, l, false)),
      totals: [],
    },
  ]);
}
