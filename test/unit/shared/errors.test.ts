import { describe, expect, it } from 'vitest';
import {
  AlreadyExistsError,
  type DomainError,
  ForbiddenError,
  InvalidCursorError,
  isDomainError,
  NotFoundError,
  RuleViolationError,
  UnauthenticatedError,
  ValidationFailedError,
  VersionConflictError,
} from '../../../functions/shared/errors.js';

describe('domain errors', () => {
  const cases: Array<[DomainError, string, number, string]> = [
    [new UnauthenticatedError('sign in'), 'UNAUTHENTICATED', 401, 'UnauthenticatedError'],
    [new ForbiddenError('no'), 'FORBIDDEN', 403, 'ForbiddenError'],
    [new ValidationFailedError('bad', []), 'BAD_USER_INPUT', 400, 'ValidationFailedError'],
    [new NotFoundError('Branch', 'b1'), 'NOT_FOUND', 404, 'NotFoundError'],
    [new VersionConflictError('Branch', 'b1', 3), 'CONFLICT', 409, 'VersionConflictError'],
    [new AlreadyExistsError('User', 'email'), 'ALREADY_EXISTS', 409, 'AlreadyExistsError'],
    [new RuleViolationError('cycle'), 'RULE_VIOLATION', 422, 'RuleViolationError'],
    [new InvalidCursorError(), 'INVALID_CURSOR', 400, 'InvalidCursorError'],
  ];

  it.each(cases)('%o carries code %s, HTTP status %d and its class name', (error, code, status, name) => {
    expect(error.code).toBe(code);
    expect(error.httpStatus).toBe(status);
    expect(error.name).toBe(name);
    expect(error).toBeInstanceOf(Error);
    expect(isDomainError(error)).toBe(true);
  });

  it('gives every error kind its own code, so two 409s are still told apart', () => {
    const codes = cases.map(([e]) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('puts client-safe details on NOT_FOUND and CONFLICT', () => {
    expect(new NotFoundError('Branch', 'b1')).toMatchObject({
      message: 'Branch b1 was not found',
      details: { entity: 'Branch', id: 'b1' },
    });
    expect(new VersionConflictError('Tenant', 't1', 2)).toMatchObject({
      message: 'Tenant t1 is no longer at version 2: reload and retry',
      details: { entity: 'Tenant', id: 't1', expectedVersion: 2 },
    });
  });

  it('includes the clashing value in ALREADY_EXISTS details only when given', () => {
    expect(new AlreadyExistsError('User', 'email').details).toEqual({ entity: 'User', field: 'email' });
    expect(new AlreadyExistsError('User', 'email', 'a@b.cz').details).toEqual({
      entity: 'User',
      field: 'email',
      value: 'a@b.cz',
    });
  });

  it('keeps the cause of a wrapped error', () => {
    const cause = new Error('jwt expired');
    expect(new UnauthenticatedError('expired', {}, { cause }).cause).toBe(cause);
  });

  it('does not treat plain errors or error-shaped objects as domain errors', () => {
    expect(isDomainError(new Error('boom'))).toBe(false);
    expect(isDomainError({ code: 'FORBIDDEN', message: 'x' })).toBe(false);
    expect(isDomainError(undefined)).toBe(false);
  });
});
