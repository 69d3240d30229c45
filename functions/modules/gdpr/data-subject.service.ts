import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import type { StoredItem } from '../../shared/db.js';
import { RuleViolationError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { fromItem } from '../../shared/items.js';
import { type ClientIndexFields, EntityType, type ItemKey } from '../../shared/table-design.js';
import { parseInput } from '../../shared/validation.js';
import {
  type DataSubjectRepository,
  KEPT_ATTRIBUTES,
  type SubjectHoldings,
} from './data-subject.repository.js';
import {
  type DataSubjectErasure,
  type DataSubjectExport,
  EraseDataSubjectSchema,
  ExportDataSubjectSchema,
  SUBJECT_EXPORT_LINK_SECONDS,
  type SubjectDocument,
} from './gdpr.model.js';
import type {
  SubjectArchiveLink,
  SubjectArchives,
  SubjectBook,
  SubjectDocuments,
  SubjectFiles,
  SubjectStoredFiles,
} from './ports.js';
import {
  identifyingStrings,
  pseudonymOf,
  type SubjectIdentity,
  scrubDocument,
  scrubRecord,
} from './scrub.js';
import { subjectLanguageOf } from './subject-pdf-messages.js';

/**
 * A data subject's rights over what the brokerage holds on them: the access export (JSON and a
 * readable PDF behind signed links) and erasure as anonymisation. Erasure keeps every ledger line,
 * invoice and audit entry (their amounts untouched) under the client's id, which names no one once
 * the record is anonymised; it removes the person's name, national id, e-mail and phone from the
 * client, its timeline, tasks, campaign snapshots and mail records, and from the audit images; from
 * the archived insurer deliveries that concern them and those deliveries' stored answers; and from
 * stored files: invoice PDFs are rendered again, dunning letters and the person's exports removed.
 */
export class DataSubjectService {
  constructor(
    private readonly repo: DataSubjectRepository,
    private readonly book: SubjectBook,
    private readonly clock: Clock,
    private readonly files: SubjectFiles | null,
    private readonly documents: SubjectDocuments | null = null,
    private readonly stores: {
      /** The insurer webhook archive; absent where a process has no archive bucket. */
      archives?: SubjectArchives | null;
      /** Other modules' stored files about the client (invoice PDFs, dunning letters). */
      storedFiles?: SubjectStoredFiles | null;
    } = {},
  ) {}

  /** Writes everything held on one client (and nothing of anyone else) to S3, answering signed links. */
  async exportSubject(principal: Principal | null, input: unknown): Promise<DataSubjectExport> {
    const p = authorize(principal, 'gdpr:manage');
    const { clientId } = parseInput(ExportDataSubjectSchema, input);
    if (!this.files)
      throw new RuleViolationError('Exports need a reports bucket, and this deployment has none');
    const client = await this.requireClientItem(p, clientId);
    const [held, archived] = await Promise.all([
      this.repo.holdings(p.tenantId, client),
      this.stores.archives?.deliveriesOf(p.tenantId, clientId) ?? [],
    ]);
    const document = documentOf(held, this.clock.now().toISOString(), archived);
    const base = `${p.tenantId}/data-subjects/${clientId}/${newId()}`;
    const { enumKeysOf, renderSubjectPdf } = await import('./subject-pdf.js');
    const tenant = await this.documents?.tenant(p.tenantId);
    const language = subjectLanguageOf(tenant?.locale);
    const enums = new Map<string, string>();
    for (const { group, value } of enumKeysOf(document)) {
      const text = await this.documents?.enumText(language, group, value);
      if (text) enums.set(`${group}.${value}`, text);
    }
    const pdf = await renderSubjectPdf(document, {
      tenantName: tenant?.name ?? null,
      language,
      locale: tenant?.locale ?? 'en',
      timeZone: tenant?.timeZone ?? 'UTC',
      enums,
    });
    await Promise.all([
      this.files.store.put(
        this.files.bucket,
        `${base}.json`,
        JSON.stringify(document, null, 2),
        'application/json',
      ),
      this.files.store.put(this.files.bucket, `${base}.pdf`, pdf, 'application/pdf'),
    ]);
    const link = (ext: string) =>
      this.files?.store.signedGetUrl(
        this.files.bucket,
        `${base}.${ext}`,
        SUBJECT_EXPORT_LINK_SECONDS,
        `data-subject-${clientId}.${ext}`,
      ) ?? '';
    const [jsonUrl, pdfUrl] = await Promise.all([link('json'), link('pdf')]);
    return {
      clientId,
      jsonUrl,
      pdfUrl,
      expiresAt: new Date(this.clock.now().getTime() + SUBJECT_EXPORT_LINK_SECONDS * 1000).toISOString(),
      sections: Object.entries(document.sections).map(([name, items]) => ({ name, items: items.length })),
    };
  }

  /**
   * Anonymises a client. Everything that names them is rewritten first and the client record last, so
   * a request that fails midway is finished by asking again; asking again after success rewrites
   * nothing new. The client's own change is audited like any other (actor, time, request id, reason).
   */
  async eraseSubject(principal: Principal | null, input: unknown): Promise<DataSubjectErasure> {
    const p = authorize(principal, 'gdpr:manage');
    const { clientId, reason } = parseInput(EraseDataSubjectSchema, input);
    const client = await this.requireClientItem(p, clientId);
    const pseudonym = pseudonymOf(p.tenantId, clientId);
    const alreadyErased = typeof client.erasedAt === 'string';
    // Once erased, the record holds only the pseudonym: a repeat clears fields by name and cuts nothing.
    const strings = alreadyErased ? [] : identifyingStrings(client as unknown as SubjectIdentity);
    const held = await this.repo.holdings(p.tenantId, client);
    const scrub = (item: StoredItem) => scrubRecord(item, strings, pseudonym, KEPT_ATTRIBUTES);

    const contacts = held.collection.filter((i) => i.type === EntityType.Contact);
    const rewritten = [
      ...held.collection.filter((i) => i.type !== EntityType.Contact),
      ...held.tasks,
      ...held.campaignMail,
    ]
      .map((item) => [item, scrub(item)] as const)
      .filter(([before, after]) => JSON.stringify(before) !== JSON.stringify(after))
      .map(([, after]) => after);
    await this.repo.rewrite(rewritten);
    await this.repo.remove(contacts.map(keyOf));
    // Before the record is anonymised: a repeat no longer knows the values to cut out.
    const archivesChanged = await this.scrubArchives(p.tenantId, client, strings, pseudonym);

    const erasedAt = alreadyErased ? String(client.erasedAt) : this.clock.now().toISOString();
    if (!alreadyErased) {
      const released: ItemKey[] = this.book
        .uniqueValuesOf(fromItem(client))
        .map((u) => this.repo.uniqueKey(p.tenantId, u.field, u.value));
      const anonymised = scrub(client);
      const changes = {
        name: pseudonym,
        sortName: this.book.sortNameOf(pseudonym),
        companyName: client.kind === 'COMPANY' ? pseudonym : null,
        firstName: null,
        lastName: null,
        birthDate: null,
        nationalId: null,
        taxId: null,
        email: null,
        phone: null,
        address: null,
        externalId: null,
        tags: anonymised.tags ?? [],
        consents: anonymised.consents ?? [],
        erasedAt,
        erasureReason: scrubRecord({ reason }, strings, pseudonym).reason,
        updatedAt: erasedAt,
      };
      await this.repo.anonymiseClient(
        p.tenantId,
        client,
        changes,
        { ...fromItem<ClientIndexFields>(client), sortName: changes.sortName },
        released,
      );
    }
    // After it: the PDFs render from the anonymised records. Repeated by a repeat (idempotent), uncounted.
    const files = await this.refreshFiles(p.tenantId, clientId);
    // Audit images last: the erasure's own entry (just written) holds the record as it stood before.
    const policyIds = held.collection.filter((i) => i.type === EntityType.Policy).map((i) => String(i.id));
    const audit = await this.repo.auditEntriesOf(p.tenantId, clientId, policyIds);
    const auditRewritten = audit
      .map((entry) => [entry, scrubAuditEntry(entry, strings, pseudonym)] as const)
      .filter(([before, after]) => JSON.stringify(before) !== JSON.stringify(after))
      .map(([, after]) => after);
    await this.repo.rewrite(auditRewritten);
    return {
      clientId,
      pseudonym,
      erasedAt,
      alreadyErased,
      itemsChanged:
        rewritten.length +
        contacts.length +
        auditRewritten.length +
        archivesChanged +
        (alreadyErased ? 0 : 1 + files),
    };
  }

  /** Rewrites each archived insurer delivery linked to the client (and its stored answer) without them. */
  private async scrubArchives(
    tenantId: string,
    client: StoredItem,
    strings: readonly string[],
    pseudonym: string,
  ): Promise<number> {
    const archives = this.stores.archives;
    if (!archives || strings.length === 0) return 0;
    const identifiers = [client.nationalId, client.taxId, client.email].filter(
      (v): v is string => typeof v === 'string',
    );
    const scrub = (value: unknown) => scrubDocument(value, strings, identifiers, pseudonym);
    let changed = 0;
    for (const link of await archives.linksOf(tenantId, String(client.id))) {
      const outcome = await archives.scrub(tenantId, link, scrub);
      if (outcome === 'REWRITTEN' || outcome === 'DELETED') changed += 1;
    }
    return changed;
  }

  /**
   * Invoice PDFs rendered again and dunning letters removed (the invoices module's port), and the
   * person's earlier access exports (JSON and PDF, `<tenant>/data-subjects/<clientId>/`) deleted.
   */
  private async refreshFiles(tenantId: string, clientId: string): Promise<number> {
    const documents = (await this.stores.storedFiles?.refreshAfterErasure(tenantId, clientId)) ?? {
      rewritten: 0,
      removed: 0,
    };
    let exports = 0;
    if (this.files) {
      const { store, bucket } = this.files;
      const keys = await store.list(bucket, `${tenantId}/data-subjects/${clientId}/`);
      for (const key of keys) await store.delete(bucket, key);
      exports = keys.length;
    }
    return documents.rewritten + documents.removed + exports;
  }

  private async requireClientItem(p: Principal, clientId: string): Promise<StoredItem> {
    await this.book.requireClient(p, clientId);
    const item = await this.repo.getClientItem(p.tenantId, clientId);
    if (!item) throw new RuleViolationError('The client disappeared while the request ran', { clientId });
    return item;
  }
}

/** An audit entry with the person removed from its before and after images; the entry itself stays. */
function scrubAuditEntry(entry: StoredItem, strings: readonly string[], pseudonym: string): StoredItem {
  const image = (value: unknown) =>
    value && typeof value === 'object'
      ? scrubRecord(value as Record<string, unknown>, strings, pseudonym, KEPT_ATTRIBUTES)
      : value;
  return { ...entry, before: image(entry.before), after: image(entry.after) };
}

function keyOf(item: StoredItem): ItemKey {
  return { pk: item.pk, sk: item.sk };
}

const records = (items: StoredItem[]) => items.map((i) => fromItem<Record<string, unknown>>(i));
const ofType = (items: StoredItem[], ...types: string[]) => items.filter((i) => types.includes(i.type));

/**
 * The export's content: the client, consents, policies, invoices, timeline, tasks, campaign mail,
 * audit entries and archived insurer messages. Contacts are people of their own: only their id and role are listed.
 */
export function documentOf(
  held: SubjectHoldings,
  exportedAt: string,
  archived: ReadonlyArray<SubjectArchiveLink & { events: unknown[] | null }> = [],
): SubjectDocument {
  const client = fromItem<Record<string, unknown>>(held.client);
  return {
    clientId: String(held.client.id),
    exportedAt,
    sections: {
      client: [client],
      consents: Array.isArray(client.consents) ? client.consents : [],
      contacts: ofType(held.collection, EntityType.Contact).map((c) => ({ id: c.id, role: c.role ?? null })),
      policies: records(ofType(held.collection, EntityType.Policy)),
      invoices: records(ofType(held.collection, EntityType.Invoice, EntityType.ClientCredit)),
      timeline: records(ofType(held.collection, EntityType.TimelineEntry)),
      tasks: records(held.tasks),
      emails: records(held.campaignMail),
      auditTrail: records(held.audit),
      // The insurers' messages about the person's policies, as archived: only their events about them.
      insurerMessages: archived.map((a) => ({
        insurerId: a.insurerId,
        webhookId: a.webhookId,
        receivedAt: a.receivedAt,
        events: a.events,
      })),
    },
  };
}
