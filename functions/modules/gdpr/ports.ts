import type { Principal } from '../../shared/auth/principal.js';
import type { ObjectStore } from '../../shared/object-store.js';

/** What data subject requests need of the clients module: the scope check and its record rules. */
export interface SubjectBook {
  /** The client if the principal's scope reaches it (NOT_FOUND or FORBIDDEN otherwise). */
  requireClient(principal: Principal, clientId: string): Promise<unknown>;
  /** The unique claims a client holds (national id, tax id, e-mail, external id), to release on erasure. */
  uniqueValuesOf(client: {
    nationalId: string | null;
    taxId: string | null;
    email: string | null;
    externalId: string | null;
  }): Array<{ field: string; value: string }>;
  /** The sort form of a name (the by-name indexes). */
  sortNameOf(name: string): string;
}

/** Where subject access exports are written: the reports bucket. */
export interface SubjectFiles {
  store: ObjectStore;
  bucket: string;
}

/** Enum groups a subject export prints (statuses, segments), as the reports module names them. */
export type SubjectEnumGroup = 'clientStatus' | 'segment' | 'policyStatus' | 'invoiceStatus';

/** What the readable export needs beyond the person's data: the brokerage, and enum values in words. */
export interface SubjectDocuments {
  tenant(tenantId: string): Promise<{ name: string; locale: string; timeZone: string } | undefined>;
  enumText(language: string, group: SubjectEnumGroup, value: string): Promise<string | null>;
}
