import { runAsActor } from '../../shared/audit.js';
import { authorize } from '../../shared/auth/policy.js';
import { type Principal, systemPrincipal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import { logger } from '../../shared/logger.js';
import { parseInput } from '../../shared/validation.js';
import type { DataSubjectService } from './data-subject.service.js';
import {
  RETAINED_STATUSES,
  type RetentionRunResult,
  type RetentionSettings,
  SetRetentionSettingsSchema,
} from './gdpr.model.js';
import type { RetentionRepository } from './retention.repository.js';

/** The actor the retention schedule's erasures are audited under. */
export const RETENTION_ACTOR = 'system:retention';

const DAY_MS = 86_400_000;

/** What the schedule needs of the tenants: their ids. */
export interface TenantList {
  listTenantIds(): Promise<string[]>;
}

/**
 * Retention per tenant: an admin sets after how many days without a change potential and lost
 * clients are erased; the daily schedule erases them (the same anonymisation as `eraseDataSubject`,
 * audited under {@link RETENTION_ACTOR}). Active clients are never erased by the schedule.
 */
export class RetentionService {
  constructor(
    private readonly repo: RetentionRepository,
    private readonly subjects: DataSubjectService,
    private readonly tenants: TenantList,
    private readonly clock: Clock,
  ) {}

  async settings(principal: Principal | null): Promise<RetentionSettings> {
    const p = authorize(principal, 'gdpr:configure');
    return this.settingsOf(p.tenantId);
  }

  async setSettings(principal: Principal | null, input: unknown): Promise<RetentionSettings> {
    const p = authorize(principal, 'gdpr:configure');
    const data = parseInput(SetRetentionSettingsSchema, input);
    const settings: RetentionSettings = {
      erasePotentialAfterDays: data.erasePotentialAfterDays,
      eraseLostAfterDays: data.eraseLostAfterDays,
      version: data.expectedVersion + 1,
      updatedAt: this.clock.now().toISOString(),
      updatedBy: p.userId,
    };
    await this.repo.saveSettings(p.tenantId, settings, data.expectedVersion);
    return settings;
  }

  /** The daily run: every tenant's clients past its retention periods are erased; one failure stops no other. */
  async run(): Promise<RetentionRunResult> {
    const result: RetentionRunResult = { tenants: 0, erased: 0, failed: 0 };
    for (const tenantId of await this.tenants.listTenantIds()) {
      const settings = await this.settingsOf(tenantId);
      const periods = {
        POTENTIAL: settings.erasePotentialAfterDays,
        LOST: settings.eraseLostAfterDays,
      } as const;
      if (RETAINED_STATUSES.every((s) => periods[s] === null)) continue;
      result.tenants += 1;
      const principal = systemPrincipal(tenantId, RETENTION_ACTOR);
      for (const status of RETAINED_STATUSES) {
        const days = periods[status];
        if (days === null) continue;
        const before = new Date(this.clock.now().getTime() - days * DAY_MS).toISOString();
        const due = (await this.repo.clientsOfStatus(tenantId, status)).filter(
          (c) => !c.erasedAt && c.updatedAt < before,
        );
        for (const client of due) {
          try {
            await runAsActor({ tenantId, actorId: RETENTION_ACTOR, requestId: null }, () =>
              this.subjects.eraseSubject(principal, {
                clientId: client.id,
                reason: `Retention: ${status} for more than ${days} days`,
              }),
            );
            result.erased += 1;
          } catch (error) {
            result.failed += 1;
            logger.error('retention erasure failed', { tenantId, clientId: client.id, error });
          }
        }
      }
    }
    return result;
  }

  private async settingsOf(tenantId: string): Promise<RetentionSettings> {
    return (
      (await this.repo.getSettings(tenantId)) ?? {
        erasePotentialAfterDays: null,
        eraseLostAfterDays: null,
        version: 0,
        updatedAt: null,
        updatedBy: null,
      }
    );
  }
}
