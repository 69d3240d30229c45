import { unwrapResolverError } from '@apollo/server/errors';
import type { GraphQLFormattedError } from 'graphql';
import { GraphQLError } from 'graphql';
import { isDomainError } from '../shared/errors.js';
import { logger } from '../shared/logger.js';

/**
 * The one error formatter. Domain errors expose their stable code and safe details; GraphQL's own
 * errors (syntax, validation, variable coercion) pass through; anything else is logged with its
 * stack and masked as INTERNAL_SERVER_ERROR so no internals reach a client.
 */
export function formatError(formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError {
  const original = unwrapResolverError(error);
  const base = { locations: formatted.locations, path: formatted.path };
  if (isDomainError(original)) {
    return { ...base, message: original.message, extensions: { code: original.code, ...original.details } };
  }
  // Variable coercion (e.g. a Date scalar refusing "2026-02-30") wraps the scalar's own GraphQLError:
  // its message names the variable path and is safe, so it passes as BAD_USER_INPUT.
  const coercion = original instanceof GraphQLError && original.originalError instanceof GraphQLError;
  if (original instanceof GraphQLError && (!original.originalError || coercion)) {
    const { stacktrace: _stacktrace, ...extensions } = formatted.extensions ?? {};
    return { ...formatted, extensions };
  }
  logger.error('Unhandled error in GraphQL operation', { error: original as Error, path: formatted.path });
  return { ...base, message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } };
}
