import type { Principal } from '../../shared/auth/principal.js';
import type { Page } from '../../shared/db.js';
import type { Mailer } from '../../shared/mailer.js';

type PageRequest = { limit: number; cursor: string | null };

/** A client as campaigns see it: the fields segments filter on and e-mails merge. */
export interface CampaignClient {
  id: string;
  kind: 'PERSON' | 'COMPANY';
  name: string;
  firstName: string | null;
  email: string | null;
  segment: 'INDIVIDUAL' | 'BUSINESS' | 'VIP';
  status: 'POTENTIAL' | 'ACTIVE' | 'LOST';
  ownerAdvisorId: string | null;
  branchId: string;
  tags: string[];
  /** The latest MARKETING_EMAIL consent record says granted. */
  marketingConsent: boolean;
  createdAt: string;
}

/** Which client index a segment is served from: the owner's, the branch's, or one status's. */
export type ClientSource =
  | { by: 'owner'; ownerId: string }
  | { by: 'branch'; branchId: string }
  | { by: 'status'; status: CampaignClient['status'] };

/** The clients module, through the indexes it keeps (no Scan). */
export interface CampaignClients {
  listClients(tenantId: string, source: ClientSource, page: PageRequest): Promise<Page<CampaignClient>>;
  getClients(tenantId: string, ids: string[]): Promise<CampaignClient[]>;
  /** Clients created on the days from–to (inclusive), counted on the by-creation index. */
  countCreatedBetween(tenantId: string, fromDay: string, toDay: string): Promise<number>;
  /** Appends a withdrawn MARKETING_EMAIL consent (with its timeline entry); false if the client is gone. */
  withdrawMarketingConsent(tenantId: string, clientId: string, how: string): Promise<boolean>;
}

/** A unique value a prospect may match an existing client by: national id, tax id, e-mail, external id. */
export type ProspectMatchField = 'NATIONAL_ID' | 'TAX_ID' | 'CLIENT_EMAIL' | 'CLIENT_EXTERNAL_ID';

/** What a prospect import needs of the clients module. */
export interface CampaignProspects {
  /** The client holding a unique value (the value as written in the file; the port normalises it). */
  clientHolding(tenantId: string, field: ProspectMatchField, value: string): Promise<string | undefined>;
  /**
   * Creates a client through the clients module's own create (its validation with `input.` field
   * paths, unique claims, scope and timeline), on behalf of the principal importing.
   */
  createClient(principal: Principal, input: Record<string, unknown>): Promise<CampaignClient>;
}

/** A policy as campaigns see it. */
export interface CampaignPolicy {
  id: string;
  clientId: string;
  productLineId: string;
  status: string;
  writtenDate: string;
}

/** The policies module, through its product-line and renewal indexes. */
export interface CampaignPolicies {
  listOfProductLine(
    tenantId: string,
    productLineId: string,
    page: PageRequest,
  ): Promise<Page<CampaignPolicy>>;
  /** ACTIVE policies whose term ends within [from, to]. */
  listEndingBetween(
    tenantId: string,
    from: string,
    to: string,
    page: PageRequest,
  ): Promise<Page<CampaignPolicy>>;
}

/** The cross-sell module: the clients a product line is a candidate for. */
export interface CampaignCrossSell {
  /** Clients a learned rule recommends the line to, with at least `minConfidence` (null: any rule). */
  candidatesFor(tenantId: string, productLineId: string, minConfidence: string | null): Promise<Set<string>>;
}

/** A campaign task as the funnel reads it. */
export interface CampaignTask {
  id: string;
  assigneeId: string;
  status: 'OPEN' | 'DONE' | 'CANCELLED';
  outcome: string | null;
}

/** What distribution asks the tasks module for. */
export interface CampaignTaskRequest {
  id: string;
  typeCode: 'CALL' | 'MEETING' | 'OFFER' | 'CUSTOM';
  title: string;
  assigneeId: string;
  clientId: string;
  dueAt: string;
}

/** The tasks module: campaign work is a task per member. */
export interface CampaignTasks {
  /** Creates the task under its deterministic id; false when it exists already. */
  createTask(tenantId: string, request: CampaignTaskRequest): Promise<boolean>;
  getTasks(tenantId: string, ids: string[]): Promise<CampaignTask[]>;
  /** Open tasks per assignee, tenant-wide. */
  openTaskLoad(tenantId: string): Promise<Map<string, number>>;
}

/** A user as distribution checks it. */
export interface CampaignUser {
  id: string;
  name: string;
  active: boolean;
  /** May own clients and take campaign tasks (advisors, managers). */
  takesClients: boolean;
}

/** The org module: users, product lines and the tenant's locale. */
export interface CampaignOrg {
  getUser(tenantId: string, userId: string): Promise<CampaignUser | undefined>;
  productLineExists(tenantId: string, productLineId: string): Promise<boolean>;
  leadSourceExists(tenantId: string, leadSourceId: string): Promise<boolean>;
  tenantSettings(tenantId: string): Promise<{ name: string; locale: string }>;
}

/** Where campaign e-mails go out, and the public base URL unsubscribe links point at. */
export interface CampaignMail {
  mailer: Mailer;
  from: string;
  publicBaseUrl: string;
}

/** The HMAC keys unsubscribe tokens are signed with, newest first (the first signs, all verify). */
export interface SigningKeys {
  keys(): Promise<readonly Buffer[]>;
}
