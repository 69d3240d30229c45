import { assertReach, canReach, isStaff, policyReach } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import type { TransactOp } from '../../shared/db.js';
import {
  ForbiddenError,
  NotFoundError,
  ValidationFailedError,
  VersionConflictError,
} from '../../shared/errors.js';
import { OrgKind } from '../../shared/table-design.js';
import type { Branch, User } from '../org/index.js';
import { IN_FORCE, type Policy } from './policies.model.js';
import type { PoliciesRepository } from './policies.repository.js';
import type { ClientDirectory, PolicyClient, PolicyOrgDirectory, PolicyTimelineKind } from './ports.js';

/** Attempts when the client changed between our read and the write that activates it. */
const CLIENT_RACE_ATTEMPTS = 3;

/** Raised internally when the client moved on between read and write; the write is retried. */
class ClientChangedError extends VersionConflictError {}

/**
 * What the policy services share: a policy within the principal's reach, the users a write names,
 * and the write itself with its client's timeline entry and activation.
 */
export class PolicyBook {
  constructor(
    private readonly repo: PoliciesRepository,
    private readonly clients: ClientDirectory,
    private readonly org: PolicyOrgDirectory,
    private readonly clock: Clock,
  ) {}

  now(): string {
    return this.clock.now().toISOString();
  }

  /**
   * Whether the principal reaches a policy: by its servicing advisor, branch and region, which follow
   * the client on hand-over ({@link policyReach}). The original seller is not a reach path: after a
   * hand-over he keeps only his commission lines.
   */
  canSee(p: Principal, policy: Policy): boolean {
    return canReach(p, policyReach(policy));
  }

  async requirePolicy(p: Principal, policyId: string): Promise<Policy> {
    const found = await this.repo.getPolicy(p.tenantId, policyId);
    if (!found) throw new NotFoundError('Policy', policyId);
    if (!this.canSee(p, found)) throw new ForbiddenError('This policy is outside your scope');
    // The by-id index is eventually consistent: read the home item before writing on top of it.
    const fresh = await this.repo.getPolicyOfClient(p.tenantId, found.clientId, policyId);
    if (!fresh) throw new NotFoundError('Policy', policyId);
    return fresh;
  }

  /**
   * A seller named explicitly is credited with the sale (and his uplines with overrides): he must be
   * within the writer's scope, placed by his branch on the written date. The default seller, the
   * client's owner, is reached through the client already.
   */
  assertSellerInReach(p: Principal, sellerId: string, branch: Branch): void {
    assertReach(p, { ownerUserId: sellerId, branchId: branch.id, regionId: branch.regionId }, 'The seller');
  }

  /** A user of the brokerage's own staff (not a partner). */
  async requireUser(tenantId: string, userId: string, path: string): Promise<User> {
    return this.assertStaff(await this.org.getOrgEntity<User>(tenantId, OrgKind.User, userId), userId, path);
  }

  /** {@link requireUser} on a user already read (undefined: not found). */
  assertStaff(user: User | undefined, userId: string, path: string): User {
    if (!user || !isStaff(user.role)) {
      throw new ValidationFailedError(`Unknown user ${userId}`, [
        { path, message: 'is not a user of this brokerage' },
      ]);
    }
    return user;
  }

  /**
   * Runs a write that may also move the client to ACTIVE (a first policy in force makes a potential
   * or lost client a current one). The client op is versioned; if the client changed meanwhile, the
   * client is re-read and the write retried, so a concurrent note never fails a policy.
   */
  async withClientActivation(
    p: Principal,
    client: PolicyClient,
    policy: Policy,
    ops: TransactOp[],
  ): Promise<void> {
    let current = client;
    for (let attempt = 1; ; attempt++) {
      const activation: TransactOp[] = [];
      if (IN_FORCE.includes(policy.status) && current.status !== 'ACTIVE') {
        const op = this.clients.statusOp(p.tenantId, current, 'ACTIVE');
        const changed = current;
        activation.push(
          { ...op, onConditionFailed: () => new ClientChangedError('Client', changed.id, changed.version) },
          this.clients.timelineOp(
            p.tenantId,
            current.id,
            'STATUS_CHANGED',
            p.userId,
            `${current.status} → ACTIVE`,
            {
              fromStatus: current.status,
              toStatus: 'ACTIVE',
              reason: `Policy ${policy.policyNumber} in force`,
              policyId: policy.id,
            },
          ),
        );
      }
      try {
        await this.repo.transact([...ops, ...activation]);
        return;
      } catch (error) {
        if (!(error instanceof ClientChangedError) || attempt >= CLIENT_RACE_ATTEMPTS) throw error;
        const reread = await this.clients.getClient(p.tenantId, client.id);
        if (!reread) throw new NotFoundError('Client', client.id);
        current = reread;
      }
    }
  }

  /** The op writing a policy event on its client's timeline. */
  timelineOp(
    p: Principal,
    policy: Policy,
    kind: PolicyTimelineKind,
    summary: string,
    reason: string | null = null,
  ): TransactOp {
    return this.clients.timelineOp(p.tenantId, policy.clientId, kind, p.userId, summary, {
      policyId: policy.id,
      reason,
    });
  }
}
