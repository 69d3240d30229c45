import { Dec, type Money, money } from '../../shared/money.js';
import type { Client } from '../clients/index.js';
import type { LineView } from '../commissions/index.js';
import type { Policy } from '../policies/index.js';
import type { BuildContext } from './build-context.js';
import { linesOf } from './commission-reports.js';
import type { Cell, Column, ReportDocument, ReportTable } from './report-document.js';
import { enumText, type MessageKey } from './report-messages.js';
import { moneyTotals, sumByCurrency } from './report-totals.js';

type Dimension = 'advisor' | 'branch' | 'region' | 'productLine' | 'insurer' | 'employee' | 'business';

/** A policy's group in a dimension: its key and the name a reader sees. */
function groupOf(ctx: BuildContext, p: Policy, dimension: Dimension): { key: string; name: string } {
  switch (dimension) {
    case 'advisor':
    case 'employee':
      return { key: p.sellerId, name: ctx.names.user(p.sellerId) };
    case 'branch':
      return { key: p.branchId, name: ctx.names.branch(p.branchId) };
    case 'region':
      return { key: p.regionId ?? '', name: ctx.names.region(p.regionId) };
    case 'productLine':
      return { key: p.productLineId, name: ctx.names.productLine(p.productLineId) };
    case 'insurer':
      return { key: p.insurerId, name: ctx.names.insurer(p.insurerId) };
    case 'business':
      return { key: p.businessType, name: enumText(ctx.t, 'businessType', p.businessType) ?? '' };
  }
}

/** Rows per group and currency, sorted by group name, built by `row` from the group's items. */
function grouped<T>(
  items: T[],
  keyOf: (item: T) => { key: string; name: string } | null,
  rows: (name: string, items: T[]) => Array<Record<string, Cell>>,
): Array<Record<string, Cell>> {
  const groups = new Map<string, { name: string; items: T[] }>();
  for (const item of items) {
    const g = keyOf(item);
    if (!g) continue;
    const entry = groups.get(g.key) ?? { name: g.name, items: [] };
    entry.items.push(item);
    groups.set(g.key, entry);
  }
  return [...groups.values()]
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((g) => rows(g.name, g.items));
}

/** Every policy the requester's `policies` list shows, by id. */
async function policiesById(ctx: BuildContext): Promise<Map<string, Policy>> {
  const policies = await ctx.collect<Policy>((page) => ctx.lists.policies(ctx.p, {}, page));
  return new Map(policies.map((p) => [p.id, p]));
}

const sum = (amounts: Money[], currency: string): Money =>
  money(
    amounts.filter((a) => a.currency === currency).reduce((s, a) => s.plus(a.amount), new Dec(0)),
    currency,
  );

const amountOf = (l: LineView): Money => money(l.amount, l.currency);
const isIncome = (l: LineView) => l.ledger === 'RECEIVABLE';

/**
 * Commission income (the RECEIVABLE ledger) minus payouts (ADVISOR and PARTNER ledgers) for the
 * job's months, by insurer, product line, employee (the policy's seller) and new against renewal
 * business: one table per dimension, a row per group and currency, with the margin.
 */
export async function profitabilityReport(ctx: BuildContext): Promise<ReportDocument> {
  const { t } = ctx;
  const lines = await linesOf(ctx, {});
  const policies = await policiesById(ctx);
  const currencies = [...new Set(lines.map((l) => l.currency))].sort();
  const profitRows = (name: string, of: LineView[]) =>
    currencies
      .filter((c) => of.some((l) => l.currency === c))
      .map((c) => {
        const income = sum(of.filter(isIncome).map(amountOf), c);
        const payouts = sum(of.filter((l) => !isIncome(l)).map(amountOf), c);
        return {
          group: name,
          income,
          payouts,
          margin: money(new Dec(income.amount).minus(payouts.amount), c),
        };
      });
  const table = (dimension: Dimension): ReportTable => ({
    title: t(`by.${dimension}` as MessageKey),
    columns: [
      { key: 'group', label: t(`dimension.${dimension}` as MessageKey), type: 'text', width: 2.5 },
      { key: 'income', label: t('income'), type: 'money', width: 1.4 },
      { key: 'payouts', label: t('payouts'), type: 'money', width: 1.4 },
      { key: 'margin', label: t('margin'), type: 'money', width: 1.4 },
    ],
    rows: grouped(
      lines,
      (l) => {
        const p = policies.get(l.policyId);
        if (dimension === 'insurer' && !p)
          return { key: l.insurerId ?? '', name: ctx.names.insurer(l.insurerId) };
        return p ? groupOf(ctx, p, dimension) : null;
      },
      profitRows,
    ),
    totals: [],
  });
  const tables = (['insurer', 'productLine', 'employee', 'business'] as const).map(table);
  const income = sumByCurrency(lines.filter(isIncome).map(amountOf));
  const payouts = sumByCurrency(lines.filter((l) => !isIncome(l)).map(amountOf));
  return ctx.document(tables, {
    summary: currencies.flatMap((c) => {
      const i = sum(income, c);
      const o = sum(payouts, c);
      return [
        { label: t('income'), value: i },
        { label: t('payouts'), value: o },
        { label: t('margin'), value: money(new Dec(i.amount).minus(o.amount), c) },
      ];
    }),
  });
}

/**
 * Sales efficiency for the job's months, by advisor (the seller), branch, region, product line and
 * insurer: new clients (clients created in the months whose first deal in them is new business),
 * renewals, premium of the deals concluded, the brokerage's commission on them, and conversion
 * (deals concluded out of all policies and offers written in the months).
 */
export async function efficiencyReport(ctx: BuildContext): Promise<ReportDocument> {
  const { t } = ctx;
  const months = new Set(ctx.periods ?? []);
  const inMonths = (date: string) => months.has(date.slice(0, 7));
  const all = [...(await policiesById(ctx)).values()].filter((p) => inMonths(p.writtenDate));
  const clients = await ctx.collect<Client>((page) => ctx.lists.clients(ctx.p, {}, page));
  const newClientIds = new Set(clients.filter((c) => inMonths(c.createdAt)).map((c) => c.id));
  const income = (await linesOf(ctx, { ledger: 'RECEIVABLE', recipient: null })).filter(isIncome);
  const incomeOf = new Map<string, Money[]>();
  for (const l of income) incomeOf.set(l.policyId, [...(incomeOf.get(l.policyId) ?? []), amountOf(l)]);
  const deal = (p: Policy) => p.status !== 'OFFER';
  const columns = (dimension: Dimension): Column[] => [
    { key: 'group', label: t(`dimension.${dimension}` as MessageKey), type: 'text', width: 2.2 },
    { key: 'newClients', label: t('newClients'), type: 'integer' },
    { key: 'renewals', label: t('renewals'), type: 'integer' },
    { key: 'premium', label: t('premium'), type: 'money', width: 1.4 },
    { key: 'commission', label: t('commission'), type: 'money', width: 1.4 },
    { key: 'conversion', label: t('conversion'), type: 'percent' },
  ];
  const rowsOf = (name: string, of: Policy[]): Array<Record<string, Cell>> => {
    const deals = of.filter(deal);
    const premiums = sumByCurrency(deals.map((p) => p.premium));
    const commissions = sumByCurrency(deals.flatMap((p) => incomeOf.get(p.id) ?? []));
    const currencies = [...new Set([...premiums, ...commissions].map((m) => m.currency))].sort();
    const counts = {
      newClients: new Set(
        deals.filter((p) => p.businessType === 'NEW' && newClientIds.has(p.clientId)).map((p) => p.clientId),
      ).size,
      renewals: deals.filter((p) => p.businessType === 'RENEWAL').length,
      conversion: of.length ? deals.length / of.length : null,
    };
    // One row per currency; the counts belong to the group's first row only.
    return (currencies.length ? currencies : [null]).map((c, i) => ({
      group: name,
      ...(i === 0 ? counts : { newClients: null, renewals: null, conversion: null }),
      premium: c ? sum(premiums, c) : null,
      commission: c ? sum(commissions, c) : null,
    }));
  };
  const tables = (['advisor', 'branch', 'region', 'productLine', 'insurer'] as const).map(
    (dimension): ReportTable => ({
      title: t(`by.${dimension}` as MessageKey),
      columns: columns(dimension),
      rows: grouped(all, (p) => groupOf(ctx, p, dimension), rowsOf),
      totals: moneyTotals(
        'premium',
        all.filter(deal).map((p) => p.premium),
        t('total'),
      ),
    }),
  );
  return ctx.document(tables);
}
