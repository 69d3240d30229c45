import { describe, expect, it } from 'vitest';
import * as z from 'zod';
import { ValidationFailedError } from '../../../functions/shared/errors.js';
import { fieldErrorsOf, parseInput } from '../../../functions/shared/validation.js';

const ContactSchema = z.object({
  email: z.email('must be an e-mail address'),
  address: z.object({ zip: z.string().regex(/^\d{5}$/, 'must be five digits') }),
  tags: z.array(z.string().min(1, 'is required')),
});

function failure(value: unknown, prefix?: string): ValidationFailedError {
  try {
    parseInput(ContactSchema, value, prefix);
  } catch (error) {
    if (error instanceof ValidationFailedError) return error;
    throw error;
  }
  throw new Error('parseInput accepted invalid input');
}

describe('parseInput', () => {
  it('returns the parsed value when the input is valid', () => {
    const value = { email: 'a@b.cz', address: { zip: '60200' }, tags: ['vip'] };
    expect(parseInput(ContactSchema, value)).toEqual(value);
  });

  it('throws BAD_USER_INPUT listing every invalid field with paths prefixed by input', () => {
    const error = failure({ email: 'nope', address: { zip: '12' }, tags: ['ok', ''] });
    expect(error.code).toBe('BAD_USER_INPUT');
    expect(error.httpStatus).toBe(400);
    expect(error.fieldErrors).toEqual([
      { path: 'input.email', message: 'must be an e-mail address' },
      { path: 'input.address.zip', message: 'must be five digits' },
      { path: 'input.tags.1', message: 'is required' },
    ]);
    expect(error.details).toEqual({ fieldErrors: error.fieldErrors });
  });

  it('names the first invalid field in the message', () => {
    expect(failure({ email: 'x', address: { zip: '60200' }, tags: [] }).message).toBe(
      'Invalid input: input.email must be an e-mail address',
    );
  });

  it('uses another prefix when asked, and none when the prefix is empty', () => {
    const bad = { email: 'x', address: { zip: '60200' }, tags: [] };
    expect(failure(bad, 'filter').fieldErrors[0]?.path).toBe('filter.email');
    expect(failure(bad, '').fieldErrors[0]?.path).toBe('email');
  });
});

describe('fieldErrorsOf', () => {
  it('maps a root-level issue onto the prefix alone', () => {
    const result = z.string().safeParse(1);
    expect(result.success).toBe(false);
    if (result.success) return;
    expect(fieldErrorsOf(result.error, 'input').map((e) => e.path)).toEqual(['input']);
  });
});
