/**
 * Domain errors. Each carries a stable SCREAMING_SNAKE `code` that clients may rely on (the README
 * lists them). Only errors that extend {@link DomainError} ever reach a client; anything else is
 * masked as INTERNAL_SERVER_ERROR by the one formatter in `functions/graphql/error-formatter.ts`
 * and by the webhook's problem-details mapper.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  /** HTTP status used where the error leaves through a plain HTTP endpoint (webhooks). */
  abstract readonly httpStatus: number;
  /** Extra, client-safe details placed in GraphQL `extensions` / problem details. */
  readonly details: Record<string, unknown>;

  constructor(message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.details = details;
  }
}

/** One invalid input field, with the path a form can highlight. */
export interface FieldError {
  path: string;
  message: string;
}

export class UnauthenticatedError extends DomainError {
  readonly code = 'UNAUTHENTICATED';
  readonly httpStatus = 401;
}

export class ForbiddenError extends DomainError {
  readonly code = 'FORBIDDEN';
  readonly httpStatus = 403;
}

export class ValidationFailedError extends DomainError {
  readonly code = 'BAD_USER_INPUT';
  readonly httpStatus = 400;
  readonly fieldErrors: FieldError[];

  constructor(message: string, fieldErrors: FieldError[]) {
    super(message, { fieldErrors });
    this.fieldErrors = fieldErrors;
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
  readonly httpStatus = 404;

  constructor(entity: string, id: string) {
    super(`${entity} ${id} was not found`, { entity, id });
  }
}

/** Optimistic locking: the item changed since the client read it. */
export class VersionConflictError extends DomainError {
  readonly code = 'CONFLICT';
  readonly httpStatus = 409;

  constructor(entity: string, id: string, expectedVersion: number) {
    super(`${entity} ${id} is no longer at version ${expectedVersion}: reload and retry`, {
      entity,
      id,
      expectedVersion,
    });
  }
}

/** A value that must be unique within the tenant (national id, policy number…) is taken. */
export class AlreadyExistsError extends DomainError {
  readonly code = 'ALREADY_EXISTS';
  readonly httpStatus = 409;

  constructor(entity: string, field: string, value?: string) {
    super(`${entity} with this ${field} already exists`, {
      entity,
      field,
      ...(value === undefined ? {} : { value }),
    });
  }
}

/** A request is well-formed but breaks a domain rule (e.g. moving a user under their own report). */
export class RuleViolationError extends DomainError {
  readonly code = 'RULE_VIOLATION';
  readonly httpStatus = 422;
}

/**
 * A caller (an API key, a partner's portal leads) spent its requests for the current window: retry
 * after `retryAfterSeconds`.
 */
export class RateLimitedError extends DomainError {
  readonly code = 'RATE_LIMITED';
  readonly httpStatus = 429;

  constructor(
    readonly retryAfterSeconds: number,
    what = 'requests for this API key',
  ) {
    super(`Too many ${what}: retry after ${retryAfterSeconds} s`, { retryAfterSeconds });
  }
}

/** A cursor that was not issued for this list (tampered, or from another list or tenant). */
export class InvalidCursorError extends DomainError {
  readonly code = 'INVALID_CURSOR';
  readonly httpStatus = 400;

  constructor() {
    super('The pagination cursor is not valid for this list');
  }
}

/** True for errors whose message and code may be shown to a client. */
export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
