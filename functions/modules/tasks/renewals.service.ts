import { isoDateInZone } from '../../shared/clock.js';
import { logger } from '../../shared/logger.js';
import type { TaskPolicies, TaskTenants } from './ports.js';
import type { TasksRepository } from './tasks.repository.js';
import type { TasksService } from './tasks.service.js';

const DAY_MS = 86_400_000;
/** How long before the term ends a renewal task falls due. */
const RENEWAL_LEAD_DAYS = 14;
const PAGE = 100;

/** What one run of the renewals schedule did. */
export interface RenewalsResult {
  tenants: number;
  policies: number;
  created: number;
}

/** The schedule's identity on the timeline and as a task's creator. */
export const RENEWALS_ACTOR = 'system:renewals';

/**
 * The daily renewals schedule: one RENEWAL task per ACTIVE policy whose term ends within the
 * tenant's window, for its servicing advisor. The task's id is derived from the policy and its term
 * end, so however often the schedule runs, a policy term gets one task. Each tenant's policies come
 * from the renewal-window index (one Query per page), never a scan.
 */
export class RenewalsService {
  constructor(
    private readonly repo: TasksRepository,
    private readonly tasks: TasksService,
    private readonly policies: TaskPolicies,
    private readonly tenants: TaskTenants,
  ) {}

  async run(asOf: Date): Promise<RenewalsResult> {
    const result: RenewalsResult = { tenants: 0, policies: 0, created: 0 };
    for (const tenantId of await this.tenants.listTenantIds()) {
      const one = await this.runTenant(tenantId, asOf);
      result.tenants += 1;
      result.policies += one.policies;
      result.created += one.created;
    }
    return result;
  }

  async runTenant(tenantId: string, asOf: Date): Promise<{ policies: number; created: number }> {
    const settings = await this.tenants.getTenantSettings(tenantId);
    const { renewalWindowDays } = await this.repo.getSettings(tenantId);
    const zone = settings?.timeZone ?? 'UTC';
    const from = isoDateInZone(asOf, zone);
    const to = isoDateInZone(new Date(asOf.getTime() + renewalWindowDays * DAY_MS), zone);
    let cursor: string | null = null;
    let policies = 0;
    let created = 0;
    do {
      const page = await this.policies.listEndingBetween(tenantId, from, to, { limit: PAGE, cursor });
      for (const policy of page.items) {
        if (!policy.servicingAdvisorId) continue;
        policies += 1;
        const due = new Date(Date.parse(`${policy.termEnd}T09:00:00Z`) - RENEWAL_LEAD_DAYS * DAY_MS);
        try {
          const made = await this.tasks.createSystemTask(
            tenantId,
            {
              id: `renewal.${policy.id}.${policy.termEnd}`,
              typeCode: 'RENEWAL',
              title: `Renew policy ${policy.policyNumber} (ends ${policy.termEnd})`,
              assigneeId: policy.servicingAdvisorId,
              clientId: policy.clientId,
              policyId: policy.id,
              dueAt: (due > asOf ? due : asOf).toISOString(),
              process: 'RENEWAL',
            },
            RENEWALS_ACTOR,
          );
          if (made) created += 1;
        } catch (error) {
          // One policy's failure (e.g. an advisor removed) must not stop the tenant's other renewals.
          logger.warn('renewal task not created', { tenantId, policyId: policy.id, error: String(error) });
        }
      }
      cursor = page.nextCursor;
    } while (cursor);
    return { policies, created };
  }
}
