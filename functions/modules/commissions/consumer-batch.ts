import { mapLimit } from '../../shared/map-limit.js';
import { readOnce } from '../../shared/memoized-reads.js';
import type { ClientFacts, PolicyRecord } from './commission-lookups.js';
import type { CommissionPeriod, StoredScheme } from './commissions.model.js';

/** How many events of a stream batch the consumer computes (and promotes) at once. */
export const CONSUMER_CONCURRENCY = 8;

const tenantKey = (tenantId: string, id: string) => `${tenantId}\u0000${id}`;

/**
 * What the records of one stream batch share, read once per batch rather than once per record:
 * each tenant's schemes and periods, the clients of the batch's policies (one BatchGetItem) and the
 * policies its payments name. A batch is a few seconds of changes; an edit to a scheme during it
 * applies from the next batch, as if the edit had come a moment later, and a month approved during
 * it is caught by the open check every line write carries (the writer then re-reads the periods).
 */
export class ChangeBatch {
  private readonly schemesOf = new Map<string, Promise<StoredScheme[]>>();
  private readonly periodsOf = new Map<string, Promise<CommissionPeriod[]>>();
  private readonly clientsOf = new Map<string, ClientFacts | null>();
  private readonly policiesOf = new Map<string, PolicyRecord | null>();

  schemes(tenantId: string, read: () => Promise<StoredScheme[]>): Promise<StoredScheme[]> {
    return readOnce(this.schemesOf, tenantId, read);
  }

  periods(tenantId: string, read: () => Promise<CommissionPeriod[]>): Promise<CommissionPeriod[]> {
    return readOnce(this.periodsOf, tenantId, read);
  }

  /** After a write found a month locked: the next read of the tenant's periods goes to the table. */
  forgetPeriods(tenantId: string): void {
    this.periodsOf.delete(tenantId);
  }

  /** Reads the clients not yet known in one call (`read` gets each missing id once). */
  async loadClients(
    tenantId: string,
    ids: readonly string[],
    read: (missing: string[]) => Promise<Array<ClientFacts & { id: string }>>,
  ): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.clientsOf.has(tenantKey(tenantId, id)));
    if (missing.length === 0) return;
    const found = await read(missing);
    for (const id of missing) this.clientsOf.set(tenantKey(tenantId, id), null);
    for (const client of found) this.clientsOf.set(tenantKey(tenantId, client.id), client);
  }

  /** A client read by {@link loadClients}; null when it does not exist (or was never loaded). */
  client(tenantId: string, id: string): ClientFacts | null {
    return this.clientsOf.get(tenantKey(tenantId, id)) ?? null;
  }

  /** Reads the policies not yet known, a few at a time. */
  async loadPolicies(
    tenantId: string,
    ids: readonly string[],
    read: (id: string) => Promise<PolicyRecord | undefined>,
  ): Promise<void> {
    const missing = [...new Set(ids)].filter((id) => !this.policiesOf.has(tenantKey(tenantId, id)));
    await mapLimit(missing, CONSUMER_CONCURRENCY, async (id) => {
      this.policiesOf.set(tenantKey(tenantId, id), (await read(id)) ?? null);
    });
  }

  /** A policy read by {@link loadPolicies}; null when it does not exist (or was never loaded). */
  policy(tenantId: string, id: string): PolicyRecord | null {
    return this.policiesOf.get(tenantKey(tenantId, id)) ?? null;
  }
}

/**
 * The state an event reads and writes beyond its own lines, as opaque keys: its policy (its lines,
 * which a cancellation reads), and where the tenant's schemes make one event's outcome depend on
 * another's, the running totals, production counters and rate groups involved. Accruals are not
 * here: the consumer only adds to them (commuting ADDs), it never reads them.
 */
export interface ConflictKeys {
  reads: readonly string[];
  writes: readonly string[];
}

/**
 * The events that may run now, side by side: in stream order, each whose keys meet no earlier
 * pending event's the wrong way (it writes what an earlier one reads or writes, or reads what an
 * earlier one writes). A policy's second record therefore waits for its first; records of other
 * policies run together; and when the schemes tie events together (period totals, qualification),
 * the tied ones go one round after another in stream order, as a one-by-one consumer would book them.
 */
export function readyNow<T extends ConflictKeys>(pending: readonly T[]): T[] {
  const read = new Set<string>();
  const written = new Set<string>();
  const ready: T[] = [];
  for (const item of pending) {
    const blocked =
      item.writes.some((k) => read.has(k) || written.has(k)) || item.reads.some((k) => written.has(k));
    if (!blocked) ready.push(item);
    for (const k of item.reads) read.add(k);
    for (const k of item.writes) written.add(k);
  }
  return ready;
}
