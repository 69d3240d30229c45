import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { DATE_RANGE_MESSAGE, isDateInRange } from '../shared/input.js';
import { DecimalStringSchema } from '../shared/money.js';

function badInput(message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: 'BAD_USER_INPUT' } });
}

function stringScalar(
  name: string,
  description: string,
  check: (value: string) => boolean,
  hint: string,
  inRange: (value: string) => boolean = () => true,
) {
  const parse = (value: unknown): string => {
    if (typeof value !== 'string' || !check(value)) throw badInput(`${name} ${hint}`);
    if (!inRange(value)) throw badInput(`${name} ${DATE_RANGE_MESSAGE}`);
    return value;
  };
  return new GraphQLScalarType({
    name,
    description,
    serialize: (value) => {
      if (typeof value !== 'string') throw new TypeError(`${name} must be serialized from a string`);
      return value;
    },
    parseValue: parse,
    parseLiteral: (ast: ValueNode) => {
      if (ast.kind !== Kind.STRING) throw badInput(`${name} must be written as a string`);
      return parse(ast.value);
    },
  });
}

const ISO_DATE = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

function isRealDate(value: string): boolean {
  if (!ISO_DATE.test(value)) return false;
  const d = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().startsWith(value);
}

/** Scalars shared by every module: exact decimals (strings, never floats), dates and instants. */
export const scalarResolvers = {
  Decimal: stringScalar(
    'Decimal',
    'An exact decimal number written as a string.',
    (v) => DecimalStringSchema.safeParse(v).success,
    'must be a decimal string such as "1234.50" (numbers are refused: they lose precision)',
  ),
  Date: stringScalar(
    'Date',
    'A calendar date YYYY-MM-DD.',
    isRealDate,
    'must be a real date YYYY-MM-DD',
    isDateInRange,
  ),
  DateTime: stringScalar(
    'DateTime',
    'An ISO-8601 instant with time zone.',
    (v) => ISO_DATE_TIME.test(v) && !Number.isNaN(Date.parse(v)),
    'must be an ISO-8601 instant with time zone',
    isDateInRange,
  ),
};
