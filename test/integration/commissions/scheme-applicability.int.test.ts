import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, fieldPaths } from '../../support/brokerage.js';
import { CREATE_SCHEME, lines, must, policyChange, writeMtplPolicy } from './commission-fixtures.js';

/**
 * Schemes limited to insurers, product lines and branches, through GraphQL and the consumer: each
 * policy is paid by the scheme that applies to it only, and a limited scheme that would pay the
 * same policy as another is refused on write with the field and the other scheme named.
 */
const app = createTestApp();
let b: Brokerage;

const receivable = (id: string, rate: string) => [
  {
    id,
    name: `Receivable ${rate}%`,
    ledger: 'RECEIVABLE',
    computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate },
  },
];
const scheme = (name: string, appliesTo: Record<string, unknown> | undefined, rate: string) => ({
  name,
  currency: 'CZK',
  versions: [{ validFrom: '2026-01-01', ...(appliesTo ? { appliesTo } : {}), rules: receivable(name, rate) }],
});

beforeAll(async () => {
  b = await createBrokerage(app, 'Scheme Applicability Brokerage');
  await must(app, b.as.manager, CREATE_SCHEME, {
    i: scheme('kooperativa-motor', { insurerIds: [b.insurerId], productLines: ['MTPL'] }, '10'),
  });
  await must(app, b.as.manager, CREATE_SCHEME, {
    i: scheme('allianz', { insurerIds: [b.otherInsurerId] }, '20'),
  });
});

describe('scheme applicability', () => {
  it('pays each policy only from the scheme limited to its insurer and product line', async () => {
    const koop = await writeMtplPolicy(app, b);
    const allianz = await writeMtplPolicy(app, b, { insurerId: b.otherInsurerId });
    for (const w of [koop, allianz]) {
      const policy = await app.services.repositories.policies.getPolicyOfClient(b.tenantId, w.clientId, w.id);
      if (!policy) throw new Error('policy not found');
      await app.services.commissions.consumer.onChange(policyChange(b.tenantId, policy));
    }
    const koopLines = await lines(app, b.as.admin, { policyId: koop.id });
    expect(koopLines.map((l) => [l.explanation.ruleId, l.amount.amount])).toEqual([
      ['kooperativa-motor', '1200.00'],
    ]);
    const allianzLines = await lines(app, b.as.admin, { policyId: allianz.id });
    expect(allianzLines.map((l) => [l.explanation.ruleId, l.amount.amount])).toEqual([
      ['allianz', '2400.00'],
    ]);
  });

  it('refuses a limited scheme that overlaps another, and accepts one that does not', async () => {
    // Every insurer's MTPL overlaps Kooperativa's MTPL (the code and the id name the same line).
    const overlapping = await app.exec(b.as.manager, CREATE_SCHEME, {
      i: scheme('all-motor', { productLines: [b.mtplId] }, '5'),
    });
    expect(fieldPaths(overlapping)).toEqual(['input.versions.0.appliesTo']);
    expect(overlapping.errors?.[0]?.message).toContain('overlaps scheme "kooperativa-motor" v1');
    // An unlimited CZK scheme would pay every policy the limited ones pay.
    const unlimited = await app.exec(b.as.manager, CREATE_SCHEME, {
      i: scheme('everything', undefined, '5'),
    });
    expect(fieldPaths(unlimited)).toEqual(['input.versions.0.appliesTo']);
    // Kooperativa's property business is nobody's yet; EUR is another currency.
    await must(app, b.as.manager, CREATE_SCHEME, {
      i: scheme('kooperativa-property', { insurerIds: [b.insurerId], productLines: ['PROPERTY'] }, '12'),
    });
    await must(app, b.as.manager, CREATE_SCHEME, {
      i: { ...scheme('eur', undefined, '5'), currency: 'EUR' },
    });
  });

  it('refuses an applicability naming an insurer or branch of no one', async () => {
    const unknown = await app.exec(b.as.manager, CREATE_SCHEME, {
      i: scheme('typo', { insurerIds: ['no-such-insurer'], branchIds: ['no-such-branch'] }, '5'),
    });
    expect(fieldPaths(unknown)).toEqual([
      'input.versions.0.appliesTo.insurerIds.0',
      'input.versions.0.appliesTo.branchIds.0',
    ]);
  });
});
