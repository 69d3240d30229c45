import { assertReach, authorize, canReleaseToPool } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import { ForbiddenError, RuleViolationError, ValidationFailedError } from '../../shared/errors.js';
import { parseInput } from '../../shared/validation.js';
import type { Branch } from '../org/index.js';
import type { ClientBook } from './client-book.js';
import {
  type Client,
  PoolClientSchema,
  TakeFromPoolSchema,
  type TimelineKind,
  TransferBookSchema,
  TransferClientSchema,
} from './clients.model.js';
import type { ClientsRepository } from './clients.repository.js';
import type { PolicyServicing } from './ports.js';

/** Transaction ops per client transfer: the client, its timeline entry, and its policies. */
const MAX_POLICIES_PER_TRANSFER = 97;

/**
 * Hand-over of one client or a whole book to another advisor, and the branch pool. The client's
 * policies follow it (servicing advisor, branch, region) in the same transaction.
 */
export class BookTransfersService {
  constructor(
    private readonly repo: ClientsRepository,
    private readonly book: ClientBook,
    private readonly policies: PolicyServicing,
  ) {}

  /**
   * Hands one client to another advisor: the owner, branch and the servicing advisor of its
   * policies change in one transaction; the timeline keeps the move. Sellers stay as they were,
   * so commission history is untouched.
   */
  async transferClient(principal: Principal | null, input: unknown): Promise<Client> {
    const p = authorize(principal, 'book:transfer');
    const data = parseInput(TransferClientSchema, input);
    const current = await this.book.requireClient(p, data.clientId);
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
    await this.book.requireAdvisor(p.tenantId, data.toAdvisorId, 'input.toAdvisorId');
    // The leaving advisor is the target: even with an empty book, one outside the scope is refused.
    const leaving = await this.book.user(p.tenantId, data.fromAdvisorId);
    if (leaving) {
      const branch = leaving.branchId ? await this.book.branch(p.tenantId, leaving.branchId) : undefined;
      assertReach(
        p,
        { ownerUserId: leaving.id, branchId: leaving.branchId, regionId: branch?.regionId ?? null },
        'The leaving advisor',
      );
    }
    const clients = await this.repo.allClientsOfAdvisor(p.tenantId, data.fromAdvisorId);
    for (const client of clients) this.book.assertCanSee(p, client);
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
    const current = await this.book.requireClient(p, data.clientId);
    if (current.inPool) throw new RuleViolationError('The client is already in the pool');
    if (!canReleaseToPool(p, current)) throw new ForbiddenError('Only the owner may release a client');
    return this.repo.updateClient(
      p.tenantId,
      current,
      data.expectedVersion,
      { inPool: true, ownerAdvisorId: null, updatedAt: this.book.now() },
      [
        ...(await this.policyServicingOps(p.tenantId, current.id, null)),
        this.repo.timelineOp(
          p.tenantId,
          this.book.entry(current.id, 'POOLED', p.userId, 'Released to the branch pool', {
            reason: data.reason,
          }),
        ),
      ],
    );
  }

  /**
   * Moves a client to its branch's pool on a rule's behalf (the tasks module's pool rule), with the
   * reason on its timeline: no principal, the rule decided. False when the client is gone or in the
   * pool already, so a rerun changes nothing; a concurrent edit fails on the version (retried next run).
   */
  async releaseToPoolByRule(
    tenantId: string,
    clientId: string,
    by: string,
    reason: string,
  ): Promise<boolean> {
    const current = await this.repo.getClient(tenantId, clientId);
    if (!current || current.inPool) return false;
    await this.repo.updateClient(
      tenantId,
      current,
      current.version,
      { inPool: true, ownerAdvisorId: null, updatedAt: this.book.now() },
      [
        ...(await this.policyServicingOps(tenantId, current.id, null)),
        this.repo.timelineOp(
          tenantId,
          this.book.entry(current.id, 'POOLED', by, `Moved to the branch pool: ${reason}`, { reason }),
        ),
      ],
    );
    return true;
  }

  /** An advisor of the branch takes a client from the pool; the version check makes a race safe. */
  async takeFromPool(principal: Principal | null, input: unknown): Promise<Client> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(TakeFromPoolSchema, input);
    const current = await this.book.requireClient(p, data.clientId);
    if (!current.inPool) throw new RuleViolationError('The client is not in the pool');
    const taker = await this.book.requireAdvisor(p.tenantId, p.userId, 'principal');
    if (taker.branchId !== current.branchId)
      throw new ForbiddenError('Only advisors of the branch may take from its pool');
    return this.repo.updateClient(
      p.tenantId,
      current,
      data.expectedVersion,
      { inPool: false, ownerAdvisorId: p.userId, updatedAt: this.book.now() },
      [
        ...(await this.policyServicingOps(p.tenantId, current.id, p.userId)),
        this.repo.timelineOp(
          p.tenantId,
          this.book.entry(current.id, 'TAKEN_FROM_POOL', p.userId, 'Taken from the branch pool'),
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
    const to = await this.book.requireAdvisor(p.tenantId, toAdvisorId, 'input.toAdvisorId');
    const branch = await this.book.requireBranch(p.tenantId, to.branchId, 'input.toAdvisorId');
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
        updatedAt: this.book.now(),
      },
      [
        ...(await this.policyServicingOps(p.tenantId, current.id, to.id, branch)),
        this.repo.timelineOp(
          p.tenantId,
          this.book.entry(
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
    const now = this.book.now();
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
