import { beforeAll, describe, expect, it } from 'vitest';
import { ClientBook } from '../../../functions/modules/clients/index.js';
import { createCrossSellModule } from '../../../functions/modules/cross-sell/index.js';
import { crossSellPorts } from '../../../functions/modules/cross-sell-wiring.js';
import { systemClock } from '../../../functions/shared/clock.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';

/**
 * A campaign targeting the cross-sell candidates of a product line, on a small fixture book learned
 * by the cross-sell module: the members are exactly the clients a learned rule recommends the line
 * to, and a minimum confidence narrows them to the stronger rules.
 *
 * Book (5 clients with policies, one without): A, A: MTPL+PROPERTY+CASCO; B: MTPL+PROPERTY; D: MTPL;
 * E: PROPERTY. Rules for CASCO: MTPL+PROPERTY → CASCO 2/3, MTPL → CASCO 2/4, PROPERTY → CASCO 2/4.
 */
const app = createTestApp();
let b: Brokerage;
let cascoId: string;
const ids: Record<string, string> = {};

async function holding(name: string, lines: string[]): Promise<void> {
  const client = await app.services.clients.records.createClient(
    b.as.advisor,
    personInput({ lastName: name }),
  );
  ids[name] = client.id;
  for (const productLineId of lines) {
    const property = productLineId === b.propertyId;
    const written = await app.exec(
      b.as.advisor,
      'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
      {
        i: mtplInput(b, client.id, {
          productLineId,
          ...(property
            ? { insuredObjects: [{ kind: 'PROPERTY', attributes: [{ name: 'address', value: 'Brno 1' }] }] }
            : {}),
        }),
      },
    );
    expect(written.errors).toBeUndefined();
  }
}

async function startedFor(segment: Record<string, unknown>) {
  const created = await app.exec<{ createCampaign: { id: string; version: number } }>(
    b.admin,
    'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id version } }',
    {
      i: {
        name: 'Motor hull offer',
        periodFrom: '2026-03-01',
        periodTo: '2026-03-31',
        productLineIds: [cascoId],
        segment,
      },
    },
  );
  expect(created.errors).toBeUndefined();
  const { id, version } = (created.data as { createCampaign: { id: string; version: number } })
    .createCampaign;
  await app.services.campaigns.campaigns.startCampaign(b.admin, { id, expectedVersion: version });
  const members = await app.services.campaigns.campaigns.listMembers(b.admin, id, {
    limit: 100,
    cursor: null,
  });
  return members.items.map((m) => m.clientId).sort();
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Campaign Cross-sell Brokerage');
  cascoId = (await app.services.org.catalog.createProductLine(b.admin, { code: 'CASCO', name: 'Motor hull' }))
    .id;
  const { mtplId: m, propertyId: p } = b;
  await holding('A1', [m, p, cascoId]);
  await holding('A2', [m, p, cascoId]);
  await holding('B', [m, p]);
  await holding('D', [m]);
  await holding('E', [p]);
  await holding('F', []);
  const book = new ClientBook(app.services.repositories.clients, app.services.repositories.org, systemClock);
  const crossSell = createCrossSellModule({
    db: app.db,
    clock: systemClock,
    ...crossSellPorts(app.services.repositories, book),
    learnOptions: { minTogether: 2, maxRules: 100 },
  });
  expect(await crossSell.learnTenant(b.tenantId)).toMatchObject({ clients: 5 });
}, 120_000);

describe('a campaign for the cross-sell candidates of a product line', () => {
  it('freezes exactly the clients a learned rule recommends the line to', async () => {
    expect(await startedFor({ crossSellCandidateFor: cascoId })).toEqual([ids.B, ids.D, ids.E].sort());
  });

  it('keeps only candidates of rules with at least the minimum confidence', async () => {
    expect(await startedFor({ crossSellCandidateFor: cascoId, crossSellMinConfidence: '0.6' })).toEqual([
      ids.B,
    ]);
    expect(await startedFor({ crossSellCandidateFor: cascoId, crossSellMinConfidence: '0.7' })).toEqual([]);
  });

  it('refuses an unknown product line and a minimum without a line, with field paths', async () => {
    const create = (segment: Record<string, unknown>) =>
      app.exec(b.admin, 'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }', {
        i: {
          name: 'X',
          periodFrom: '2026-03-01',
          periodTo: '2026-03-31',
          productLineIds: [cascoId],
          segment,
        },
      });
    const unknownLine = await create({ crossSellCandidateFor: 'NOSUCHLINE' });
    expect(unknownLine.errors?.[0]?.extensions?.fieldErrors).toEqual([
      { path: 'input.segment.crossSellCandidateFor', message: 'is not a product line of the brokerage' },
    ]);
    const noLine = await create({ crossSellMinConfidence: '0.5' });
    expect(noLine.errors?.[0]?.extensions?.fieldErrors).toEqual([
      { path: 'input.segment.crossSellMinConfidence', message: 'needs crossSellCandidateFor' },
    ]);
  });
});
