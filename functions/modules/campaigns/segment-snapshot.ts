import type { CampaignSegment } from './campaigns.model.js';
import type {
  CampaignClient,
  CampaignClients,
  CampaignCrossSell,
  CampaignPolicies,
  CampaignPolicy,
  ClientSource,
} from './ports.js';

const PAGE = 100;
type Lister<T> = (page: {
  limit: number;
  cursor: string | null;
}) => Promise<{ items: T[]; nextCursor: string | null }>;

/** Every item of a paginated list, page by page. */
async function drain<T>(list: Lister<T>): Promise<T[]> {
  const all: T[] = [];
  let cursor: string | null = null;
  do {
    const page = await list({ limit: PAGE, cursor });
    all.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return all;
}

/** The client ids holding an ACTIVE policy of a product line (the product-line index). */
async function holdersOf(
  tenantId: string,
  policies: CampaignPolicies,
  productLineId: string,
): Promise<Set<string>> {
  const list = await drain((page) => policies.listOfProductLine(tenantId, productLineId, page));
  return new Set(list.filter((p) => p.status === 'ACTIVE').map((p) => p.clientId));
}

const intersect = (a: Set<string> | null, b: Set<string>): Set<string> =>
  a === null ? b : new Set([...a].filter((id) => b.has(id)));

/** Whether a client passes the criteria that are checked on the client itself. */
export function matchesClient(segment: CampaignSegment, client: CampaignClient): boolean {
  return (
    (segment.clientKind === null || client.kind === segment.clientKind) &&
    (segment.segment === null || client.segment === segment.segment) &&
    (segment.status === null || client.status === segment.status) &&
    (segment.branchId === null || client.branchId === segment.branchId) &&
    (segment.ownerId === null || client.ownerAdvisorId === segment.ownerId) &&
    segment.tags.every((tag) => client.tags.includes(tag)) &&
    (segment.marketingConsent === null || client.marketingConsent === segment.marketingConsent)
  );
}

/** The index that serves the client criteria best: owner, then branch, then status. */
function sourcesOf(segment: CampaignSegment): ClientSource[] {
  if (segment.ownerId) return [{ by: 'owner', ownerId: segment.ownerId }];
  if (segment.branchId) return [{ by: 'branch', branchId: segment.branchId }];
  if (segment.status) return [{ by: 'status', status: segment.status }];
  // No narrowing criterion: the tenant-wide client list, one status partition after another.
  return (['POTENTIAL', 'ACTIVE', 'LOST'] as const).map((status) => ({ by: 'status', status }));
}

/**
 * Resolves a segment to its clients, sorted by id, without a Scan: product lines held and the
 * renewal window come from the policies' product-line and renewal indexes and name the candidates
 * directly (read by id), and so do a product line's cross-sell candidates (from the learned rules);
 * otherwise the clients are listed from the owner's, branch's or status index. Criteria no index
 * serves are checked on each client.
 */
export async function resolveSegment(
  tenantId: string,
  segment: CampaignSegment,
  clients: CampaignClients,
  policies: CampaignPolicies,
  crossSell: CampaignCrossSell,
): Promise<CampaignClient[]> {
  let candidates: Set<string> | null = null;
  if (segment.crossSellCandidateFor) {
    candidates = await crossSell.candidatesFor(
      tenantId,
      segment.crossSellCandidateFor,
      segment.crossSellMinConfidence ?? null,
    );
  }
  for (const line of segment.productLinesHeld) {
    candidates = intersect(candidates, await holdersOf(tenantId, policies, line));
  }
  if (segment.renewalFrom || segment.renewalTo) {
    const ending: CampaignPolicy[] = await drain((page) =>
      policies.listEndingBetween(
        tenantId,
        segment.renewalFrom ?? '0000-01-01',
        segment.renewalTo ?? '9999-12-31',
        page,
      ),
    );
    candidates = intersect(candidates, new Set(ending.map((p) => p.clientId)));
  }
  const excluded = new Set<string>();
  for (const line of segment.productLinesNotHeld) {
    for (const id of await holdersOf(tenantId, policies, line)) excluded.add(id);
  }
  let found: CampaignClient[];
  if (candidates !== null) {
    found = await clients.getClients(tenantId, [...candidates]);
  } else {
    found = [];
    for (const source of sourcesOf(segment)) {
      found.push(...(await drain((page) => clients.listClients(tenantId, source, page))));
    }
  }
  return found
    .filter((c) => !excluded.has(c.id) && matchesClient(segment, c))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

export { drain };
