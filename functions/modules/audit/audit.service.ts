import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Page } from '../../shared/db.js';
import { parseInput } from '../../shared/validation.js';
import { AUDIT_ENTITY_TYPES, type AuditEntry, AuditFilterSchema } from './audit.model.js';
import type { AuditRepository } from './audit.repository.js';

/** The audit trail, read by admins per entity, per actor or tenant-wide, within a time window. */
export class AuditService {
  constructor(private readonly repo: AuditRepository) {}

  async trail(
    principal: Principal | null,
    filter: unknown,
    page: { limit: number; cursor: string | null },
  ): Promise<Page<AuditEntry>> {
    const p = authorize(principal, 'audit:read');
    const f = parseInput(AuditFilterSchema, filter ?? {}, 'filter');
    const entityType = f.entityType ? AUDIT_ENTITY_TYPES[f.entityType] : undefined;
    return this.repo.listAudit(
      p.tenantId,
      {
        ...(entityType && f.entityId ? { entity: { type: entityType, id: f.entityId } } : {}),
        ...(entityType ? { entityType } : {}),
        ...(f.actorId ? { actorId: f.actorId } : {}),
        from: f.from ?? null,
        to: f.to ?? null,
      },
      page,
    );
  }
}

/** The API's name of a stored entity type. */
export function auditEntityTypeName(entityType: string): string {
  const found = Object.entries(AUDIT_ENTITY_TYPES).find(([, stored]) => stored === entityType);
  return found ? found[0] : entityType;
}
