import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import type { Page } from '../../shared/db.js';
import { NotFoundError, ValidationFailedError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { OrgKind } from '../../shared/table-design.js';
import type { OrgRepository } from './org.repository.js';

type PageRequest = { limit: number; cursor: string | null };

/**
 * What the org services share: the clock's stamps, org entities read by kind within the caller's
 * tenant, and the references an input names.
 */
export class OrgEntities {
  constructor(
    private readonly repo: OrgRepository,
    private readonly clock: Clock,
  ) {}

  now(): string {
    return this.clock.now().toISOString();
  }

  stamp(): { id: string; version: number; createdAt: string; updatedAt: string } {
    const now = this.now();
    return { id: newId(), version: 1, createdAt: now, updatedAt: now };
  }

  async getOrThrow<T>(tenantId: string, kind: OrgKind, id: string, entity: string): Promise<T> {
    const found = await this.repo.getOrgEntity<T>(tenantId, kind, id);
    if (!found) throw new NotFoundError(entity, id);
    return found;
  }

  async find<T>(principal: Principal | null, kind: OrgKind, id: string): Promise<T | null> {
    const p = authorize(principal, 'org:read');
    return (await this.repo.getOrgEntity<T>(p.tenantId, kind, id)) ?? null;
  }

  async list<T>(
    principal: Principal | null,
    kind: OrgKind,
    page: PageRequest,
    filter?: Record<string, string>,
  ): Promise<Page<T>> {
    const p = authorize(principal, 'org:read');
    return this.repo.listOrgEntities<T>(p.tenantId, kind, page, filter);
  }

  /** Org entities by id within the caller's tenant, for resolving references without N+1 reads. */
  async getMany<T>(principal: Principal | null, kind: OrgKind, ids: string[]): Promise<T[]> {
    const p = authorize(principal, 'org:read');
    return this.repo.getOrgEntities<T>(p.tenantId, kind, ids);
  }

  async requireReference(tenantId: string, kind: OrgKind, id: string, path: string, what: string) {
    const found = await this.repo.getOrgEntity(tenantId, kind, id);
    if (!found) {
      throw new ValidationFailedError(`Unknown ${what} ${id}`, [
        { path, message: `is not a ${what} of this brokerage` },
      ]);
    }
  }
}

/** Drops keys whose value is undefined, so a partial update leaves unspecified fields alone. */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
