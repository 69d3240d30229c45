import { GraphQLError, Kind, type ValueNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { scalarResolvers } from '../../../functions/graphql/scalars.js';

const { Decimal, Date: DateScalar, DateTime } = scalarResolvers;

const stringLiteral = (value: string): ValueNode => ({ kind: Kind.STRING, value });
const floatLiteral = (value: string): ValueNode => ({ kind: Kind.FLOAT, value });
const intLiteral = (value: string): ValueNode => ({ kind: Kind.INT, value });

function badInput(parse: () => unknown): GraphQLError {
  try {
    parse();
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('expected the scalar to refuse the value');
}

describe('Decimal', () => {
  it.each(['0', '1234.50', '-0.01', '999999999999999.9999999999'])('accepts the string %j', (value) => {
    expect(Decimal.parseValue(value)).toBe(value);
    expect(Decimal.parseLiteral(stringLiteral(value))).toBe(value);
  });

  it('refuses a JSON number variable, which may already have lost precision', () => {
    const error = badInput(() => Decimal.parseValue(0.1));
    expect(error.extensions.code).toBe('BAD_USER_INPUT');
    expect(error.message).toMatch(/numbers are refused/);
  });

  it('refuses float and int literals in the query text', () => {
    expect(badInput(() => Decimal.parseLiteral(floatLiteral('0.1'))).message).toBe(
      'Decimal must be written as a string',
    );
    expect(badInput(() => Decimal.parseLiteral(intLiteral('10'))).extensions.code).toBe('BAD_USER_INPUT');
  });

  it.each(['1e5', '1,50', 'abc', '', 'NaN', '12.'])('refuses the malformed string %j', (value) => {
    expect(badInput(() => Decimal.parseValue(value)).extensions.code).toBe('BAD_USER_INPUT');
  });

  it('serializes strings only, so a float from a resolver is a bug that surfaces', () => {
    expect(Decimal.serialize('12.30')).toBe('12.30');
    expect(() => Decimal.serialize(12.3)).toThrow(TypeError);
  });
});

describe('Date', () => {
  it.each(['2026-01-31', '2024-02-29', '2026-12-01'])('accepts the real date %s', (value) => {
    expect(DateScalar.parseValue(value)).toBe(value);
  });

  it.each([
    ['30 February', '2026-02-30'],
    ['29 February in a common year', '2026-02-29'],
    ['month 13', '2026-13-01'],
    ['day 00', '2026-01-00'],
    ['a date-time', '2026-01-31T00:00:00Z'],
    ['a local format', '31.01.2026'],
    ['no zero padding', '2026-1-5'],
  ])('refuses %s', (_label, value) => {
    expect(badInput(() => DateScalar.parseValue(value)).message).toBe('Date must be a real date YYYY-MM-DD');
  });

  it('refuses a non-string value', () => {
    expect(badInput(() => DateScalar.parseValue(20260131)).extensions.code).toBe('BAD_USER_INPUT');
  });

  it.each(['9999-12-31', '0001-01-01', '1899-12-31', '2101-01-01'])(
    'refuses %s, outside 1900-01-01..2100-12-31',
    (value) => {
      expect(badInput(() => DateScalar.parseValue(value)).message).toBe(
        'Date must be between 1900-01-01 and 2100-12-31',
      );
    },
  );

  it.each(['1900-01-01', '2100-12-31'])('accepts the range bound %s', (value) => {
    expect(DateScalar.parseValue(value)).toBe(value);
  });
});

describe('DateTime', () => {
  it.each(['2026-11-22T10:15:00Z', '2026-11-22T10:15:00.123Z', '2026-11-22T11:15:00+01:00'])(
    'accepts the instant %s',
    (value) => {
      expect(DateTime.parseValue(value)).toBe(value);
      expect(DateTime.parseLiteral(stringLiteral(value))).toBe(value);
    },
  );

  it.each([
    ['an instant without time zone', '2026-11-22T10:15:00'],
    ['a date only', '2026-11-22'],
    ['hour 25', '2026-11-22T25:00:00Z'],
    ['a space instead of T', '2026-11-22 10:15:00Z'],
  ])('refuses %s', (_label, value) => {
    expect(badInput(() => DateTime.parseValue(value)).message).toBe(
      'DateTime must be an ISO-8601 instant with time zone',
    );
  });
});
