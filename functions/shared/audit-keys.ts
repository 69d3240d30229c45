import { type ItemKey, seg, tenantPrefix } from './key-segments.js';

/**
 * Key builders of the audit trail and the tenant's role permissions, spread into `keys` by
 * table-design.ts: the code asks `keys`, never this file. Audit entries sort by time then id, so a
 * time window is one sort-key range on every one of their three lists.
 */
/** The sort key of an audit entry on every list: time, then the entry's id (ULID). */
export const auditSortKey = (at: string, id: string): string => `${seg(at)}#${seg(id)}`;

export const auditKeys = {
  /** One entity's audit entries (table): a partition per audited entity. */
  auditOfEntity: (tenantId: string, entityType: string, entityId: string) =>
    `${tenantPrefix(tenantId)}#AUDIT#${seg(entityType)}#${seg(entityId)}`,
  auditEntry: (tenantId: string, entityType: string, entityId: string, at: string, id: string): ItemKey => ({
    pk: auditKeys.auditOfEntity(tenantId, entityType, entityId),
    sk: auditSortKey(at, id),
  }),
  /** Entries by actor (a user id or `apikey:<id>`), gsi1. */
  auditOfActor: (tenantId: string, actorId: string) => `${tenantPrefix(tenantId)}#AUDIT_BY#${seg(actorId)}`,
  /** The tenant's whole trail by time, gsi2. */
  auditOfTenant: (tenantId: string) => `${tenantPrefix(tenantId)}#AUDIT_ALL`,
  /** The tenant's role-permission overrides: one item, versioned. */
  rolePermissions: (tenantId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#SETTINGS`,
    sk: 'ROLE_PERMISSIONS',
  }),
  /** The tenant's retention settings (GDPR): one item, versioned. */
  retentionSettings: (tenantId: string): ItemKey => ({
    pk: `${tenantPrefix(tenantId)}#SETTINGS`,
    sk: 'RETENTION',
  }),
} as const;
