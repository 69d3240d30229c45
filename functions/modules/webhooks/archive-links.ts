import { gunzipSync, gzipSync } from 'node:zlib';
import type { Db } from '../../shared/db.js';
import { fromItem, toItem } from '../../shared/items.js';
import { ObjectArchivedError, type ObjectStore } from '../../shared/object-store.js';
import { EntityType, keys } from '../../shared/table-design.js';
import type { Processed } from './responses.js';
import type { WebhookDelivery } from './webhooks.model.js';

/**
 * Which archived insurer deliveries concern which client, so a data subject's export and erasure
 * reach the S3 objects that name them (the archive key names only tenant, insurer, day and id).
 */

/** A client's link to an archived delivery: where the body is and which of its events concern them. */
export interface WebhookArchiveLink {
  clientId: string;
  insurerId: string;
  webhookId: string;
  archiveKey: string;
  receivedAt: string;
  /** The insurer's ids of the delivery's events about the client's policies. */
  eventIds: string[];
}

/** An archived delivery as a data subject's export shows it: the link and the events about them. */
export interface ArchivedDeliveryOfClient extends WebhookArchiveLink {
  /** The events of the archived body that concern the client (null when the object is gone or unreadable). */
  events: unknown[] | null;
}

/** What an erasure did to one archived delivery. */
export type ArchiveScrubOutcome = 'REWRITTEN' | 'UNCHANGED' | 'DELETED' | 'MISSING';

/**
 * The links a processed delivery leaves: one per client whose policy a policy event of the delivery
 * wrote or addressed (applied now or before: the event's record keeps the client). Premium payments
 * and commission statements name policies by number and amounts only, so they link no one. Written
 * with deterministic keys, before the delivery's answer is stored: a retry or replay writes the same
 * items again, never a second. No read: the clients come with the events' outcomes.
 */
export async function linkDeliveryToClients(
  db: Db,
  tenantId: string,
  delivery: Pick<WebhookDelivery, 'insurerId' | 'webhookId' | 'archiveKey' | 'receivedAt'>,
  processed: Processed,
): Promise<void> {
  if (processed.kind !== 'report' || !processed.linked || processed.linked.size === 0) return;
  const eventsByClient = new Map<string, string[]>();
  for (const [eventId, clientId] of processed.linked)
    eventsByClient.set(clientId, [...(eventsByClient.get(clientId) ?? []), eventId]);
  const items = [...eventsByClient].map(([clientId, eventIds]) => {
    const link: WebhookArchiveLink = {
      clientId,
      insurerId: delivery.insurerId,
      webhookId: delivery.webhookId,
      archiveKey: delivery.archiveKey,
      receivedAt: delivery.receivedAt,
      eventIds: [...eventIds].sort(),
    };
    return toItem(
      keys.webhookArchiveLink(tenantId, clientId, delivery.insurerId, delivery.webhookId),
      EntityType.WebhookArchiveLink,
      tenantId,
      link,
    );
  });
  await db.batchWrite(items);
}

/**
 * The archived deliveries that concern a client, read and scrubbed for data subject requests (the
 * GDPR module reaches them through its port, wired in `gdpr-wiring.ts`).
 */
export class WebhookArchives {
  constructor(
    private readonly db: Db,
    private readonly archive: { store: ObjectStore; bucket: string },
  ) {}

  /** listWebhookArchivesOfClient: one Query on the client's collection (sk^=R#WEBHOOK#). */
  async linksOf(tenantId: string, clientId: string): Promise<WebhookArchiveLink[]> {
    const items = await this.db.queryAll({
      partition: keys.clientCollection(tenantId, clientId),
      beginsWith: keys.webhookArchiveLinkPrefix,
    });
    return items.map((i) => fromItem<WebhookArchiveLink>(i));
  }

  /** Each linked archive with the events of its body that concern the client (not other holders'). */
  async deliveriesOf(tenantId: string, clientId: string): Promise<ArchivedDeliveryOfClient[]> {
    const links = await this.linksOf(tenantId, clientId);
    return Promise.all(
      links.map(async (link) => {
        let body: unknown;
        try {
          body = await this.readBody(link.archiveKey);
        } catch (error) {
          if (error instanceof ObjectArchivedError) return { ...link, events: null };
          throw error;
        }
        return { ...link, events: body === undefined ? null : eventsAbout(body, link.eventIds) };
      }),
    );
  }

  /**
   * Rewrites a linked archive object with `scrub` applied to every value of its body (other holders
   * of a batch keep theirs; the body is re-serialised, so its insurer signature no longer verifies),
   * and the delivery's stored answer (its idempotency record) likewise. An object S3 has moved to
   * Glacier cannot be read to rewrite it, so it is deleted.
   */
  async scrub(
    tenantId: string,
    link: WebhookArchiveLink,
    scrub: (value: unknown) => unknown,
  ): Promise<ArchiveScrubOutcome> {
    let outcome: ArchiveScrubOutcome;
    try {
      const raw = await this.archive.store.get(this.archive.bucket, link.archiveKey);
      if (raw === undefined) outcome = 'MISSING';
      else {
        const text = Buffer.from(raw).toString('utf8');
        const rewritten = rewriteText(text, scrub);
        if (rewritten === text) outcome = 'UNCHANGED';
        else {
          await this.archive.store.put(this.archive.bucket, link.archiveKey, rewritten, 'application/json');
          outcome = 'REWRITTEN';
        }
      }
    } catch (error) {
      if (!(error instanceof ObjectArchivedError)) throw error;
      await this.archive.store.delete(this.archive.bucket, link.archiveKey);
      outcome = 'DELETED';
    }
    await this.scrubStoredAnswer(tenantId, link, scrub);
    return outcome;
  }

  /** The delivery's remembered answer (gzipped in its dedupe record, kept until its TTL) with `scrub` applied. */
  private async scrubStoredAnswer(
    tenantId: string,
    link: WebhookArchiveLink,
    scrub: (value: unknown) => unknown,
  ): Promise<void> {
    const key = keys.webhookDedupe(tenantId, link.insurerId, link.webhookId);
    const item = await this.db.get(key, { consistent: true });
    const response = item?.response as { statusCode: number; bodyGzip: Uint8Array } | null | undefined;
    if (!item || !response?.bodyGzip) return;
    const text = gunzipSync(response.bodyGzip).toString('utf8');
    const rewritten = rewriteText(text, scrub);
    if (rewritten === text) return;
    await this.db.put({ ...item, response: { ...response, bodyGzip: gzipSync(rewritten) } });
  }

  private async readBody(archiveKey: string): Promise<unknown> {
    const raw = await this.archive.store.get(this.archive.bucket, archiveKey);
    if (raw === undefined) return undefined;
    const text = Buffer.from(raw).toString('utf8');
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text;
    }
  }
}

/** JSON scrubbed value by value (and written back as JSON); other text scrubbed as one string. */
function rewriteText(text: string, scrub: (value: unknown) => unknown): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return String(scrub(text));
  }
  const after = scrub(parsed);
  return JSON.stringify(after) === JSON.stringify(parsed) ? text : JSON.stringify(after);
}

/** The events of a body (a batch `{ events: [...] }` or one event) whose ids are listed. */
function eventsAbout(body: unknown, eventIds: readonly string[]): unknown[] {
  const wanted = new Set(eventIds);
  const events =
    body !== null && typeof body === 'object' && Array.isArray((body as { events?: unknown }).events)
      ? ((body as { events: unknown[] }).events ?? [])
      : [body];
  return events.filter(
    (e) => e !== null && typeof e === 'object' && wanted.has(String((e as { id?: unknown }).id)),
  );
}
