import { authorize, canReach, mayOwnClients } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import type { TransactOp } from '../../shared/db.js';
import { ForbiddenError, NotFoundError, ValidationFailedError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { KeyedRead } from '../../shared/items.js';
import { OrgKind } from '../../shared/table-design.js';
import type { UniqueField } from '../../shared/unique-fields.js';
import type { Branch, User } from '../org/index.js';
import type { Client, TimelineEntry, TimelineKind } from './clients.model.js';
import type { ClientsRepository } from './clients.repository.js';
import type { ClientOrgDirectory } from './ports.js';

/**
 * What every client service and the policies module share: reading a client within the principal's
 * scope, the references a client names, and the timeline entries and status ops written beside
 * other records.
 */
export class ClientBook {
  constructor(
    private readonly repo: ClientsRepository,
    private readonly org: ClientOrgDirectory,
    private readonly clock: Clock,
  ) {}

  now(): string {
    return this.clock.now().toISOString();
  }

  /** A timeline entry; ids are ULIDs so entries of every kind sort by time. */
  entry(
    clientId: string,
    kind: TimelineKind,
    by: string,
    summary: string,
    extra: Partial<TimelineEntry> = {},
  ): TimelineEntry {
    return {
      id: newId(),
      clientId,
      kind,
      at: this.now(),
      by,
      summary,
      noteKind: null,
      text: null,
      fromStatus: null,
      toStatus: null,
      reason: null,
      policyId: null,
      ...extra,
    };
  }
  /** Reads a client the principal may see; NOT_FOUND both when missing and when in another tenant. */
  async requireClient(principal: Principal, clientId: string): Promise<Client> {
    const client = await this.repo.getClient(principal.tenantId, clientId);
    if (!client) throw new NotFoundError('Client', clientId);
    this.assertCanSee(principal, client);
    return client;
  }

  /** {@link requireClient} as a read to batch with other modules' items (same checks, in the same order). */
  clientRead(principal: Principal, clientId: string): KeyedRead<Client> {
    const read = this.repo.clientRead(principal.tenantId, clientId);
    return {
      key: read.key,
      decode: (item) => {
        const client = read.decode(item);
        if (!client) throw new NotFoundError('Client', clientId);
        this.assertCanSee(principal, client);
        return client;
      },
    };
  }

  /** A client by id with no scope check (the caller checked the policy or record it reached it by). */
  getClient(tenantId: string, clientId: string): Promise<Client | undefined> {
    return this.repo.getClient(tenantId, clientId);
  }

  /** The client holding a unique value (national id, tax id, email, external id), if any. */
  ownerOfUnique(tenantId: string, field: UniqueField, value: string): Promise<string | undefined> {
    return this.repo.ownerOfUnique(tenantId, field, value);
  }

  /** Whether the principal reaches this client: by scope, or through the pool of their own branch. */
  canSee(principal: Principal, client: Client): boolean {
    if (client.inPool && principal.branchId === client.branchId) return true;
    return canReach(principal, {
      ownerUserId: client.ownerAdvisorId,
      branchId: client.branchId,
      regionId: client.regionId,
    });
  }

  assertCanSee(principal: Principal, client: Client): void {
    if (!this.canSee(principal, client)) throw new ForbiddenError('This client is outside your scope');
  }

  /** A client for a principal allowed to read the book: null when missing, refused when out of scope. */
  async readClient(principal: Principal | null, clientId: string): Promise<Client | null> {
    const p = authorize(principal, 'book:read');
    const client = await this.repo.getClient(p.tenantId, clientId);
    if (!client) return null;
    this.assertCanSee(p, client);
    return client;
  }

  /** The op writing a timeline entry of a client, beside the write it records. */
  timelineOp(
    tenantId: string,
    clientId: string,
    kind: TimelineKind,
    by: string,
    summary: string,
    extra: Partial<TimelineEntry> = {},
  ): TransactOp {
    return this.repo.timelineOp(tenantId, this.entry(clientId, kind, by, summary, extra));
  }

  /** The versioned op moving a client to a status (e.g. ACTIVE once a policy is in force). */
  statusOp(tenantId: string, client: Client, status: Client['status']): TransactOp {
    return this.repo.updateClientOp(tenantId, client, client.version, { status, updatedAt: this.now() });
  }

  /** An active advisor or manager who may own clients. */
  async requireAdvisor(tenantId: string, userId: string, path: string): Promise<User> {
    const user = await this.org.getOrgEntity<User>(tenantId, OrgKind.User, userId);
    if (!user?.active || !mayOwnClients(user.role)) {
      throw new ValidationFailedError(`Unknown advisor ${userId}`, [
        { path, message: 'is not an active advisor or manager of this brokerage' },
      ]);
    }
    return user;
  }

  async requireBranch(tenantId: string, branchId: string | null, path: string): Promise<Branch> {
    const branch = branchId ? await this.branch(tenantId, branchId) : undefined;
    if (!branch)
      throw new ValidationFailedError('The advisor has no branch', [{ path, message: 'has no branch' }]);
    return branch;
  }

  branch(tenantId: string, branchId: string): Promise<Branch | undefined> {
    return this.org.getOrgEntity<Branch>(tenantId, OrgKind.Branch, branchId);
  }

  user(tenantId: string, userId: string): Promise<User | undefined> {
    return this.org.getOrgEntity<User>(tenantId, OrgKind.User, userId);
  }

  async requireReference(tenantId: string, kind: OrgKind, id: string, path: string, what: string) {
    if (!(await this.org.getOrgEntity(tenantId, kind, id))) {
      throw new ValidationFailedError(`Unknown ${what} ${id}`, [
        { path, message: `is not a ${what} of this brokerage` },
      ]);
    }
  }
}
