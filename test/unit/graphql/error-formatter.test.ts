import { GraphQLError, type GraphQLFormattedError } from 'graphql';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatError } from '../../../functions/graphql/error-formatter.js';
import {
  ForbiddenError,
  ValidationFailedError,
  VersionConflictError,
} from '../../../functions/shared/errors.js';
import { logger } from '../../../functions/shared/logger.js';

/** What Apollo hands the formatter for an error thrown in a resolver: a located GraphQLError wrapping it. */
function fromResolver(error: Error): [GraphQLFormattedError, GraphQLError] {
  const wrapped = new GraphQLError(error.message, { path: ['updateBranch'], originalError: error });
  const formatted: GraphQLFormattedError = {
    message: error.message,
    locations: [{ line: 1, column: 12 }],
    path: ['updateBranch'],
    extensions: { code: 'INTERNAL_SERVER_ERROR', stacktrace: ['Error: at secret/file.ts:12'] },
  };
  return [formatted, wrapped];
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('formatError', () => {
  it('keeps a domain error message, code and details, with its location and path', () => {
    const [formatted, error] = fromResolver(new VersionConflictError('Branch', 'b1', 3));
    expect(formatError(formatted, error)).toEqual({
      message: 'Branch b1 is no longer at version 3: reload and retry',
      locations: [{ line: 1, column: 12 }],
      path: ['updateBranch'],
      extensions: { code: 'CONFLICT', entity: 'Branch', id: 'b1', expectedVersion: 3 },
    });
  });

  it('keeps the field errors of BAD_USER_INPUT', () => {
    const fieldErrors = [{ path: 'input.name', message: 'is required' }];
    const [formatted, error] = fromResolver(new ValidationFailedError('Invalid input', fieldErrors));
    expect(formatError(formatted, error).extensions).toEqual({ code: 'BAD_USER_INPUT', fieldErrors });
  });

  it('masks an unknown error as INTERNAL_SERVER_ERROR with a generic message, and logs it', () => {
    const log = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const internal = new Error('connect ECONNREFUSED 10.0.3.7:8000 table broker-crm-prod');
    const [formatted, error] = fromResolver(internal);
    const result = formatError(formatted, error);
    expect(result).toEqual({
      message: 'Internal server error',
      locations: [{ line: 1, column: 12 }],
      path: ['updateBranch'],
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
    expect(JSON.stringify(result)).not.toContain('ECONNREFUSED');
    expect(log).toHaveBeenCalledWith('Unhandled error in GraphQL operation', {
      error: internal,
      path: ['updateBranch'],
    });
  });

  it('masks a thrown non-Error value too', () => {
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const formatted: GraphQLFormattedError = { message: 'Unexpected error value: "boom"' };
    expect(formatError(formatted, 'boom')).toMatchObject({
      message: 'Internal server error',
      extensions: { code: 'INTERNAL_SERVER_ERROR' },
    });
  });

  it("passes GraphQL's own errors through without a stack trace", () => {
    const log = vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    const error = new GraphQLError('Cannot query field "secret" on type "Query".');
    const formatted: GraphQLFormattedError = {
      message: error.message,
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED', stacktrace: ['GraphQLError: at validate.js:1'] },
    };
    expect(formatError(formatted, error)).toEqual({
      message: 'Cannot query field "secret" on type "Query".',
      extensions: { code: 'GRAPHQL_VALIDATION_FAILED' },
    });
    expect(log).not.toHaveBeenCalled();
  });

  it('never returns a stack trace, whatever the error', () => {
    vi.spyOn(logger, 'error').mockImplementation(() => undefined);
    for (const thrown of [new ForbiddenError('no'), new TypeError('x is undefined')]) {
      const [formatted, error] = fromResolver(thrown);
      expect(JSON.stringify(formatError(formatted, error))).not.toMatch(/stacktrace|secret\/file/);
    }
  });
});
