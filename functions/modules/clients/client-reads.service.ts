import { authorize, canReach, type ReachAttributes, scopeFilter } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Page } from '../../shared/db.js';
import { ForbiddenError, ValidationFailedError } from '../../shared/errors.js';
import type { Money } from '../../shared/money.js';
import { parseInput } from '../../shared/validation.js';
import type { Invoice } from '../invoices/index.js';
import { IN_FORCE } from '../policies/index.js';
import type { ClientBook } from './client-book.js';
import {
  type Client,
  ClientListFilterSchema,
  type ClientStatus,
  type TimelineEntry,
} from './clients.model.js';
import type { ClientCardItems, ClientsRepository } from './clients.repository.js';

/**
 * Invoices the card lists as open: the invoices module's OPEN_STATUSES, declared here (a unit test
 * keeps the two equal) so that reading a client does not load the invoices module's code.
 */
export const OPEN_INVOICE_STATUSES: readonly Invoice['status'][] = ['ISSUED', 'PARTIALLY_PAID', 'OVERDUE'];

type PageRequest = { limit: number; cursor: string | null };

/** The client card: what one Query on the client's collection returns, shaped for the API. */
export interface ClientCard extends Omit<ClientCardItems, 'openTasks'> {
  /** Open tasks, soonest due first (the tasks module's card items). */
  openTasks: Array<{ id: string; title: string; dueDate: string }>;
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

/** What a partner may know of a referred client's policy or offer: status, product line and dates only. */
export interface ReferredPolicy {
  id: string;
  status: string;
  productLineId: string;
  productLineCode: string;
  termStart: string;
  termEnd: string;
  inForce: boolean;
}

/** Where a client sits, for list scope filters. */
const CLIENT_REACH: ReachAttributes = { owner: 'ownerAdvisorId', branch: 'branchId', region: 'regionId' };

/** Reading the client book: one client, its card and timeline, scoped lists, the pool, referrals. */
export class ClientReadsService {
  constructor(
    private readonly repo: ClientsRepository,
    private readonly book: ClientBook,
  ) {}

  getClient(principal: Principal | null, clientId: string): Promise<Client | null> {
    return this.book.readClient(principal, clientId);
  }

  /** The client card from one Query on the client's item collection. */
  async clientCard(principal: Principal | null, clientId: string): Promise<ClientCard | null> {
    const p = authorize(principal, 'book:read');
    const card = await this.repo.clientCard(p.tenantId, clientId);
    if (!card) return null;
    this.book.assertCanSee(p, card.client);
    const openInvoices = card.invoices
      .filter((i) => OPEN_INVOICE_STATUSES.includes(i.status))
      .map((i) => ({ id: i.id, number: i.number ?? '', dueDate: i.dueDate, outstanding: i.outstanding }));
    const openTasks = card.openTasks.map((t) => ({
      id: t.id,
      title: t.title,
      dueDate: t.dueAt.slice(0, 10),
    }));
    return { ...card, openTasks, openInvoices };
  }

  async timeline(
    principal: Principal | null,
    clientId: string,
    page: PageRequest,
  ): Promise<Page<TimelineEntry>> {
    const p = authorize(principal, 'book:read');
    await this.book.requireClient(p, clientId);
    return this.repo.timeline(p.tenantId, clientId, page);
  }

  /**
   * A list of clients, served by the access pattern that fits the filter and the caller's scope: an
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
    const owner = filter.ownerAdvisorId ?? (p.scope === 'own' ? p.userId : null);
    if (owner) {
      if (p.scope === 'own' && owner !== p.userId)
        throw new ForbiddenError('Advisors list only their own clients');
      return this.repo.listClientsOfOwner(t, owner, page, {
        status: filter.status,
        filter: { ...this.scopeFilter(p), ...(filter.branchId ? { branchId: filter.branchId } : {}) },
      });
    }
    const branchId = filter.branchId ?? (p.scope === 'branch' ? p.branchId : null);
    if (branchId) {
      if (p.scope === 'branch' && branchId !== p.branchId)
        throw new ForbiddenError('This branch is outside your scope');
      return this.repo.listClientsOfBranch(t, branchId, page, {
        status: filter.status,
        filter: this.scopeFilter(p),
      });
    }
    return this.repo.listClientsByStatus(t, filter.status ?? 'ACTIVE', page, this.scopeFilter(p));
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
      const b = await this.book.branch(p.tenantId, branch);
      if (!b || !canReach(p, { branchId: b.id, regionId: b.regionId }))
        throw new ForbiddenError('This branch is outside your scope');
    }
    return this.repo.listClientsOfPool(p.tenantId, branch, page);
  }

  /** Clients a partner referred, without any personal or financial field. */
  async referredClients(principal: Principal | null, page: PageRequest): Promise<Page<ReferredClient>> {
    const p = authorize(principal, 'book:referrals');
    if (!p.partnerId) throw new ForbiddenError('Your token names no partner');
    const result = await this.repo.listClientsOfPartner(p.tenantId, p.partnerId, page);
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

  /**
   * A referred client's policies and offers as a partner may see them: status, product line and
   * term dates, never a premium, number or holder.
   */
  async referredClientPolicies(principal: Principal | null, clientId: string): Promise<ReferredPolicy[]> {
    const [policies] = await this.referredClientsPolicies(principal, [clientId]);
    if (policies instanceof Error) throw policies;
    return policies ?? [];
  }

  /**
   * The policies of several referred clients at once (a page of `referredClients`), in the order
   * asked; a client the partner did not refer answers a FORBIDDEN error in its place.
   */
  async referredClientsPolicies(
    principal: Principal | null,
    clientIds: readonly string[],
  ): Promise<Array<ReferredPolicy[] | Error>> {
    const p = authorize(principal, 'book:referrals');
    const found = await this.repo.referralPolicies(p.tenantId, clientIds);
    return clientIds.map((id) => {
      const client = found.get(id);
      if (!client || !p.partnerId || client.referringPartnerId !== p.partnerId) {
        return new ForbiddenError('This client was not referred by your partner');
      }
      return client.policies.map((policy) => ({
        id: policy.id,
        status: policy.status,
        productLineId: policy.productLineId,
        productLineCode: policy.productLineCode,
        termStart: policy.termStart,
        termEnd: policy.termEnd,
        inForce: IN_FORCE.includes(policy.status),
      }));
    });
  }
}
