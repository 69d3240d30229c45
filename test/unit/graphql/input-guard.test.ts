import { makeExecutableSchema } from '@graphql-tools/schema';
import { describe, expect, it } from 'vitest';
import { guardSchemaArguments, MAX_STRING_ARGUMENT } from '../../../functions/graphql/input-guard.js';
import { ValidationFailedError } from '../../../functions/shared/errors.js';

const typeDefs = `
  input LineInput { refId: ID, note: String }
  input Input { id: ID!, ids: [ID!], lines: [LineInput!], name: String, contentBase64: String }
  type Query { thing(input: Input!): String, plain: String }
`;

function guarded() {
  const calls: unknown[] = [];
  const schema = guardSchemaArguments(
    makeExecutableSchema({
      typeDefs,
      resolvers: {
        Query: { thing: (_p: unknown, args: unknown) => calls.push(args) && 'ok', plain: () => 'plain' },
      },
    }),
  );
  const thing = schema.getQueryType()?.getFields().thing?.resolve as unknown as (
    p: unknown,
    a: Record<string, unknown>,
    c: unknown,
    i: unknown,
  ) => unknown;
  return { thing, calls };
}

function refusal(call: () => unknown): ValidationFailedError {
  try {
    call();
  } catch (error) {
    if (error instanceof ValidationFailedError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('the argument guard', () => {
  it('refuses ids with a key separator, a slash, empty or too long, anywhere in the input, before the resolver runs', () => {
    const { thing, calls } = guarded();
    const error = refusal(() =>
      thing(
        null,
        { input: { id: 'a#b', ids: ['ok-1', 'a/b', ''], lines: [{ refId: 'x'.repeat(101) }] } },
        {},
        {},
      ),
    );
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.fieldErrors.map((f) => f.path)).toEqual([
      'input.id',
      'input.ids.1',
      'input.ids.2',
      'input.lines.0.refId',
    ]);
    expect(calls).toHaveLength(0);
  });

  it('bounds every string argument except file contents', () => {
    const { thing, calls } = guarded();
    const huge = 'x'.repeat(MAX_STRING_ARGUMENT + 1);
    expect(refusal(() => thing(null, { input: { id: 'a', name: huge } }, {}, {})).fieldErrors).toEqual([
      { path: 'input.name', message: `is too long (at most ${MAX_STRING_ARGUMENT} characters)` },
    ]);
    expect(thing(null, { input: { id: 'a', contentBase64: huge } }, {}, {})).toBe('ok');
    expect(calls).toHaveLength(1);
  });
});
