import type { TransactOp } from '../../shared/db.js';
import type { ConsentPurpose } from './leads.model.js';

/** A unique value a lead may match an existing client by, in the order tried. */
export type LeadMatchField = 'NATIONAL_ID' | 'TAX_ID' | 'CLIENT_EMAIL';

/** A consent given with a lead, and how (where, in what words, when) it was given. */
export interface LeadConsent {
  channel: ConsentPurpose;
  how: string;
}

/** A new potential client from a lead, owned by the advisor whose turn it is. */
export interface NewLeadClient {
  kind: 'PERSON' | 'COMPANY';
  firstName: string | null;
  lastName: string | null;
  companyName: string | null;
  email: string | null;
  phone: string | null;
  nationalId: string | null;
  taxId: string | null;
  leadSourceId: string;
  /** The partner who referred the client (a partner's portal lead); null for a public form's lead. */
  referringPartnerId: string | null;
  ownerAdvisorId: string;
  consents: LeadConsent[];
  /** Where the lead came from, for the client's history, e.g. `lead form "Car insurance landing page"`. */
  how: string;
  /** Who files it, in the client's history and on its consents (default: the lead intake). */
  actor?: string;
}

/** What lead intake needs of the clients module. */
export interface LeadClients {
  /** The client holding a unique value, if any. */
  clientHolding(tenantId: string, field: LeadMatchField, value: string): Promise<string | undefined>;
  /** The partner an existing client was referred by (null for none). */
  referringPartnerOf(tenantId: string, clientId: string): Promise<string | null>;
  /** The ops creating a POTENTIAL client (validated, its unique values claimed), and its id. */
  potentialClientOps(tenantId: string, lead: NewLeadClient): Promise<{ clientId: string; ops: TransactOp[] }>;
  /** The ops recording consents given with a lead for an existing client, at the version read. */
  consentOps(
    tenantId: string,
    clientId: string,
    consents: LeadConsent[],
    actor?: string,
  ): Promise<TransactOp[]>;
}

/** A first-contact task for the advisor whose turn it is. */
export interface FirstContactTask {
  id: string;
  clientId: string;
  assigneeId: string;
  title: string;
  dueAt: string;
  /** What the advisor should know: the products asked about, the partner's note. */
  note?: string | null;
}

/** What lead intake needs of the tasks module. */
export interface LeadTasks {
  /** The ops creating the first-contact task. */
  firstContactTaskOps(tenantId: string, task: FirstContactTask, actor?: string): Promise<TransactOp[]>;
}

/** What lead forms need of the org module. */
export interface LeadOrg {
  /** Ids of the active advisors of a branch, in a stable order (the round-robin's circle). */
  branchAdvisorIds(tenantId: string, branchId: string): Promise<string[]>;
  /** A branch's region; undefined for an unknown branch. */
  branchRegion(tenantId: string, branchId: string): Promise<{ regionId: string | null } | undefined>;
  hasLeadSource(tenantId: string, leadSourceId: string): Promise<boolean>;
  /** A partner's name and whether it still refers clients; undefined for an unknown partner. */
  partner(tenantId: string, partnerId: string): Promise<{ name: string; active: boolean } | undefined>;
  /** The codes of the tenant's active product lines (e.g. MTPL). */
  productLineCodes(tenantId: string): Promise<string[]>;
}
