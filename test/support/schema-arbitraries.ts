import * as fc from 'fast-check';
import {
  buildSchema,
  type GraphQLField,
  type GraphQLInputType,
  GraphQLList,
  GraphQLNonNull,
  type GraphQLSchema,
  getNamedType,
  isEnumType,
  isInputObjectType,
  isLeafType,
  isListType,
  isNonNullType,
  isScalarType,
} from 'graphql';
import { typeDefs } from '../../functions/graphql/__generated__/type-defs.js';

/** The schema as served, built from the same SDL (no resolvers needed to read its input types). */
export function servedSchema(): GraphQLSchema {
  return buildSchema(typeDefs);
}

/**
 * Strings a hostile caller sends: key separators, path characters, empty and blank values, huge
 * lengths, control characters, unicode outside the BMP, spreadsheet formulas and JSON-ish text.
 */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    '',
    ' ',
    '#',
    'a#b',
    'T#other#CLIENT#x',
    '/',
    '../x',
    'a/b',
    '\u0000',
    '\t\r\n',
    '=HYPERLINK("http://x","y")',
    '+1',
    '@SUM(A1)',
    '👩‍👩‍👧‍👦💥',
    'Ω≈ç√∫',
    '{"a":1}',
    '__proto__',
    '9999-12-31',
    '-1',
    'NaN',
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('x'.repeat(1_025), 'y'.repeat(5_000), `${'z'.repeat(100_000)}@example.com`),
);

const hostileDecimal = fc.constantFrom(
  '0',
  '0.001',
  '-0.01',
  '1',
  '100.50',
  '999999999999999',
  '-999999999999999.9999999999',
  '123456789012345.12',
  '0.0000000001',
);

const hostileDate = fc.constantFrom(
  '2026-01-15',
  '2026-12-31',
  '9999-12-31',
  '0001-01-01',
  '1899-12-31',
  '2100-12-31',
  '2101-01-01',
  '2024-02-29',
);

const hostileDateTime = fc.constantFrom(
  '2026-01-15T09:00:00Z',
  '9999-12-31T23:59:59Z',
  '0001-01-01T00:00:00Z',
  '2026-01-15T09:00:00.123456789+14:00',
);

const hostileInt = fc.oneof(
  fc.constantFrom(0, -1, 1, 2_147_483_647, -2_147_483_648, 100, 101),
  fc.integer({ min: -5, max: 200 }),
);

const hostileFloat = fc.constantFrom(0, -1, 0.1, 1e308, -1e-308, 100);

export interface ArbitraryContext {
  /** Ids that exist in the test tenant (so some generated inputs reach deep into the services). */
  knownIds: readonly string[];
  /** Currencies the arbitraries use where a field is called `currency`. */
  currencies?: readonly string[];
}

function idArbitrary(ctx: ArbitraryContext): fc.Arbitrary<string> {
  return ctx.knownIds.length > 0
    ? fc.oneof(
        { weight: 3, arbitrary: fc.constantFrom(...ctx.knownIds) },
        { weight: 2, arbitrary: hostileString },
      )
    : hostileString;
}

function stringFor(fieldName: string, ctx: ArbitraryContext): fc.Arbitrary<string> {
  if (/currency$/i.test(fieldName)) {
    return fc.oneof(fc.constantFrom(...(ctx.currencies ?? ['EUR', 'CZK', 'JPY', 'BHD'])), hostileString);
  }
  if (/base64$/i.test(fieldName)) {
    return fc.oneof(
      fc.constantFrom('', '!!!not base64!!!', 'AAAA', Buffer.from('externalId\nx#1\n').toString('base64')),
      hostileString,
    );
  }
  if (/period$/i.test(fieldName))
    return fc.oneof(fc.constantFrom('2026-01', '9999-12', '0000-00'), hostileString);
  return hostileString;
}

/**
 * An arbitrary of values for a GraphQL input type, derived from the schema: scalars from hostile
 * pools, enums from their values, input objects with each optional field sometimes left out, lists
 * of 0–3 items. `depth` bounds recursion through self-referencing input types.
 */
export function valueFor(
  type: GraphQLInputType,
  ctx: ArbitraryContext,
  fieldName = '',
  depth = 0,
): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) return valueFor(type.ofType, ctx, fieldName, depth);
  if (isListType(type)) {
    if (depth > 4) return fc.constant([]);
    return fc.array(valueFor(type.ofType, ctx, fieldName, depth + 1), { maxLength: 3 });
  }
  if (isEnumType(type)) return fc.constantFrom(...type.getValues().map((v) => v.name));
  if (isInputObjectType(type)) {
    if (depth > 4) return fc.constant({});
    const fields = Object.values(type.getFields());
    const required = Object.fromEntries(
      fields
        .filter((f) => isNonNullType(f.type))
        .map((f) => [f.name, valueFor(f.type, ctx, f.name, depth + 1)]),
    );
    const optional = Object.fromEntries(
      fields
        .filter((f) => !isNonNullType(f.type))
        .map((f) => [
          f.name,
          fc.oneof(fc.constant(null), valueFor(f.type, ctx, f.name, depth + 1)) as fc.Arbitrary<unknown>,
        ]),
    );
    return fc.record({ ...required, ...optional }, { requiredKeys: Object.keys(required) });
  }
  if (isScalarType(type)) {
    switch (type.name) {
      case 'ID':
        return idArbitrary(ctx);
      case 'String':
        return stringFor(fieldName, ctx);
      case 'Int':
        return hostileInt;
      case 'Float':
        return hostileFloat;
      case 'Boolean':
        return fc.boolean();
      case 'Decimal':
        return fc.oneof(hostileDecimal, hostileString);
      case 'Date':
        return hostileDate;
      case 'DateTime':
        return hostileDateTime;
      default:
        return hostileString;
    }
  }
  return fc.constant(null);
}

function typeString(type: GraphQLInputType): string {
  if (type instanceof GraphQLNonNull) return `${typeString(type.ofType)}!`;
  if (type instanceof GraphQLList) return `[${typeString(type.ofType)}]`;
  return type.name;
}

/**
 * The operation text that calls one root field with every argument as a variable, selecting
 * `__typename` only (so what is tested is the input path, not the output's selection).
 */
export function operationFor(kind: 'mutation' | 'query', field: GraphQLField<unknown, unknown>): string {
  const defs = field.args.map((a) => `$${a.name}: ${typeString(a.type)}`).join(', ');
  const args = field.args.map((a) => `${a.name}: $${a.name}`).join(', ');
  const selection = isLeafType(getNamedType(field.type)) ? '' : ' { __typename }';
  return `${kind} Probe${defs ? `(${defs})` : ''} { ${field.name}${args ? `(${args})` : ''}${selection} }`;
}

/** Variables for one root field, every argument generated from its type. */
export function variablesFor(
  field: GraphQLField<unknown, unknown>,
  ctx: ArbitraryContext,
): fc.Arbitrary<Record<string, unknown>> {
  const args = Object.fromEntries(field.args.map((a) => [a.name, valueFor(a.type, ctx, a.name)]));
  const required = field.args.filter((a) => isNonNullType(a.type)).map((a) => a.name);
  return fc.record(args, { requiredKeys: required }) as fc.Arbitrary<Record<string, unknown>>;
}
