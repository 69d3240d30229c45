import { partnerStatementSubject } from '../../shared/auth/policy.js';
import { type Money, money } from '../../shared/money.js';
import type { ReferredClient } from '../clients/index.js';
import type { LineView } from '../commissions/index.js';
import type { BuildContext } from './build-context.js';
import { linesOf } from './commission-reports.js';
import type { ReportDocument } from './report-document.js';
import { enumText, type MessageKey } from './report-messages.js';
import { moneyTotals, sumByCurrency } from './report-totals.js';

/** A referred client as a partner's documents name it: a reference, never a name or an id's whole. */
export function clientReference(clientId: string | null | undefined): string {
  return clientId ? `C-${clientId.slice(-8).toUpperCase()}` : '';
}

/**
 * A partner's operations on the clients it referred, with no personal data: each client by reference
 * with its status, each policy or offer by product line, status and term dates, then the partner's
 * own commission lines (kind, product line, amount: no policy number, premium or formula) of the
 * job's months (every month when it names none).
 */
export async function partnerStatementReport(ctx: BuildContext): Promise<ReportDocument> {
  const { t } = ctx;
  const partnerId = partnerStatementSubject(ctx.p, ctx.job.filter.recipient?.id);
  const clients = await ctx.collect<ReferredClient>((page) =>
    ctx.lists.referredClients(ctx.p, partnerId, page),
  );
  const policyRows = [];
  const productLineOf = new Map<string, string>();
  for (const client of clients) {
    const policies = await ctx.lists.referredClientPolicies(ctx.p, partnerId, client.id);
    for (const x of policies) productLineOf.set(x.id, x.productLineId);
    const base = {
      client: clientReference(client.id),
      clientStatus: enumText(t, 'clientStatus', client.status),
    };
    if (!policies.length)
      policyRows.push({ ...base, productLine: null, status: null, termStart: null, termEnd: null });
    for (const x of policies)
      policyRows.push({
        ...base,
        productLine: ctx.names.productLine(x.productLineId),
        status: enumText(t, 'policyStatus', x.status),
        termStart: x.termStart,
        termEnd: x.termEnd,
      });
  }
  const lines = await linesOf(ctx, { recipient: { kind: 'PARTNER', id: partnerId }, ledger: 'PARTNER' });
  const amountOf = (l: LineView): Money => money(l.amount, l.currency);
  return ctx.document(
    [
      {
        title: t('referredPolicies'),
        columns: [
          { key: 'client', label: t('clientReference'), type: 'text', width: 1.2 },
          { key: 'clientStatus', label: t('status'), type: 'text' },
          { key: 'productLine', label: t('productLine'), type: 'text', width: 1.8 },
          { key: 'status', label: t('policyStatus'), type: 'text' },
          { key: 'termStart', label: t('termStart'), type: 'date' },
          { key: 'termEnd', label: t('termEnd'), type: 'date' },
        ],
        rows: policyRows,
        totals: [],
      },
      {
        title: t('partnerLines'),
        columns: [
          { key: 'period', label: t('periodColumn'), type: 'text', width: 0.8 },
          { key: 'kind', label: t('kind'), type: 'text', width: 1.2 },
          { key: 'client', label: t('clientReference'), type: 'text', width: 1.2 },
          { key: 'productLine', label: t('productLine'), type: 'text', width: 1.8 },
          { key: 'amount', label: t('amount'), type: 'money', width: 1.2 },
        ],
        rows: lines.map((l) => ({
          period: l.period,
          kind: t(`lineKind.${l.kind}` as MessageKey),
          client: clientReference(l.clientId),
          productLine: ctx.names.productLine(productLineOf.get(l.policyId)),
          amount: amountOf(l),
        })),
        totals: moneyTotals('amount', lines.map(amountOf), t('total')),
      },
    ],
    {
      subtitle: [t('partner', { name: ctx.names.partner(partnerId) })],
      summary: sumByCurrency(lines.map(amountOf)).map((total) => ({
        label: t('statementTotal'),
        value: total,
      })),
    },
  );
}
