import {
  assertReach,
  authorize,
  canReach,
  canReleaseToPool,
  type ReachAttributes,
  scopeFilter,
} from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import type { Page } from '../../shared/db.js';
import {
  ForbiddenError,
  NotFoundError,
  RuleViolationError,
  ValidationFailedError,
} from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { Money } from '../../shared/money.js';
import { keys, OrgKind } from '../../shared/table-design.js';
import { parseInput } from '../../shared/validation.js';
import { OPEN_STATUSES } from '../invoices/invoices.model.js';
import type { Branch, User } from '../org/org.model.js';
import type { OrgRepository } from '../org/org.repository.js';
import type { PoliciesRepository } from '../policies/policies.repository.js';
import {
  AddContactSchema,
  AddNoteSchema,
  ChangeClientStatusSchema,
  type Client,
  ClientListFilterSchema,
  type ClientStatus,
  type Contact,
  CreateClientSchema,
  PoolClientSchema,
  RecordConsentSchema,
  STATUS_TRANSITIONS,
  sortNameOf,
  TakeFromPoolSchema,
  type TimelineEntry,
  type TimelineKind,
  TransferBookSchema,
  TransferClientSchema,
  UpdateClientSchema,
} from './clients.model.js';
import type { ClientCardItems, ClientsRepository, UniqueValue } from './clients.repository.js';

type PageRequest = { limit: number; cursor: string | null };

/** The client card: what one Query on the client's collection returns, shaped for the API. */
export interface ClientCard extends ClientCardItems {
  /** Filled by the tasks and invoices modules when they land; empty until then. */
  openTasks: never[];
  openInvoices: CardInvoice[];
}

/** An open invoice as the card shows it. */
export interface CardInvoice {
  id: string;
  number: string;
  dueDate: string;
  outstanding: Money;
}

/** What partners may know of a client they referred: no personal or financial data at all. */
export interface ReferredClient {
  id: string;
  status: ClientStatus;
  segment: string;
  createdAt: string;
}

/** Where a client sits, for list scope filters. */
const CLIENT_REACH: ReachAttributes = { owner: 'ownerAdvisorId', branch: 'branchId', region: 'regionId' };

/** Transaction ops per client transfer: the client, its timeline entry, and its policies. */
const MAX_POLICIES_PER_TRANSFER = 97;

/**
 * The client book's rules: creating people and companies with unique ids, the lifecycle status
 * workflow, consents, contacts and notes, the card and timeline, scoped lists, hand-over of one
 * client or a whole book, and the branch pool. Every read and write is checked against the
 * principal's role and scope (own, branch, region, all).
 */
export class ClientsService {
  constructor(
    private readonly repo: ClientsRepository,
    private readonly org: OrgRepository,
    private readonly clock: Clock,
    private readonly policies: PoliciesRepository,
  ) {}

  private now(): string {
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

  /** Whether the principal reaches this client: by scope, or through the pool of their own branch. */
  canSee(principal: Principal, client: Client): boolean {
    if (client.inPool && principal.branchId === client.branchId) return true;
    return canReach(principal, {
      ownerUserId: client.ownerAdvisorId,
      branchId: client.branchId,
      regionId: client.regionId,
    });
  }

  private assertCanSee(principal: Principal, client: Client): void {
    if (!this.canSee(principal, client)) throw new ForbiddenError('This client is outside your scope');
  }

  private async requireUser(tenantId: string, userId: string, path: string): Promise<User> {
    const user = await this.org.getOrgEntity<User>(tenantId, OrgKind.User, userId);
    if (!user?.active || !['advisor', 'manager'].includes(user.role)) {
      throw new ValidationFailedError(`Unknown advisor ${userId}`, [
        { path, message: 'is not an active advisor or manager of this brokerage' },
      ]);
    }
    return user;
  }

  private async requireBranch(tenantId: string, branchId: string | null, path: string): Promise<Branch> {
    const branch = branchId
      ? await this.org.getOrgEntity<Branch>(tenantId, OrgKind.Branch, branchId)
      : undefined;
    if (!branch)
      throw new ValidationFailedError('The advisor has no branch', [{ path, message: 'has no branch' }]);
    return branch;
  }

  private async requireReference(tenantId: string, kind: OrgKind, id: string, path: string, what: string) {
    if (!(await this.org.getOrgEntity(tenantId, kind, id))) {
      throw new ValidationFailedError(`Unknown ${what} ${id}`, [
        { path, message: `is not a ${what} of this brokerage` },
      ]);
    }
  }

  // ---- create and edit ---------------------------------------------------------------------

  async createClient(
    principal: Principal | null,
    input: unknown,
    options: { source?: string } = {},
  ): Promise<Client> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(CreateClientSchema, input);
    const ownerId = data.ownerAdvisorId ?? p.userId;
    const owner = await this.requireUser(p.tenantId, ownerId, 'input.ownerAdvisorId');
    const branch = await this.requireBranch(p.tenantId, owner.branchId, 'input.ownerAdvisorId');
    assertReach(
      p,
      { ownerUserId: owner.id, branchId: branch.id, regionId: branch.regionId },
      'The owner advisor',
    );
    if (data.leadSourceId)
      await this.requireReference(
        p.tenantId,
        OrgKind.LeadSource,
        data.leadSourceId,
        'input.leadSourceId',
        'lead source',
      );
    if (data.referringPartnerId) {
      await this.requireReference(
        p.tenantId,
        OrgKind.Partner,
        data.referringPartnerId,
        'input.referringPartnerId',
        'partner',
      );
    }
    if (data.parentClientId) await this.requireClient(p, data.parentClientId);
    const now = this.now();
    const name = data.kind === 'PERSON' ? `${data.lastName} ${data.firstName}` : (data.companyName ?? '');
    const client: Client = {
      id: newId(),
      kind: data.kind,
      name,
      firstName: data.kind === 'PERSON' ? (data.firstName ?? null) : null,
      lastName: data.kind === 'PERSON' ? (data.lastName ?? null) : null,
      birthDate: data.birthDate ?? null,
      nationalId: data.nationalId ?? null,
      companyName: data.kind === 'COMPANY' ? (data.companyName ?? null) : null,
      taxId: data.taxId ?? null,
      email: data.email ?? null,
      phone: data.phone ?? null,
      address: data.address ?? null,
      parentClientId: data.parentClientId ?? null,
      segment: data.segment,
      acquisitionType: data.acquisitionType,
      leadSourceId: data.leadSourceId ?? null,
      referringPartnerId: data.referringPartnerId ?? null,
      ownerAdvisorId: owner.id,
      branchId: branch.id,
      regionId: branch.regionId,
      status: data.status,
      tags: [...new Set(data.tags)],
      consents: data.consents.map((c) => ({ ...c, at: now, recordedBy: p.userId })),
      inPool: false,
      externalId: data.externalId ?? null,
      sortName: sortNameOf(name),
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await this.repo.createClient(
      p.tenantId,
      client,
      uniqueValuesOf(client),
      this.entry(
        client.id,
        'CREATED',
        p.userId,
        `Client created${options.source ? ` (${options.source})` : ''}`,
        {
          toStatus: client.status,
        },
      ),
    );
    return client;
  }

  async updateClient(principal: Principal | null, input: unknown): Promise<Client> {
    const p = authorize(principal, 'book:write');
    const { id, expectedVersion, ...changes } = parseInput(UpdateClientSchema, input);
    const current = await this.requireClient(p, id);
    const defined = Object.fromEntries(
      Object.entries(changes).filter(([, v]) => v !== undefined),
    ) as Partial<Client>;
    if (current.kind === 'PERSON' && (defined.firstName !== undefined || defined.lastName !== undefined)) {
      defined.name = `${defined.lastName ?? current.lastName} ${defined.firstName ?? current.firstName}`;
    }
    if (current.kind === 'COMPANY' && defined.companyName) defined.name = defined.companyName;
    if (defined.name) defined.sortName = sortNameOf(defined.name);
    if (defined.parentClientId) {
      if (defined.parentClientId === current.id) {
        throw new ValidationFailedError('A client cannot be its own parent', [
          { path: 'input.parentClientId', message: 'cannot be the client itself' },
        ]);
      }
      await this.requireClient(p, defined.parentClientId);
    }
    const merged = { ...current, ...defined };
    const before = new Map(uniqueValuesOf(current).map((u) => [u.field, u.value]));
    const after = new Map(uniqueValuesOf(merged).map((u) => [u.field, u.value]));
    const uniqueChanges = [...new Set([...before.keys(), ...after.keys()])]
      .filter((f) => before.get(f) !== after.get(f))
      .map((field) => ({ field, from: before.get(field) ?? null, to: after.get(field) ?? null }));
    return this.repo.updateClient(
      p.tenantId,
      current,
      expectedVersion,
      { ...defined, updatedAt: this.now() },
      [],
      uniqueChanges,
    );
  }

  /** Moves a client along the lifecycle (POTENTIAL → ACTIVE → LOST …), keeping who, when and why. */
  async changeStatus(principal: Principal | null, input: unknown): Promise<Client> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(ChangeClientStatusSchema, input);
    const current = await this.requireClient(p, data.id);
    if (!STATUS_TRANSITIONS[current.status].includes(data.status)) {
      throw new RuleViolationError(`A client cannot go from ${current.status} to ${data.status}`, {
        from: current.status,
        to: data.status,
        allowed: STATUS_TRANSITIONS[current.status],
      });
    }
    return this.repo.updateClient(
      p.tenantId,
      current,
      data.expectedVersion,
      { status: data.status, updatedAt: this.now() },
      [
        this.repo.timelineOp(
          p.tenantId,
          this.entry(current.id, 'STATUS_CHANGED', p.userId, `${current.status} → ${data.status}`, {
            fromStatus: current.status,
            toStatus: data.status,
            reason: data.reason,
          }),
        ),
      ],
    );
  }

  /** Records a consent given or withdrawn; the latest record per channel is the one in force. */
  async recordConsent(principal: Principal | null, input: unknown): Promise<Client> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(RecordConsentSchema, input);
    const current = await this.requireClient(p, data.clientId);
    const consent = {
      channel: data.channel,
      granted: data.granted,
      how: data.how,
      at: this.now(),
      recordedBy: p.userId,
    };
    return this.repo.updateClient(
      p.tenantId,
      current,
      data.expectedVersion,
      { consents: [...current.consents, consent], updatedAt: this.now() },
      [
        this.repo.timelineOp(
          p.tenantId,
          this.entry(
            current.id,
            'CONSENT',
            p.userId,
            `${data.channel} consent ${data.granted ? 'given' : 'withdrawn'}`,
            {
              text: data.how,
            },
          ),
        ),
      ],
    );
  }

  async addContact(principal: Principal | null, input: unknown): Promise<Contact> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(AddContactSchema, input);
    await this.requireClient(p, data.clientId);
    const now = this.now();
    const contact: Contact = {
      id: newId(),
      clientId: data.clientId,
      name: data.name,
      role: data.role ?? null,
      email: data.email ?? null,
      phone: data.phone ?? null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await this.repo.addContact(p.tenantId, contact);
    return contact;
  }

  async addNote(principal: Principal | null, input: unknown): Promise<TimelineEntry> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(AddNoteSchema, input);
    await this.requireClient(p, data.clientId);
    const note = this.entry(data.clientId, 'NOTE', p.userId, data.text.slice(0, 120), {
      noteKind: data.kind,
      text: data.text,
    });
    await this.repo.transact([this.repo.timelineOp(p.tenantId, note)]);
    return note;
  }

  // ---- reads -------------------------------------------------------------------------------

  async getClient(principal: Principal | null, clientId: string): Promise<Client | null> {
    const p = authorize(principal, 'book:read');
    const client = await this.repo.getClient(p.tenantId, clientId);
    if (!client) return null;
    this.assertCanSee(p, client);
    return client;
  }

  /** The client card from one Query on the client's item collection. */
  async clientCard(principal: Principal | null, clientId: string): Promise<ClientCard | null> {
    const p = authorize(principal, 'book:read');
    const card = await this.repo.clientCard(p.tenantId, clientId);
    if (!card) return null;
    this.assertCanSee(p, card.client);
    const openInvoices = card.invoices
      .filter((i) => OPEN_STATUSES.includes(i.status))
      .map((i) => ({ id: i.id, number: i.number ?? '', dueDate: i.dueDate, outstanding: i.outstanding }));
    return { ...card, openTasks: [], openInvoices };
  }

  async timeline(
    principal: Principal | null,
    clientId: string,
    page: PageRequest,
  ): Promise<Page<TimelineEntry>> {
    const p = authorize(principal, 'book:read');
    await this.requireClient(p, clientId);
    return this.repo.timeline(p.tenantId, clientId, page);
  }

  /**
   * A list of clients, served by the index that fits the filter and the caller's scope: an
   * advisor's own book, a branch, a status across the tenant. Scope is enforced on every path.
   */
  async listClients(
    principal: Principal | null,
    rawFilter: unknown,
    page: PageRequest,
  ): Promise<Page<Client>> {
    const p = authorize(principal, 'book:read');
    const filter = parseInput(ClientListFilterSchema, rawFilter ?? {}, 'filter');
    const t = p.tenantId;
    const statusPrefix = filter.status ? `${filter.status}#` : undefined;
    const owner = filter.ownerAdvisorId ?? (p.scope === 'own' ? p.userId : null);
    if (owner) {
      if (p.scope === 'own' && owner !== p.userId)
        throw new ForbiddenError('Advisors list only their own clients');
      const scopeFilter = this.scopeFilter(p);
      return this.repo.listClients('gsi1', keys.clientsByOwner(t, owner), page, {
        ...(statusPrefix ? { beginsWith: statusPrefix } : {}),
        filter: { ...scopeFilter, ...(filter.branchId ? { branchId: filter.branchId } : {}) },
      });
    }
    const branchId = filter.branchId ?? (p.scope === 'branch' ? p.branchId : null);
    if (branchId) {
      if (p.scope === 'branch' && branchId !== p.branchId)
        throw new ForbiddenError('This branch is outside your scope');
      return this.repo.listClients('gsi3', keys.clientsByBranch(t, branchId), page, {
        ...(statusPrefix ? { beginsWith: statusPrefix } : {}),
        filter: this.scopeFilter(p),
      });
    }
    const status = filter.status ?? 'ACTIVE';
    return this.repo.listClients('gsi2', keys.clientsByStatus(t, status), page, {
      filter: this.scopeFilter(p),
    });
  }

  /** The filter that keeps a list within a scope that the chosen index does not already imply. */
  private scopeFilter(p: Principal): Record<string, string> {
    return scopeFilter(p, CLIENT_REACH);
  }

  async poolClients(
    principal: Principal | null,
    branchId: string | null,
    page: PageRequest,
  ): Promise<Page<Client>> {
    const p = authorize(principal, 'book:read');
    const branch = branchId ?? p.branchId;
    if (!branch)
      throw new ValidationFailedError('Name a branch', [{ path: 'branchId', message: 'is required' }]);
    if (branch !== p.branchId && !canReach(p, { branchId: branch, regionId: null })) {
      const b = await this.org.getOrgEntity<Branch>(p.tenantId, OrgKind.Branch, branch);
      if (!b || !canReach(p, { branchId: b.id, regionId: b.regionId }))
        throw new ForbiddenError('This branch is outside your scope');
    }
    return this.repo.listClients('gsi4', keys.clientPool(p.tenantId, branch), page);
  }

  /** Clients a partner referred, without any personal or financial field. */
  async referredClients(principal: Principal | null, page: PageRequest): Promise<Page<ReferredClient>> {
    const p = authorize(principal, 'book:referrals');
    if (!p.partnerId) throw new ForbiddenError('Your token names no partner');
    const result = await this.repo.listClients('gsi5', keys.clientsByPartner(p.tenantId, p.partnerId), page);
    return {
      ...result,
      items: result.items.map((c) => ({
        id: c.id,
        status: c.status,
        segment: c.segment,
        createdAt: c.createdAt,
      })),
    };
  }

  // ---- hand-over and pool ------------------------------------------------------------------

  /**
   * Hands one client to another advisor: the owner, branch and the servicing advisor of its
   * policies change in one transaction; the timeline keeps the move. Sellers stay as they were,
   * so commission history is untouched.
   */
  async transferClient(principal: Principal | null, input: unknown): Promise<Client> {
    const p = authorize(principal, 'book:transfer');
    const data = parseInput(TransferClientSchema, input);
    const current = await this.requireClient(p, data.clientId);
    return this.moveClient(p, current, data.expectedVersion, data.toAdvisorId, data.reason, 'TRANSFERRED');
  }

  /** Hands every client of a (leaving) advisor to another; each client moves in its own transaction. */
  async transferBook(principal: Principal | null, input: unknown): Promise<{ transferred: number }> {
    const p = authorize(principal, 'book:transfer');
    const data = parseInput(TransferBookSchema, input);
    if (data.fromAdvisorId === data.toAdvisorId) {
      throw new ValidationFailedError('Same advisor', [
        { path: 'input.toAdvisorId', message: 'must differ from fromAdvisorId' },
      ]);
    }
    await this.requireUser(p.tenantId, data.toAdvisorId, 'input.toAdvisorId');
    // The leaving advisor is the target: even with an empty book, one outside the scope is refused.
    const leaving = await this.org.getOrgEntity<User>(p.tenantId, OrgKind.User, data.fromAdvisorId);
    if (leaving) {
      const branch = leaving.branchId
        ? await this.org.getOrgEntity<Branch>(p.tenantId, OrgKind.Branch, leaving.branchId)
        : undefined;
      assertReach(
        p,
        { ownerUserId: leaving.id, branchId: leaving.branchId, regionId: branch?.regionId ?? null },
        'The leaving advisor',
      );
    }
    const clients = await this.repo.allClientsOfAdvisor(p.tenantId, data.fromAdvisorId);
    for (const client of clients) this.assertCanSee(p, client);
    let transferred = 0;
    for (const client of clients) {
      await this.moveClient(p, client, client.version, data.toAdvisorId, data.reason, 'TRANSFERRED');
      transferred++;
    }
    return { transferred };
  }

  /** Releases a client into the branch's shared pool (any advisor of the branch may take it). */
  async releaseToPool(principal: Principal | null, input: unknown): Promise<Client> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(PoolClientSchema, input);
    const current = await this.requireClient(p, data.clientId);
    if (current.inPool) throw new RuleViolationError('The client is already in the pool');
    if (!canReleaseToPool(p, current)) throw new ForbiddenError('Only the owner may release a client');
    return this.repo.updateClient(
      p.tenantId,
      current,
      data.expectedVersion,
      { inPool: true, ownerAdvisorId: null, updatedAt: this.now() },
      [
        ...(await this.policyServicingOps(p.tenantId, current.id, null)),
        this.repo.timelineOp(
          p.tenantId,
          this.entry(current.id, 'POOLED', p.userId, 'Released to the branch pool', { reason: data.reason }),
        ),
      ],
    );
  }

  /** An advisor of the branch takes a client from the pool; the version check makes a race safe. */
  async takeFromPool(principal: Principal | null, input: unknown): Promise<Client> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(TakeFromPoolSchema, input);
    const current = await this.requireClient(p, data.clientId);
    if (!current.inPool) throw new RuleViolationError('The client is not in the pool');
    const taker = await this.requireUser(p.tenantId, p.userId, 'principal');
    if (taker.branchId !== current.branchId)
      throw new ForbiddenError('Only advisors of the branch may take from its pool');
    return this.repo.updateClient(
      p.tenantId,
      current,
      data.expectedVersion,
      { inPool: false, ownerAdvisorId: p.userId, updatedAt: this.now() },
      [
        ...(await this.policyServicingOps(p.tenantId, current.id, p.userId)),
        this.repo.timelineOp(
          p.tenantId,
          this.entry(current.id, 'TAKEN_FROM_POOL', p.userId, 'Taken from the branch pool'),
        ),
      ],
    );
  }

  private async moveClient(
    p: Principal,
    current: Client,
    expectedVersion: number,
    toAdvisorId: string,
    reason: string,
    kind: TimelineKind,
  ): Promise<Client> {
    const to = await this.requireUser(p.tenantId, toAdvisorId, 'input.toAdvisorId');
    const branch = await this.requireBranch(p.tenantId, to.branchId, 'input.toAdvisorId');
    assertReach(
      p,
      { ownerUserId: to.id, branchId: branch.id, regionId: branch.regionId },
      'The receiving advisor',
    );
    return this.repo.updateClient(
      p.tenantId,
      current,
      expectedVersion,
      {
        ownerAdvisorId: to.id,
        branchId: branch.id,
        regionId: branch.regionId,
        inPool: false,
        updatedAt: this.now(),
      },
      [
        ...(await this.policyServicingOps(p.tenantId, current.id, to.id, branch)),
        this.repo.timelineOp(
          p.tenantId,
          this.entry(
            current.id,
            kind,
            p.userId,
            `Handed over from ${current.ownerAdvisorId ?? 'the pool'} to ${to.name}`,
            { reason },
          ),
        ),
      ],
    );
  }

  /**
   * Ops that move the client's policies to a new servicing advisor and, on a hand-over to another
   * branch, to that branch and region: a policy's reach follows the client. Sellers, the branch
   * kind and the frozen hierarchy stay as written, so commission history is untouched.
   */
  private async policyServicingOps(
    tenantId: string,
    clientId: string,
    advisorId: string | null,
    branch?: Branch,
  ) {
    const card = await this.repo.clientCard(tenantId, clientId);
    const policies = card?.policies ?? [];
    if (policies.length > MAX_POLICIES_PER_TRANSFER) {
      throw new RuleViolationError(
        `A client with more than ${MAX_POLICIES_PER_TRANSFER} policies must be moved by support`,
      );
    }
    const now = this.now();
    return policies.map((policy) =>
      this.policies.replaceOp(
        tenantId,
        {
          ...policy,
          servicingAdvisorId: advisorId,
          ...(branch ? { branchId: branch.id, regionId: branch.regionId } : {}),
          updatedAt: now,
        },
        policy.version,
      ),
    );
  }
}

/** The unique values of a client, by the field names that claim them. */
export function uniqueValuesOf(
  client: Pick<Client, 'nationalId' | 'taxId' | 'email' | 'externalId'>,
): UniqueValue[] {
  const values: UniqueValue[] = [];
  if (client.nationalId) values.push({ field: 'NATIONAL_ID', value: client.nationalId });
  if (client.taxId) values.push({ field: 'TAX_ID', value: client.taxId });
  if (client.email) values.push({ field: 'CLIENT_EMAIL', value: client.email });
  if (client.externalId) values.push({ field: 'CLIENT_EXTERNAL_ID', value: client.externalId });
  return values;
}
