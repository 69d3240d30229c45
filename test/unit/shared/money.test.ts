import { describe, expect, it } from 'vitest';
import { MoneyInputSchema } from '../../../functions/shared/input.js';
import {
  addMoney,
  CurrencySchema,
  DecimalStringSchema,
  isZero,
  minorUnits,
  money,
  negateMoney,
  parseDecimal,
  ROUNDING_RULE,
} from '../../../functions/shared/money.js';

describe('money arithmetic', () => {
  it('adds 0.10 and 0.20 to exactly 0.30, unlike binary floating point', () => {
    expect(0.1 + 0.2).not.toBe(0.3);
    expect(addMoney(money('0.1', 'EUR'), money('0.2', 'EUR'))).toEqual({ amount: '0.30', currency: 'EUR' });
  });

  it('keeps exact cents when summing a thousand 0.01 amounts', () => {
    let total = money('0', 'EUR');
    for (let i = 0; i < 1000; i++) total = addMoney(total, money('0.01', 'EUR'));
    expect(total.amount).toBe('10.00');
  });

  it('rounds ties half-even at the minor unit: 2.345 → 2.34 and 2.355 → 2.36', () => {
    expect(ROUNDING_RULE).toBe('HALF_EVEN');
    expect(money('2.345', 'EUR').amount).toBe('2.34');
    expect(money('2.355', 'EUR').amount).toBe('2.36');
    expect(money('-2.345', 'EUR').amount).toBe('-2.34');
    expect(money('2.3451', 'EUR').amount).toBe('2.35');
  });

  it('writes amounts with the currency minor-unit digits: EUR 2, JPY 0, BHD 3', () => {
    expect(minorUnits('EUR')).toBe(2);
    expect(minorUnits('JPY')).toBe(0);
    expect(minorUnits('BHD')).toBe(3);
    expect(money('300', 'EUR').amount).toBe('300.00');
    expect(money('2.5', 'JPY').amount).toBe('2');
    expect(money('3.5', 'JPY').amount).toBe('4');
    expect(money('1.0005', 'BHD').amount).toBe('1.000');
  });

  it('refuses to add amounts in different currencies', () => {
    expect(() => addMoney(money('1', 'EUR'), money('1', 'CZK'))).toThrow(/Cannot combine EUR and CZK/);
  });

  it('negates and recognises zero whatever its written precision', () => {
    expect(negateMoney(money('12.5', 'CZK'))).toEqual({ amount: '-12.50', currency: 'CZK' });
    expect(isZero({ amount: '0.000', currency: 'EUR' })).toBe(true);
    expect(isZero(money('0.01', 'EUR'))).toBe(false);
  });

  it('throws for an unknown currency instead of guessing its minor unit', () => {
    expect(() => minorUnits('XYZ')).toThrow(RangeError);
    expect(() => money('1', 'XYZ')).toThrow(/Unknown currency XYZ/);
  });
});

describe('DecimalStringSchema and parseDecimal', () => {
  it.each(['0', '1234.50', '-0.01', '  42.1  ', '999999999999999.9999999999'])('accepts %j', (value) => {
    expect(DecimalStringSchema.safeParse(value).success).toBe(true);
  });

  it.each([
    ['a float number', 0.1],
    ['an integer number', 10],
    ['an exponent', '1e5'],
    ['a comma decimal', '1,5'],
    ['a trailing dot', '1.'],
    ['a leading dot', '.5'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['an empty string', ''],
    ['hex', '0x10'],
    ['more than 10 fraction digits', '1.12345678901'],
    ['more than 15 integer digits', '1234567890123456'],
  ])('refuses %s', (_label, value) => {
    expect(DecimalStringSchema.safeParse(value).success).toBe(false);
  });

  it('parses a decimal exactly and throws a RangeError for anything else', () => {
    expect(parseDecimal('0.1').plus(parseDecimal('0.2')).toString()).toBe('0.3');
    expect(() => parseDecimal('1e3')).toThrow(RangeError);
  });
});

describe('MoneyInputSchema', () => {
  it('upper-cases a currency code and keeps the amount as a string', () => {
    expect(MoneyInputSchema.parse({ amount: '10.00', currency: 'eur' })).toEqual({
      amount: '10.00',
      currency: 'EUR',
    });
  });

  it('refuses a numeric amount, naming the amount field', () => {
    const result = MoneyInputSchema.safeParse({ amount: 10.5, currency: 'EUR' });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path)).toEqual([['amount']]);
  });

  it('refuses a malformed or unknown currency code', () => {
    expect(CurrencySchema.safeParse('EURO').success).toBe(false);
    expect(CurrencySchema.safeParse('E1R').success).toBe(false);
    const unknown = CurrencySchema.safeParse('XYZ');
    expect(unknown.success).toBe(false);
    expect(unknown.error?.issues[0]?.message).toBe('is not a known ISO-4217 currency');
  });
});
