import type { Principal } from '../../shared/auth/principal.js';
import type { ObjectStore } from '../../shared/object-store.js';
import type { UniqueField } from '../../shared/unique-fields.js';

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
  }): Array<{ field: UniqueField; value: string }>;
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

/** An archived insurer delivery linked to a client (the webhooks module's link item, as GDPR reads it). */
export interface SubjectArchiveLink {
  clientId: string;
  insurerId: string;
  webhookId: string;
  archiveKey: string;
  receivedAt: string;
  eventIds: string[];
}

/**
 * The insurer webhook archive as data subject requests reach it (satisfied by the webhooks module in
 * `gdpr-wiring.ts`): which archived deliveries concern a client, their events about the person, and
 * the rewrite of an archived body and its stored answer with the person's values removed.
 */
export interface SubjectArchives {
  linksOf(tenantId: string, clientId: string): Promise<SubjectArchiveLink[]>;
  /** Each linked delivery with those events of its body that concern the client (null: object gone). */
  deliveriesOf(
    tenantId: string,
    clientId: string,
  ): Promise<Array<SubjectArchiveLink & { events: unknown[] | null }>>;
  /** Rewrites the archived body and the delivery's stored answer with `scrub` applied to each value. */
  scrub(
    tenantId: string,
    link: SubjectArchiveLink,
    scrub: (value: unknown) => unknown,
  ): Promise<'REWRITTEN' | 'UNCHANGED' | 'DELETED' | 'MISSING'>;
}

/**
 * Stored files of other modules that name a client, refreshed once the client is anonymised: the
 * invoices module renders its invoice PDFs again from the pseudonymised records and removes dunning
 * letters. Idempotent.
 */
export interface SubjectStoredFiles {
  refreshAfterErasure(tenantId: string, clientId: string): Promise<{ rewritten: number; removed: number }>;
}
