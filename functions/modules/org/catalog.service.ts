import { randomBytes } from 'node:crypto';
import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import { NotFoundError } from '../../shared/errors.js';
import { OrgKind } from '../../shared/table-design.js';
import { parseInput } from '../../shared/validation.js';
import {
  CreateInsurerSchema,
  CreateProductLineSchema,
  type Insurer,
  type InsurerSecrets,
  type ProductLine,
  UpdateInsurerSchema,
  UpdateProductLineSchema,
} from './org.model.js';
import type { OrgRepository } from './org.repository.js';
import { definedOnly, type OrgEntities } from './org-entities.js';

type PageRequest = { limit: number; cursor: string | null };

/** How long a rotated-out webhook secret keeps verifying, so an insurer can roll over without downtime. */
export const SECRET_ROLLOVER_HOURS = 24;

/** Creates a Standard Webhooks secret: `whsec_` and 32 random bytes in base64. */
export function newWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString('base64')}`;
}

/** Insurers with their webhook secrets, and product lines. */
export class CatalogService {
  constructor(
    private readonly repo: OrgRepository,
    private readonly entities: OrgEntities,
    private readonly clock: Clock,
  ) {}

  getInsurer = (p: Principal | null, id: string) => this.entities.find<Insurer>(p, OrgKind.Insurer, id);
  listInsurers = (p: Principal | null, page: PageRequest) =>
    this.entities.list<Insurer>(p, OrgKind.Insurer, page);
  listProductLines = (p: Principal | null, page: PageRequest) =>
    this.entities.list<ProductLine>(p, OrgKind.ProductLine, page);

  async createProductLine(principal: Principal | null, input: unknown): Promise<ProductLine> {
    const p = authorize(principal, 'org:configure');
    const data = parseInput(CreateProductLineSchema, input);
    return this.repo.createOrgEntity<ProductLine>(
      p.tenantId,
      OrgKind.ProductLine,
      { ...this.entities.stamp(), code: data.code, name: data.name, active: true },
      [{ field: 'PRODUCT_LINE_CODE', value: data.code }],
    );
  }

  async updateProductLine(principal: Principal | null, input: unknown): Promise<ProductLine> {
    const p = authorize(principal, 'org:configure');
    const { id, expectedVersion, ...changes } = parseInput(UpdateProductLineSchema, input);
    const current = await this.entities.getOrThrow<ProductLine>(
      p.tenantId,
      OrgKind.ProductLine,
      id,
      'ProductLine',
    );
    return this.repo.updateOrgEntity(p.tenantId, OrgKind.ProductLine, current, expectedVersion, {
      ...definedOnly(changes),
      updatedAt: this.entities.now(),
    });
  }

  // ---- insurers and their webhook secrets ------------------------------------------------

  /** Registers an insurer with a fresh webhook secret, returned once and never readable again. */
  async createInsurer(
    principal: Principal | null,
    input: unknown,
  ): Promise<{ insurer: Insurer; webhookSecret: string; previousSecretValidUntil: null }> {
    const p = authorize(principal, 'org:configure');
    const data = parseInput(CreateInsurerSchema, input);
    const insurer: Insurer = {
      ...this.entities.stamp(),
      name: data.name,
      companyId: data.companyId ?? null,
      active: true,
    };
    const secrets: InsurerSecrets = {
      insurerId: insurer.id,
      current: newWebhookSecret(),
      previous: null,
      previousValidUntil: null,
    };
    const created = await this.repo.createOrgEntity(
      p.tenantId,
      OrgKind.Insurer,
      insurer,
      [{ field: 'INSURER_NAME', value: data.name.toLowerCase() }],
      this.repo.insurerSecretOps(p.tenantId, secrets),
    );
    return { insurer: created, webhookSecret: secrets.current, previousSecretValidUntil: null };
  }

  async updateInsurer(principal: Principal | null, input: unknown): Promise<Insurer> {
    const p = authorize(principal, 'org:configure');
    const { id, expectedVersion, ...changes } = parseInput(UpdateInsurerSchema, input);
    const current = await this.entities.getOrThrow<Insurer>(p.tenantId, OrgKind.Insurer, id, 'Insurer');
    const rename =
      changes.name && changes.name.toLowerCase() !== current.name.toLowerCase()
        ? [
            {
              field: 'INSURER_NAME' as const,
              from: current.name.toLowerCase(),
              to: changes.name.toLowerCase(),
            },
          ]
        : [];
    return this.repo.updateOrgEntity(
      p.tenantId,
      OrgKind.Insurer,
      current,
      expectedVersion,
      { ...definedOnly(changes), updatedAt: this.entities.now() },
      rename,
    );
  }

  /** Issues a new secret; the old one keeps verifying for {@link SECRET_ROLLOVER_HOURS}. */
  async rotateInsurerWebhookSecret(
    principal: Principal | null,
    insurerId: string,
  ): Promise<{ insurer: Insurer; webhookSecret: string; previousSecretValidUntil: string }> {
    const p = authorize(principal, 'org:configure');
    const insurer = await this.entities.getOrThrow<Insurer>(
      p.tenantId,
      OrgKind.Insurer,
      insurerId,
      'Insurer',
    );
    const existing = await this.repo.getInsurerSecrets(p.tenantId, insurerId);
    if (!existing) throw new NotFoundError('Insurer', insurerId);
    const validUntil = new Date(this.clock.now().getTime() + SECRET_ROLLOVER_HOURS * 3_600_000).toISOString();
    const secrets: InsurerSecrets = {
      insurerId,
      current: newWebhookSecret(),
      previous: existing.current,
      previousValidUntil: validUntil,
    };
    await this.repo.replaceInsurerSecrets(p.tenantId, secrets);
    return { insurer, webhookSecret: secrets.current, previousSecretValidUntil: validUntil };
  }

  /** Secrets valid now for verifying an insurer's deliveries (the webhook function's use only). */
  async activeWebhookSecrets(
    insurerId: string,
  ): Promise<{ tenantId: string; secrets: string[] } | undefined> {
    const tenantId = await this.repo.getInsurerTenant(insurerId);
    if (!tenantId) return undefined;
    const stored = await this.repo.getInsurerSecrets(tenantId, insurerId);
    if (!stored) return undefined;
    const secrets = [stored.current];
    if (stored.previous && stored.previousValidUntil && stored.previousValidUntil > this.entities.now()) {
      secrets.push(stored.previous);
    }
    return { tenantId, secrets };
  }
}
