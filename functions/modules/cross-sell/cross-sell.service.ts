import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import { ValidationFailedError } from '../../shared/errors.js';
import {
  DEFAULT_LEARN_OPTIONS,
  explain,
  type LearnOptions,
  learnRules,
  rankCandidates,
  ratiosOf,
} from './association-rules.js';
import type { CrossSellRepository } from './cross-sell.repository.js';
import { type CrossSellBook, type CrossSellCatalog, type CrossSellLine, readBaskets } from './ports.js';

/** A product line to offer a client, with why. Ratios are decimal strings. */
export interface CrossSellCandidate {
  productLine: CrossSellLine;
  support: string;
  confidence: string;
  lift: string;
  explanation: string;
}

/** What one learning run did, per tenant. */
export interface CrossSellRunResult {
  tenants: number;
  clients: number;
  rules: number;
}

/**
 * Cross-sell: the daily schedule learns association rules from each tenant's own book; the query
 * ranks the product lines a client does not hold by them.
 */
export class CrossSellService {
  constructor(
    private readonly repo: CrossSellRepository,
    private readonly book: CrossSellBook,
    private readonly catalog: CrossSellCatalog,
    private readonly clock: Clock,
    private readonly options: LearnOptions = DEFAULT_LEARN_OPTIONS,
  ) {}

  /** Learns every tenant's rules from its holdings and replaces the stored ones. */
  async learnAll(): Promise<CrossSellRunResult> {
    const result: CrossSellRunResult = { tenants: 0, clients: 0, rules: 0 };
    for (const tenantId of await this.book.listTenantIds()) {
      const learned = await this.learnTenant(tenantId);
      result.tenants++;
      result.clients += learned.clients;
      result.rules += learned.rules;
    }
    return result;
  }

  async learnTenant(tenantId: string): Promise<{ clients: number; rules: number }> {
    const baskets = await readBaskets(this.book, tenantId);
    const learned = learnRules(baskets.values(), this.options);
    await this.repo.putRules(tenantId, learned, this.clock.now().toISOString());
    return { clients: learned.clients, rules: learned.rules.length };
  }

  /** The product lines a client does not hold, best first (at most `first`, 1–20). */
  async candidates(principal: Principal | null, clientId: string, first = 3): Promise<CrossSellCandidate[]> {
    const p = authorize(principal, 'crossSell:read');
    if (!Number.isInteger(first) || first < 1 || first > 20) {
      throw new ValidationFailedError('Invalid input: first must be 1–20', [
        { path: 'first', message: 'must be 1–20' },
      ]);
    }
    const held = await this.book.clientLines(p, clientId);
    const learned = await this.repo.getRules(p.tenantId);
    if (!learned) return [];
    const lines = new Map((await this.catalog.productLines(p.tenantId)).map((l) => [l.id, l]));
    const codeOf = (id: string) => lines.get(id)?.code ?? id;
    return rankCandidates(learned, held)
      .filter((r) => lines.get(r.line)?.active)
      .slice(0, first)
      .map((r) => ({
        productLine: lines.get(r.line) as CrossSellLine,
        ...ratiosOf(learned, r),
        explanation: explain(learned, r, codeOf),
      }));
  }
}
