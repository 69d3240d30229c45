import type { Principal, Role } from '../../shared/auth/principal.js';
import { NotFoundError } from '../../shared/errors.js';

/**
 * What the webhooks module needs of other modules, declared here as narrow interfaces and satisfied
 * by the composition root (functions/modules/services.ts), so webhooks imports no other module's
 * service or repository.
 */

/** The insurer registrations of the org module, as webhooks read them. */
export interface InsurerDirectory {
  /** The insurer's tenant and the secrets that verify its deliveries now; undefined for an unknown insurer. */
  activeWebhookSecrets(insurerId: string): Promise<{ tenantId: string; secrets: string[] } | undefined>;
  /** Whether the insurer is registered in the tenant. */
  hasInsurer(tenantId: string, insurerId: string): Promise<boolean>;
}

/** Throws NOT_FOUND unless the insurer is registered in the tenant. */
export async function requireInsurer(
  insurers: InsurerDirectory,
  tenantId: string,
  insurerId: string,
): Promise<void> {
  if (!(await insurers.hasInsurer(tenantId, insurerId))) throw new NotFoundError('Insurer', insurerId);
}

/** A user of the brokerage, as far as webhooks look at one. */
export interface OrgUserRef {
  id: string;
  email: string;
  role: Role;
  active: boolean;
}

/** A product line, as far as webhooks look at one. */
export interface ProductLineRef {
  id: string;
  code: string;
  active: boolean;
}

/** The tenant's reference data that insurer events name: product lines by code, sellers by e-mail. */
export interface OrgReference {
  getUser(tenantId: string, userId: string): Promise<OrgUserRef | undefined>;
  listUsers(tenantId: string): Promise<OrgUserRef[]>;
  listProductLines(tenantId: string): Promise<ProductLineRef[]>;
}

/** A unique value of a client that an insurer's holder is matched by. */
export type HolderKey = 'NATIONAL_ID' | 'TAX_ID' | 'CLIENT_EMAIL';

/** The clients module as an event's holder meets it: matched by a unique value, or created. */
export interface HolderBook {
  /** The id of the client that holds the unique value in the tenant, if any. */
  clientHolding(tenantId: string, key: HolderKey, value: string): Promise<string | undefined>;
  /** Creates a client through the clients service (validation, uniqueness, timeline). */
  createClient(principal: Principal, input: unknown, options: { source: string }): Promise<{ id: string }>;
}

/** A policy, as far as an insurer event looks at it before changing it. */
export interface InsurerPolicy {
  id: string;
  clientId: string;
  version: number;
  policyNumber: string;
  status: string;
  renewedByPolicyId: string | null;
  endorsements: ReadonlyArray<{ reason: string }>;
}

/** The policies module as insurer events change it: every write through the policies service. */
export interface PolicyWriter {
  /** The insurer's policy by its number, read fresh (consistently) from its home item. */
  currentByNumber(
    tenantId: string,
    insurerId: string,
    policyNumber: string,
  ): Promise<InsurerPolicy | undefined>;
  /** The ids of the insurer's policies holding these numbers, by the number as given; unknown ones absent. */
  idsByNumbers(
    tenantId: string,
    insurerId: string,
    policyNumbers: readonly string[],
  ): Promise<Map<string, string>>;
  writePolicy(
    principal: Principal,
    input: unknown,
    options: { source: 'WEBHOOK'; idempotent: boolean },
  ): Promise<{ id: string }>;
  renewPolicy(principal: Principal, input: unknown): Promise<{ id: string; policyNumber: string }>;
  endorsePolicy(principal: Principal, input: unknown): Promise<unknown>;
  cancelPolicy(principal: Principal, input: unknown): Promise<unknown>;
  reactivatePolicy(principal: Principal, input: unknown): Promise<unknown>;
}

/** What one delivery's events read and write. */
export interface DeliveryBook {
  org: OrgReference;
  holders: HolderBook;
  policies: PolicyWriter;
}

/**
 * Opens the book for one delivery: its reads of rarely-changing org data (the insurer, product
 * lines, sellers and their hierarchy) are remembered for the delivery, read once instead of once per
 * event. Never kept across deliveries.
 */
export type OpenDeliveryBook = () => DeliveryBook;
