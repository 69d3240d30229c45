import type { Principal } from '../../shared/auth/principal.js';

/** One product line a client holds (an ACTIVE policy of it). */
export interface Holding {
  clientId: string;
  productLineId: string;
}

/** What cross-sell reads of the book: holdings page by page (a Query, never a Scan), one client's lines. */
export interface CrossSellBook {
  listTenantIds(): Promise<string[]>;
  /** One page of the tenant's holdings; `cursor` null on the last page. */
  holdingsPage(tenantId: string, cursor: string | null): Promise<{ items: Holding[]; cursor: string | null }>;
  /** The product lines a client within the principal's scope holds (NOT_FOUND / FORBIDDEN otherwise). */
  clientLines(principal: Principal, clientId: string): Promise<Set<string>>;
}

/** A product line of the org catalog, whole (GraphQL resolves it as the catalog's `ProductLine`). */
export interface CrossSellLine {
  id: string;
  code: string;
  name: string;
  active: boolean;
  version: number;
  createdAt: string;
  updatedAt: string;
}

export interface CrossSellCatalog {
  productLines(tenantId: string): Promise<CrossSellLine[]>;
}

/** Every client's product lines in a tenant (its baskets), read page by page from the holdings index. */
export async function readBaskets(
  book: Pick<CrossSellBook, 'holdingsPage'>,
  tenantId: string,
): Promise<Map<string, Set<string>>> {
  const baskets = new Map<string, Set<string>>();
  let cursor: string | null = null;
  do {
    const page = await book.holdingsPage(tenantId, cursor);
    for (const h of page.items) {
      const basket = baskets.get(h.clientId) ?? new Set<string>();
      basket.add(h.productLineId);
      baskets.set(h.clientId, basket);
    }
    cursor = page.cursor;
  } while (cursor);
  return baskets;
}
