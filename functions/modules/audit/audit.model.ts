import * as z from 'zod';
import { IdSchema } from '../../shared/input.js';
import { EntityType } from '../../shared/table-design.js';

/** The API's names of audited entity types, and the entity types they stand for. */
export const AUDIT_ENTITY_TYPES = {
  CLIENT: EntityType.Client,
  POLICY: EntityType.Policy,
  COMMISSION_SCHEME: EntityType.CommissionScheme,
  COMMISSION_LINE: EntityType.CommissionLine,
  COMMISSION_PERIOD: EntityType.CommissionPeriod,
  USER: EntityType.User,
  API_KEY: EntityType.ApiKey,
  ROLE_PERMISSIONS: EntityType.RolePermissions,
} as const;
export type AuditEntityTypeName = keyof typeof AUDIT_ENTITY_TYPES;

/** One audit entry as stored: who changed which entity, when, under which request, from what to what. */
export interface AuditEntry {
  id: string;
  entityType: string;
  entityId: string;
  action: 'CREATED' | 'UPDATED' | 'DELETED';
  actorId: string;
  actorKind: 'USER' | 'API_KEY';
  requestId: string | null;
  at: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

const InstantSchema = z.iso.datetime({ offset: true }).transform((v) => new Date(v).toISOString());

export const AuditFilterSchema = z
  .object({
    entityType: z
      .enum(Object.keys(AUDIT_ENTITY_TYPES) as [AuditEntityTypeName, ...AuditEntityTypeName[]])
      .nullish(),
    entityId: IdSchema.nullish(),
    actorId: IdSchema.nullish(),
    from: InstantSchema.nullish(),
    to: InstantSchema.nullish(),
  })
  .refine((f) => !f.entityId || f.entityType, { path: ['entityType'], message: 'is required with entityId' })
  .refine((f) => !f.from || !f.to || f.from <= f.to, { path: ['to'], message: 'must not be before from' });
export type AuditFilter = z.output<typeof AuditFilterSchema>;
