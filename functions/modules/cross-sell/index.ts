/**
 * The cross-sell module's public entry: association rules between product lines learned from each
 * tenant's book (the `cross-sell` schedule) and the candidates they rank for a client.
 */
import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import type { LearnOptions } from './association-rules.js';
import { CrossSellRepository } from './cross-sell.repository.js';
import { CrossSellService } from './cross-sell.service.js';
import { CrossSellTargeting } from './line-targeting.js';
import type { CrossSellBook, CrossSellCatalog } from './ports.js';

export {
  type AssociationRule,
  type LearnedRules,
  type LearnOptions,
  learnRules,
  rankCandidates,
} from './association-rules.js';
export type { CrossSellCandidate, CrossSellRunResult, CrossSellService } from './cross-sell.service.js';
export type { CrossSellTargeting } from './line-targeting.js';
export type { CrossSellBook, CrossSellCatalog, CrossSellLine, Holding } from './ports.js';

export interface CrossSellDeps {
  db: Db;
  clock: Clock;
  book: CrossSellBook;
  catalog: CrossSellCatalog;
  /** How rules are learned (tests of small books lower `minTogether`). */
  learnOptions?: LearnOptions;
}

export function createCrossSellModule(deps: CrossSellDeps): CrossSellService {
  return new CrossSellService(
    new CrossSellRepository(deps.db),
    deps.book,
    deps.catalog,
    deps.clock,
    deps.learnOptions,
  );
}

/** The clients a product line is a candidate for, from the learned rules and the tenant's holdings. */
export function createCrossSellTargeting(deps: {
  db: Db;
  book: Pick<CrossSellBook, 'holdingsPage'>;
}): CrossSellTargeting {
  return new CrossSellTargeting(new CrossSellRepository(deps.db), deps.book);
}
