import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/db.js';
import { OrgKind } from '../shared/table-design.js';
import { type BookRepositories, bookRepositories } from './book-wiring.js';
import { ClientBook } from './clients/index.js';
import { type CrossSellDeps, type CrossSellService, createCrossSellModule } from './cross-sell/index.js';
import type { ProductLine } from './org/index.js';

/** Holdings are read 1,000 policies a page: few round trips, bounded memory per page. */
const HOLDINGS_PAGE = 1000;

/**
 * The cross-sell module's ports: holdings from the tenant's ACTIVE policies (the by-status index,
 * page by page: a Query, never a Scan), a client's lines from its card within the caller's scope,
 * product lines from the org catalog.
 */
export function crossSellPorts(
  repositories: BookRepositories,
  book: ClientBook,
): Pick<CrossSellDeps, 'book' | 'catalog'> {
  return {
    book: {
      listTenantIds: () => repositories.org.listTenantIds(),
      holdingsPage: async (tenantId, cursor) => {
        const page = await repositories.policies.listPoliciesByTermEnd(
          tenantId,
          { status: 'ACTIVE' },
          { limit: HOLDINGS_PAGE, cursor },
          {},
        );
        return {
          items: page.items.map((p) => ({ clientId: p.clientId, productLineId: p.productLineId })),
          cursor: page.nextCursor,
        };
      },
      clientLines: async (principal, clientId) => {
        await book.requireClient(principal, clientId);
        const card = await repositories.clients.clientCard(principal.tenantId, clientId);
        return new Set(
          (card?.policies ?? []).filter((p) => p.status === 'ACTIVE').map((p) => p.productLineId),
        );
      },
    },
    catalog: {
      productLines: (tenantId) =>
        repositories.org.listAllOrgEntities<ProductLine>(tenantId, OrgKind.ProductLine),
    },
  };
}

/** The cross-sell schedule's composition: the module over the book's repositories only. */
export function composeCrossSell(db: Db, clock: Clock): CrossSellService {
  const repositories = bookRepositories(db);
  const book = new ClientBook(repositories.clients, repositories.org, clock);
  return createCrossSellModule({ db, clock, ...crossSellPorts(repositories, book) });
}
