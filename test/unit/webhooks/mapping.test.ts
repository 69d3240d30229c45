import { describe, expect, it } from 'vitest';
import { applyMapping, getPath, setPath, sourceOf } from '../../../functions/modules/webhooks/mapping.js';
import { MappingRuleSchema } from '../../../functions/modules/webhooks/webhooks.model.js';

const rule = (r: Record<string, unknown>) => MappingRuleSchema.parse(r);

describe('insurer field mapping', () => {
  it('leaves a payload already in our layout as it is when there are no rules', () => {
    const data = { policyNumber: 'A-1', premium: { amount: '10.00', currency: 'EUR' } };
    expect(applyMapping([], 'policy.issued', data)).toEqual(data);
  });

  it('copies values from the insurer’s paths to ours, into arrays and nested objects', () => {
    const rules = [
      rule({ target: 'policyNumber', source: 'contract.no' }),
      rule({ target: 'insuredObjects.0.attributes.vin', source: 'car.vin' }),
      rule({ target: 'productLineCode', source: 'contract.product', values: [{ from: 'MOT', to: 'MTPL' }] }),
    ];
    const mapped = applyMapping(rules, 'policy.issued', {
      contract: { no: 'X-9', product: 'MOT' },
      car: { vin: 'V1' },
    });
    expect(mapped).toMatchObject({
      policyNumber: 'X-9',
      productLineCode: 'MTPL',
      insuredObjects: [{ attributes: { vin: 'V1' } }],
    });
    expect(Array.isArray(mapped.insuredObjects)).toBe(true);
  });

  it('applies a rule only to its event type', () => {
    const rules = [rule({ eventType: 'policy.cancelled', target: 'date', source: 'cancelledOn' })];
    expect(applyMapping(rules, 'policy.cancelled', { cancelledOn: '2027-01-01' }).date).toBe('2027-01-01');
    expect(applyMapping(rules, 'policy.reactivated', { cancelledOn: '2027-01-01' }).date).toBeUndefined();
  });

  it('reads the payload as sent, so one rule never feeds another', () => {
    const rules = [rule({ target: 'a', source: 'b' }), rule({ target: 'b', source: 'a' })];
    expect(applyMapping(rules, 'premium.paid', { a: 1, b: 2 })).toEqual({ a: 2, b: 1 });
  });

  it('does not follow or write prototype keys', () => {
    expect(getPath({}, 'constructor.name')).toBeUndefined();
    const target: Record<string, unknown> = {};
    setPath(target, '__proto__.polluted', 'yes');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('names the insurer’s field behind one of ours for a rejection', () => {
    const rules = [rule({ target: 'premium', source: 'price' })];
    expect(sourceOf(rules, 'policy.issued', 'premium.amount')).toBe('price.amount');
    expect(sourceOf(rules, 'policy.issued', 'premiumX')).toBeUndefined();
  });

  it('refuses a rule whose path is not a dotted path', () => {
    expect(MappingRuleSchema.safeParse({ target: 'a..b', source: 'x' }).success).toBe(false);
  });
});
