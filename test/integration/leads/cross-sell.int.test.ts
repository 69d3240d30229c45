import { beforeAll, describe, expect, it } from 'vitest';
import { ClientBook } from '../../../functions/modules/clients/index.js';
import { type CrossSellService, createCrossSellModule } from '../../../functions/modules/cross-sell/index.js';
import { crossSellPorts } from '../../../functions/modules/cross-sell-wiring.js';
import { systemClock } from '../../../functions/shared/clock.js';
import { keys } from '../../../functions/shared/table-design.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';

/**
 * Cross-sell over DynamoDB Local: a small fixture book of ACTIVE policies, one learning run of the
 * tenant (its holdings read page by page), then `crossSellCandidates` for a client in a known order
 * with exact ratios and explanations.
 */
const app = createTestApp();
let b: Brokerage;
let crossSell: CrossSellService;
let cascoId: string;
let lifeId: string;
let target: string;

/** An insured object each fixture line accepts (PROPERTY needs a property, LIFE a person). */
function objectFor(productLineId: string) {
  if (productLineId === b.propertyId)
    return [{ kind: 'PROPERTY', attributes: [{ name: 'address', value: 'Brno 1' }] }];
  if (productLineId === lifeId)
    return [
      {
        kind: 'PERSON',
        attributes: [
          { name: 'name', value: 'Jana' },
          { name: 'birthDate', value: '1980-01-01' },
        ],
      },
    ];
  return undefined;
}

async function clientHolding(lines: string[], n: number): Promise<string> {
  const client = await app.services.clients.records.createClient(
    b.as.advisor,
    personInput({ lastName: `C${n}` }),
  );
  for (const productLineId of lines) {
    const written = await app.exec(
      b.as.advisor,
      'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
      {
        i: mtplInput(b, client.id, {
          productLineId,
          ...(objectFor(productLineId) ? { insuredObjects: objectFor(productLineId) } : {}),
        }),
      },
    );
    expect(written.errors).toBeUndefined();
  }
  return client.id;
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Cross-sell Brokerage');
  cascoId = (await app.services.org.catalog.createProductLine(b.admin, { code: 'CASCO', name: 'Motor hull' }))
    .id;
  lifeId = (await app.services.org.catalog.createProductLine(b.admin, { code: 'LIFE', name: 'Life' })).id;
  const { mtplId: m, propertyId: p } = b;
  // 10 clients: MTPL+PROPERTY → CASCO 4 of 5; LIFE alone, held by 3.
  const book = [
    ...Array.from({ length: 4 }, () => [m, p, cascoId]),
    [m, p],
    [m],
    [m],
    ...Array.from({ length: 3 }, () => [lifeId]),
  ];
  const ids = [];
  for (const [n, lines] of book.entries()) ids.push(await clientHolding(lines, n));
  target = ids[4] as string;
  const book2 = new ClientBook(app.services.repositories.clients, app.services.repositories.org, systemClock);
  crossSell = createCrossSellModule({
    db: app.db,
    clock: systemClock,
    ...crossSellPorts(app.services.repositories, book2),
    learnOptions: { minTogether: 2, maxRules: 100 },
  });
}, 120_000);

describe('cross-sell', () => {
  it('answers no candidates before the first learning run', async () => {
    const result = await app.exec<{ crossSellCandidates: unknown[] }>(
      b.as.advisor,
      'query($c: ID!) { crossSellCandidates(clientId: $c) { explanation } }',
      { c: target },
    );
    expect(result.data?.crossSellCandidates).toEqual([]);
  });

  it('learns the tenant rules and ranks CASCO by MTPL+PROPERTY, then LIFE by popularity', async () => {
    expect(await crossSell.learnTenant(b.tenantId)).toMatchObject({ clients: 10 });
    const stored = await app.db.get(keys.crossSellRuleSet(b.tenantId));
    expect(stored?.clients).toBe(10);
    const result = await app.exec<{ crossSellCandidates: unknown[] }>(
      b.as.advisor,
      `query($c: ID!) { crossSellCandidates(clientId: $c, first: 5) {
        productLine { id code name } support confidence lift explanation } }`,
      { c: target },
    );
    expect(result.errors).toBeUndefined();
    expect(result.data?.crossSellCandidates).toEqual([
      {
        productLine: { id: cascoId, code: 'CASCO', name: 'Motor hull' },
        support: '0.4000',
        confidence: '0.8000',
        lift: '2.0000',
        explanation: '80 % of clients holding MTPL and PROPERTY also hold CASCO; lift 2.0',
      },
      {
        productLine: { id: lifeId, code: 'LIFE', name: 'Life' },
        support: '0.3000',
        confidence: '0.3000',
        lift: '1.0000',
        explanation: '30 % of clients hold LIFE',
      },
    ]);
  });

  it('refuses a client outside the caller scope', async () => {
    const result = await app.exec(
      b.as.franchiseAdvisor,
      'query($c: ID!) { crossSellCandidates(clientId: $c) { explanation } }',
      { c: target },
    );
    expect(result.errors?.[0]?.extensions?.code).toMatch(/FORBIDDEN|NOT_FOUND/);
  });
});
