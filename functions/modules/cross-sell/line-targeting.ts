import Decimal from 'decimal.js';
import { type LearnedRules, rankCandidates } from './association-rules.js';
import type { CrossSellRepository } from './cross-sell.repository.js';
import { type CrossSellBook, readBaskets } from './ports.js';

/**
 * The clients a product line is a cross-sell candidate for: those who do not hold it and whom a
 * learned rule recommends it to (the rule `crossSellCandidates` ranks it by, with at least the given
 * confidence). The popularity fallback alone makes no candidate, or every client without the line
 * would be one. Campaigns target these clients ("the candidates of a product line").
 */
export class CrossSellTargeting {
  constructor(
    private readonly repo: CrossSellRepository,
    private readonly book: Pick<CrossSellBook, 'holdingsPage'>,
  ) {}

  /**
   * Reads the tenant's learned rules (one GetItem) and, only when some rule recommends the line, its
   * holdings page by page (the by-status index, as learning does: a Query, never a Scan).
   */
  async candidatesFor(
    tenantId: string,
    productLineId: string,
    minConfidence: string | null,
  ): Promise<Set<string>> {
    const learned = await this.repo.getRules(tenantId);
    const line = learned?.lines.indexOf(productLineId) ?? -1;
    if (!learned || line < 0) return new Set();
    const min = new Decimal(minConfidence ?? 0);
    const rules = learned.rules.filter(
      (r) => r.consequent === line && new Decimal(r.together).div(r.antecedentCount).gte(min),
    );
    if (rules.length === 0) return new Set();
    const baskets = await readBaskets(this.book, tenantId);
    return candidatesAmong(learned, rules, productLineId, baskets);
  }
}

/** The clients whose ranking of the line rests on one of `rules` (the line's rules above the floor). */
export function candidatesAmong(
  learned: LearnedRules,
  rules: LearnedRules['rules'],
  productLineId: string,
  baskets: ReadonlyMap<string, ReadonlySet<string>>,
): Set<string> {
  // Ranking against the line's rules only gives the line the rule the full ranking would pick.
  const only: LearnedRules = { ...learned, rules };
  const found = new Set<string>();
  for (const [clientId, held] of baskets) {
    if (held.has(productLineId)) continue;
    const ranked = rankCandidates(only, held).find((r) => r.line === productLineId);
    if (ranked?.rule) found.add(clientId);
  }
  return found;
}
