import { authorize, mayOwnClients } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import { ValidationFailedError } from '../../shared/errors.js';
import { parseInput } from '../../shared/validation.js';
import { type InsurerDirectory, type OrgReference, requireInsurer } from './ports.js';
import { emptyMapping, SetWebhookMappingSchema, type WebhookMapping } from './webhooks.model.js';
import type { WebhooksRepository } from './webhooks.repository.js';

/**
 * Mapping administration: how an insurer's payload layout maps into ours (data an admin edits), and
 * the advisor who owns clients first seen in that insurer's events.
 */
export class WebhookMappingsService {
  constructor(
    private readonly repo: WebhooksRepository,
    private readonly insurers: InsurerDirectory,
    private readonly org: OrgReference,
    private readonly clock: Clock,
  ) {}

  /** The insurer's mapping; an insurer without one gets the empty mapping (version 0: payloads in our layout). */
  async getMapping(principal: Principal | null, insurerId: string): Promise<WebhookMapping> {
    const p = authorize(principal, 'webhooks:manage');
    await requireInsurer(this.insurers, p.tenantId, insurerId);
    return (await this.repo.getMapping(p.tenantId, insurerId)) ?? emptyMapping(insurerId);
  }

  /** Replaces an insurer's mapping at the version read (0 for the first); a stale version is CONFLICT. */
  async setMapping(principal: Principal | null, input: unknown): Promise<WebhookMapping> {
    const p = authorize(principal, 'webhooks:manage');
    const data = parseInput(SetWebhookMappingSchema, input);
    await requireInsurer(this.insurers, p.tenantId, data.insurerId);
    if (data.defaultAdvisorId) {
      const user = await this.org.getUser(p.tenantId, data.defaultAdvisorId);
      if (!user?.active || !mayOwnClients(user.role)) {
        throw new ValidationFailedError('Unknown advisor', [
          {
            path: 'input.defaultAdvisorId',
            message: 'is not an active advisor or manager of this brokerage',
          },
        ]);
      }
    }
    const mapping: WebhookMapping = {
      insurerId: data.insurerId,
      rules: data.rules.map((r) => ({ ...r, eventType: r.eventType ?? null })),
      defaultAdvisorId: data.defaultAdvisorId ?? null,
      version: data.expectedVersion + 1,
      updatedAt: this.clock.now().toISOString(),
      updatedBy: p.userId,
    };
    await this.repo.saveMapping(p.tenantId, mapping, data.expectedVersion);
    return mapping;
  }
}
