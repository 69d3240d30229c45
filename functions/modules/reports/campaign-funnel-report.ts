import type { FunnelCounts } from '../campaigns/index.js';
import type { BuildContext } from './build-context.js';
import type { Cell, Column, ReportDocument, ReportTable } from './report-document.js';
import type { MessageKey } from './report-messages.js';

/** The funnel's stages in order; a member counted at a stage is counted at every stage before it. */
const STAGES = ['members', 'contacted', 'interested', 'offer', 'sold'] as const satisfies ReadonlyArray<
  keyof FunnelCounts
>;

/** `part` out of `whole` as a ratio for a percent column; null (an empty cell) when `whole` is 0. */
const ratio = (part: number, whole: number): number | null => (whole > 0 ? part / whole : null);

/**
 * One campaign's funnel, with the numbers and the reader check of the `campaignFunnel` query: the
 * stages (members → contacted → interested → offer → sold) with each stage's share of the members
 * and of the stage before, the same counts per advisor (the member's campaign task's assignee, else
 * the client's owner) with their conversion (sold out of members), and new clients per day before,
 * during and after the campaign's period. A campaign the requester cannot read FAILS the job.
 */
export async function campaignFunnelReport(ctx: BuildContext): Promise<ReportDocument> {
  const { t } = ctx;
  // The request's validation requires the id; a job stored without one finds no campaign.
  const { campaign, funnel } = await ctx.lists.campaignFunnel(ctx.p, ctx.job.filter.campaignId ?? '');
  const { total } = funnel;

  const stages: ReportTable = {
    title: t('funnelStages'),
    columns: [
      { key: 'stage', label: t('stage'), type: 'text', width: 2.2 },
      { key: 'clients', label: t('stageClients'), type: 'integer' },
      { key: 'ofMembers', label: t('shareOfMembers'), type: 'percent' },
      { key: 'ofPrevious', label: t('shareOfPrevious'), type: 'percent', width: 1.3 },
    ],
    rows: STAGES.map((stage, i) => {
      const previous = STAGES[i - 1];
      return {
        stage: t(`funnel.${stage}` as MessageKey),
        clients: total[stage],
        ofMembers: ratio(total[stage], total.members),
        ofPrevious: previous ? ratio(total[stage], total[previous]) : null,
      };
    }),
    totals: [],
  };

  const countColumns: Column[] = STAGES.map((stage) => ({
    key: stage,
    label: t(`funnel.${stage}` as MessageKey),
    type: 'integer',
  }));
  const countsRow = (counts: FunnelCounts): Record<string, Cell> => ({
    ...counts,
    conversion: ratio(counts.sold, counts.members),
  });
  const byAdvisor: ReportTable = {
    title: t('by.advisor'),
    columns: [
      { key: 'advisor', label: t('advisor'), type: 'text', width: 2 },
      ...countColumns,
      { key: 'conversion', label: t('conversion'), type: 'percent' },
    ],
    rows: funnel.byAdvisor
      .map((a) => ({
        advisor: a.advisorId ? ctx.names.user(a.advisorId) : t('unassigned'),
        ...countsRow(a.counts),
      }))
      .sort((a, b) => a.advisor.localeCompare(b.advisor)),
    totals: [{ __label: t('total'), ...countsRow(total) }],
  };

  const leads: ReportTable = {
    title: t('leadsPerDay'),
    columns: [
      { key: 'window', label: t('window'), type: 'text', width: 1.8 },
      { key: 'from', label: t('windowFrom'), type: 'date' },
      { key: 'to', label: t('windowTo'), type: 'date' },
      { key: 'leads', label: t('newClients'), type: 'integer' },
      { key: 'perDay', label: t('perDay'), type: 'decimal' },
    ],
    rows: (['before', 'during', 'after'] as const).map((w) => ({
      window: t(`window.${w}` as MessageKey),
      from: funnel.leads[w].from,
      to: funnel.leads[w].to,
      leads: funnel.leads[w].leads,
      perDay: funnel.leads[w].perDay,
    })),
    totals: [],
  };

  return ctx.document([stages, byAdvisor, leads], {
    subtitle: [
      t('campaign', { name: campaign.name }),
      t('campaignWindow', { from: ctx.date(campaign.periodFrom), to: ctx.date(campaign.periodTo) }),
    ],
  });
}
