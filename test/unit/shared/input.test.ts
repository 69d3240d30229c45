import { describe, expect, it } from 'vitest';
import {
  AmountSchema,
  EmailSchema,
  IdSchema,
  IsoDateSchema,
  MoneyInputSchema,
  PeriodSchema,
} from '../../../functions/shared/input.js';

describe('shared input building blocks', () => {
  it.each(['', '#', 'a#b', 'a/b', 'x'.repeat(101), 'Ω', 'a b'])('refuses the id %j', (value) => {
    expect(IdSchema.safeParse(value).success).toBe(false);
  });

  it.each(['01JD7M3X5Q2K8ZB4N6R9T0VWXY', 'partner-1', 't-01abc', 'x'.repeat(100)])(
    'accepts the id %j',
    (value) => {
      expect(IdSchema.parse(value)).toBe(value);
    },
  );

  it('refuses a 100 KB e-mail address before its format is even looked at', () => {
    const result = EmailSchema.safeParse(`${'a'.repeat(100_000)}@example.com`);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe('must be at most 254 characters');
  });

  it('refuses a 15-digit amount and accepts one just under a billion', () => {
    expect(AmountSchema.safeParse('123456789012345').error?.issues[0]?.message).toMatch(/1,000,000,000/);
    expect(AmountSchema.safeParse('-1000000000').success).toBe(false);
    expect(AmountSchema.parse('999999999.99')).toBe('999999999.99');
  });

  it('refuses 0.001 EUR instead of rounding it, naming the amount; 0.10 EUR and 0.001 BHD pass', () => {
    const result = MoneyInputSchema.safeParse({ amount: '0.001', currency: 'EUR' });
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message])).toEqual([
      ['amount', 'must have at most 2 decimal places for EUR'],
    ]);
    expect(MoneyInputSchema.parse({ amount: '0.10', currency: 'EUR' }).amount).toBe('0.10');
    expect(MoneyInputSchema.parse({ amount: '0.001', currency: 'BHD' }).amount).toBe('0.001');
    expect(MoneyInputSchema.safeParse({ amount: '1.5', currency: 'JPY' }).success).toBe(false);
  });

  it('keeps dates and periods within 1900..2100', () => {
    expect(IsoDateSchema.safeParse('9999-12-31').error?.issues[0]?.message).toBe(
      'must be between 1900-01-01 and 2100-12-31',
    );
    expect(IsoDateSchema.parse('2100-12-31')).toBe('2100-12-31');
    expect(PeriodSchema.safeParse('9999-12').success).toBe(false);
    expect(PeriodSchema.parse('2026-11')).toBe('2026-11');
  });
});

describe('checks that run after a failed format check', () => {
  it('never throw on text that is no decimal: the format check reports it', () => {
    const result = AmountSchema.safeParse('12 EUR');
    expect(result.error?.issues.map((i) => i.message)).toEqual(['must be a decimal number such as 1234.50']);
    expect(MoneyInputSchema.safeParse({ amount: 'abc', currency: 'EUR' }).success).toBe(false);
  });
});
