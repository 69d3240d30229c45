import {
  buildSchema,
  type GraphQLArgument,
  type GraphQLEnumValue,
  type GraphQLField,
  type GraphQLInputField,
  type GraphQLNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isIntrospectionType,
  isObjectType,
  isSpecifiedScalarType,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { typeDefs } from '../../../functions/graphql/__generated__/type-defs.js';

type Described =
  | GraphQLNamedType
  | GraphQLField<unknown, unknown>
  | GraphQLInputField
  | GraphQLArgument
  | GraphQLEnumValue;

/**
 * The schema lint: every type, field, argument and enum value of the public schema (built from
 * schema/*.graphql, as the server serves it) says what it is for. A description that only repeats
 * the name (`userId: "User id."`) does not count.
 */
function* elements(): Generator<[string, Described]> {
  const schema = buildSchema(typeDefs);
  for (const type of Object.values(schema.getTypeMap())) {
    if (isIntrospectionType(type) || isSpecifiedScalarType(type)) continue;
    yield [type.name, type];
    if (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) {
      for (const field of Object.values(type.getFields())) {
        yield [`${type.name}.${field.name}`, field];
        for (const arg of 'args' in field ? field.args : [])
          yield [`${type.name}.${field.name}(${arg.name}:)`, arg];
      }
    }
    if (isEnumType(type)) for (const value of type.getValues()) yield [`${type.name}.${value.name}`, value];
  }
}

const words = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim();
const nameWords = (name: string) => words(name.replace(/([a-z])([A-Z])/g, '$1 $2').replace(/_/g, ' '));

describe('the public schema', () => {
  const all = [...elements()];

  it('describes every type, field, argument and enum value', () => {
    expect(all.length).toBeGreaterThan(1500);
    expect(all.filter(([, e]) => !e.description?.trim()).map(([coordinate]) => coordinate)).toEqual([]);
  });

  it('has no description that only restates the name', () => {
    const restated = all.filter(([, e]) => e.description && words(e.description) === nameWords(e.name));
    expect(restated.map(([coordinate]) => coordinate)).toEqual([]);
  });

  it('gives every deprecation a reason that names what to use instead', () => {
    const deprecated = all.filter(([, e]) => 'deprecationReason' in e && e.deprecationReason);
    expect(deprecated.map(([c]) => c)).toContain('PolicyListFilter.advisorId');
    for (const [coordinate, e] of deprecated) {
      expect('deprecationReason' in e && e.deprecationReason, coordinate).toMatch(/^Use \w+/);
    }
  });
});
