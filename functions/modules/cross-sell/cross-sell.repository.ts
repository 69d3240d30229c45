import type { Db } from '../../shared/db.js';
import { toItem } from '../../shared/items.js';
import { EntityType, keys } from '../../shared/table-design.js';
import type { AssociationRule, LearnedRules } from './association-rules.js';

/** A tenant's learned rules as stored: rules packed as `a,b>c:together:antecedentCount` (line indexes). */
interface StoredRules {
  learnedAt: string;
  clients: number;
  lines: string[];
  lineCounts: number[];
  rules: string[];
}

const pack = (r: AssociationRule) =>
  `${r.antecedent.join(',')}>${r.consequent}:${r.together}:${r.antecedentCount}`;

function unpack(text: string): AssociationRule {
  const [sides = '', together = '0', antecedentCount = '0'] = text.split(':');
  const [antecedent = '', consequent = '0'] = sides.split('>');
  return {
    antecedent: antecedent.split(',').map(Number),
    consequent: Number(consequent),
    together: Number(together),
    antecedentCount: Number(antecedentCount),
  };
}

/** The tenant's cross-sell rules: one item, replaced by each learning run (integers only). */
export class CrossSellRepository {
  constructor(private readonly db: Db) {}

  /** putCrossSellRules: replaces the tenant's rules with a run's. */
  async putRules(tenantId: string, learned: LearnedRules, learnedAt: string): Promise<void> {
    const record: StoredRules = {
      learnedAt,
      clients: learned.clients,
      lines: learned.lines,
      lineCounts: learned.lineCounts,
      rules: learned.rules.map(pack),
    };
    await this.db.put(toItem(keys.crossSellRuleSet(tenantId), EntityType.CrossSellRules, tenantId, record));
  }

  /** getCrossSellRules: one GetItem; undefined before the first learning run. */
  async getRules(tenantId: string): Promise<(LearnedRules & { learnedAt: string }) | undefined> {
    const item = await this.db.get(keys.crossSellRuleSet(tenantId));
    if (!item) return undefined;
    const stored = item as unknown as StoredRules;
    return {
      learnedAt: stored.learnedAt,
      clients: stored.clients,
      lines: stored.lines,
      lineCounts: stored.lineCounts,
      rules: stored.rules.map(unpack),
    };
  }
}
