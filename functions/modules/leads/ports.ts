import type { TransactOp } from '../../shared/db.js';
import type { LeadConsentChannel } from './leads.model.js';

/** A unique value a lead may match an existing client by, in the order tried. */
export type LeadMatchField = 'NATIONAL_ID' | 'TAX_ID' | 'CLIENT_EMAIL';

/** A new potential client from a lead, owned by the advisor whose turn it is. */
export interface NewLeadClient {
  firstName: string;
  lastName: string;
  email: string | null;
  phone: string | null;
  nationalId: string | null;
  taxId: string | null;
  leadSourceId: string;
  ownerAdvisorId: string;
  consents: LeadConsentChannel[];
  /** How the consents were given, e.g. `lead form "Car insurance landing page"`. */
  how: string;
}

/** What lead intake needs of the clients module. */
export interface LeadClients {
  /** The client holding a unique value, if any. */
  clientHolding(tenantId: string, field: LeadMatchField, value: string): Promise<string | undefined>;
  /** The ops creating a POTENTIAL client (validated, its unique values claimed), and its id. */
  potentialClientOps(tenantId: string, lead: NewLeadClient): Promise<{ clientId: string; ops: TransactOp[] }>;
  /** The ops recording consents given on the form for an existing client, at the version read. */
  consentOps(
    tenantId: string,
    clientId: string,
    channels: LeadConsentChannel[],
    how: string,
  ): Promise<TransactOp[]>;
}

/** A first-contact task for the advisor whose turn it is. */
export interface FirstContactTask {
  id: string;
  clientId: string;
  assigneeId: string;
  title: string;
  dueAt: string;
}

/** What lead intake needs of the tasks module. */
export interface LeadTasks {
  /** The ops creating the first-contact task. */
  firstContactTaskOps(tenantId: string, task: FirstContactTask): Promise<TransactOp[]>;
}

/** What lead forms need of the org module. */
export interface LeadOrg {
  /** Ids of the active advisors of a branch, in a stable order (the round-robin's circle). */
  branchAdvisorIds(tenantId: string, branchId: string): Promise<string[]>;
  /** A branch's region; undefined for an unknown branch. */
  branchRegion(tenantId: string, branchId: string): Promise<{ regionId: string | null } | undefined>;
  hasLeadSource(tenantId: string, leadSourceId: string): Promise<boolean>;
}
