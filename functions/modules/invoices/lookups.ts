import type { Money } from '../../shared/money.js';

/**
 * What the invoices module reads of other modules, as narrow lookups it declares itself; the
 * composition root satisfies them from the clients, policies and org repositories.
 */

/** The parts of a client that invoicing and dunning use. */
export interface InvoiceClient {
  id: string;
  name: string;
  email: string | null;
  phone: string | null;
  branchId: string;
  regionId: string | null;
  /** Null while the client waits in the branch's shared pool. */
  ownerAdvisorId: string | null;
  /** Printed on invoices when known. */
  address?: { street: string; city: string; postalCode: string; country: string } | null;
  /** The parent in a corporate hierarchy (payment statistics group by its top). */
  parentClientId: string | null;
  /** Channel consents in the order they were recorded; the latest per channel decides. */
  consents: ReadonlyArray<{ channel: string; granted: boolean }>;
}

/** Clients by id, and the client an external reference (external, tax or national id) names. */
export interface ClientDirectory {
  getClient(tenantId: string, clientId: string): Promise<InvoiceClient | undefined>;
  getClients(tenantId: string, clientIds: string[]): Promise<InvoiceClient[]>;
  /** The client whose external id, tax id or national id is `ref`, if any. */
  clientIdByRef(tenantId: string, ref: string): Promise<string | undefined>;
}

/** The parts of a policy that invoices are drafted from. */
export interface InvoicePolicy {
  id: string;
  clientId: string;
  policyNumber: string;
  productLineId: string;
  insurerId: string;
  servicingAdvisorId: string | null;
  instalments: ReadonlyArray<{ dueDate: string; amount: Money }>;
}

export interface PolicyLookup {
  getPolicy(tenantId: string, policyId: string): Promise<InvoicePolicy | undefined>;
}

/** A tenant's settings as invoices use them: its name and locale on documents, its calendar and currency. */
/** The brokerage as the supplier its invoices name, and the account they are paid to. */
export interface InvoiceSupplier {
  registeredName: string;
  address: { street: string; city: string; postalCode: string; country: string };
  companyId: string | null;
  vatId: string | null;
  bankAccount: { iban: string; bic: string | null; bankName: string | null };
  taxNote: string | null;
}

export interface InvoiceTenant {
  name: string;
  baseCurrency: string;
  locale: string;
  timeZone: string;
  supplier?: InvoiceSupplier | null;
}

/** The tenants: their settings, and every tenant for the daily overdue sweep. */
export interface TenantDirectory {
  getTenantSettings(tenantId: string): Promise<InvoiceTenant | undefined>;
  listTenantIds(): Promise<string[]>;
}

/** A payment follow-up task for the collector (the tasks module), under an id derived from the step. */
export interface FollowUpRequest {
  id: string;
  assigneeId: string;
  clientId: string;
  title: string;
  dueAt: string;
}

/** Where dunning's collector step files its follow-up task: the tasks module's public entry. */
export interface FollowUpTasks {
  /** Creates the task once; false when a task with this id exists already. */
  createFollowUp(tenantId: string, request: FollowUpRequest): Promise<boolean>;
}

/** A statement row an insurer may have paid: handed to the settlement module before invoices are matched. */
export interface InsurerReceipt {
  /** The row's payment id (`bank-<importId>-<row>`), so a re-import is recognised. */
  id: string;
  importId: string;
  row: number;
  receivedDate: string;
  amount: Money;
  reference: string | null;
  payer: string | null;
  /** The payer's IBAN when the statement carries it. */
  payerIban: string | null;
  by: string;
}

/**
 * Where rows insurers paid go (the settlement module): a row from an insurer's account, or naming an
 * insurer's payment reference, is a commission settlement, not a client's payment.
 */
export interface InsurerReceipts {
  /** Records the row when an insurer paid it; null when no insurer did. `duplicate`: recorded before. */
  record(
    tenantId: string,
    receipt: InsurerReceipt,
  ): Promise<{ settlementId: string; insurerId: string; duplicate: boolean } | null>;
}

/** Everything the invoices module needs from other modules. */
export interface InvoiceLookups {
  clients: ClientDirectory;
  policies: PolicyLookup;
  tenants: TenantDirectory;
  /** Payment follow-up tasks; without it the collector step keeps only its own collector task item. */
  followUps?: FollowUpTasks;
  /** Insurers' commission payments on bank statements; without it every row is matched to invoices. */
  insurerReceipts?: InsurerReceipts;
}
