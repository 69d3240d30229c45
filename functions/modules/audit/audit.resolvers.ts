import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';
import { auditEntityTypeName } from './audit.service.js';

/** The audit trail (admins), with each entry's images as JSON and the fields that changed. */
export const auditResolvers: Resolvers = {
  Query: {
    auditTrail: async (_root, args, { principal, services }) =>
      toConnection(await services.audit.trail.trail(principal, args.filter, pageArgs(args))),
  },
  AuditEntry: {
    entityType: (entry) => auditEntityTypeName(entry.entityType) as never,
    before: (entry) => (entry.before ? JSON.stringify(entry.before) : null),
    after: (entry) => (entry.after ? JSON.stringify(entry.after) : null),
    changedFields: (entry) => changedFields(entry.before, entry.after),
  },
};

function changedFields(
  before: Record<string, unknown> | null,
  after: Record<string, unknown> | null,
): string[] {
  const names = new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})]);
  return [...names].filter((n) => JSON.stringify(before?.[n]) !== JSON.stringify(after?.[n])).sort();
}
