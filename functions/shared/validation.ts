import type * as z from 'zod';
import { type FieldError, ValidationFailedError } from './errors.js';

/** Turns zod issues into field errors whose paths a client can map onto its form. */
export function fieldErrorsOf(error: z.ZodError, prefix?: string): FieldError[] {
  return error.issues.map((issue) => ({
    path: [prefix, ...issue.path.map(String)].filter((p) => p !== undefined && p !== '').join('.'),
    message: issue.message,
  }));
}

/**
 * Parses input with a zod schema or throws {@link ValidationFailedError} with every field error,
 * so a client sees all problems at once (`extensions.fieldErrors[].path` like `input.email`).
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix = 'input'): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) {
    const fieldErrors = fieldErrorsOf(result.error, prefix);
    const first = fieldErrors[0];
    throw new ValidationFailedError(
      first ? `Invalid input: ${first.path} ${first.message}` : 'Invalid input',
      fieldErrors,
    );
  }
  return result.data;
}
