/**
 * The audit module's public entry: reading the audit trail. Entries are written by the data layer
 * with each change (functions/shared/audit.ts), so no module calls this one to record anything.
 */
import type { Db } from '../../shared/db.js';
import { AuditRepository } from './audit.repository.js';
import { AuditService } from './audit.service.js';

export type { AuditEntry } from './audit.model.js';
export type { AuditService } from './audit.service.js';

/** The audit module's services. */
export interface AuditModule {
  trail: AuditService;
}

export function createAuditModule(deps: { db: Db }): AuditModule {
  return { trail: new AuditService(new AuditRepository(deps.db)) };
}
