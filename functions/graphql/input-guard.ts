import {
  type GraphQLArgument,
  type GraphQLInputType,
  type GraphQLSchema,
  isInputObjectType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
} from 'graphql';
import { type FieldError, ValidationFailedError } from '../shared/errors.js';
import { ID_MESSAGE, isId } from '../shared/input.js';

/**
 * Longest String any argument may carry, except file contents (fields ending in `Base64`, `csv`,
 * and a bank statement's `content`), which their module's model bounds. Per-field limits are tighter and live in the models;
 * this one keeps an unbounded string from ever reaching a service.
 */
export const MAX_STRING_ARGUMENT = 20_000;
const FILE_FIELD = /(Base64|^csv|^content)$/;

type Resolve = (parent: unknown, args: Record<string, unknown>, context: unknown, info: unknown) => unknown;

function check(type: GraphQLInputType, value: unknown, path: string, name: string, out: FieldError[]): void {
  if (value === null || value === undefined) return;
  if (isNonNullType(type)) {
    check(type.ofType, value, path, name, out);
    return;
  }
  if (isListType(type)) {
    const items = Array.isArray(value) ? value : [value];
    items.forEach((v, i) => {
      check(type.ofType, v, Array.isArray(value) ? `${path}.${i}` : path, name, out);
    });
    return;
  }
  if (isInputObjectType(type)) {
    for (const field of Object.values(type.getFields())) {
      check(
        field.type,
        (value as Record<string, unknown>)[field.name],
        `${path}.${field.name}`,
        field.name,
        out,
      );
    }
    return;
  }
  if (!isScalarType(type)) return;
  if (type.name === 'ID' && !isId(value)) out.push({ path, message: ID_MESSAGE });
  else if (
    type.name === 'String' &&
    typeof value === 'string' &&
    value.length > MAX_STRING_ARGUMENT &&
    !FILE_FIELD.test(name)
  ) {
    out.push({ path, message: `is too long (at most ${MAX_STRING_ARGUMENT} characters)` });
  }
}

/** Field errors for a field's arguments: ids of the wrong shape, strings beyond the global bound. */
export function argumentErrors(
  args: readonly GraphQLArgument[],
  values: Record<string, unknown>,
): FieldError[] {
  const out: FieldError[] = [];
  for (const arg of args) check(arg.type, values[arg.name], arg.name, arg.name, out);
  return out;
}

/**
 * Checks every argument of every field before its resolver runs: an id with `#`, `/`, empty or
 * longer than 100 characters, anywhere in the input, is refused as BAD_USER_INPUT with its field
 * path, so no service ever builds a key from it. Wraps, in place, the resolver of each field of the
 * executable schema that takes arguments (subscription fields are left as they are), so the SDL is
 * built once for both the schema and its argument types.
 */
export function guardSchemaArguments(schema: GraphQLSchema): GraphQLSchema {
  const subscription = schema.getSubscriptionType();
  for (const type of Object.values(schema.getTypeMap())) {
    if (!isObjectType(type) || type === subscription || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (field.args.length > 0 && field.resolve)
        field.resolve = guardResolver(field.args, field.resolve as Resolve);
    }
  }
  return schema;
}

function guardResolver(args: readonly GraphQLArgument[], resolve: Resolve): Resolve {
  return (parent, values, context, info) => {
    const errors = argumentErrors(args, values);
    if (errors.length > 0) {
      const [first] = errors;
      throw new ValidationFailedError(`Invalid input: ${first?.path} ${first?.message}`, errors);
    }
    return resolve(parent, values, context, info);
  };
}
