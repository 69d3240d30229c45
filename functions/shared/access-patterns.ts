import { ACCESS_ACCESS_PATTERNS } from './access-patterns-access.js';
import { type AccessPattern, BOOK_ACCESS_PATTERNS } from './access-patterns-book.js';
import { CAMPAIGN_ACCESS_PATTERNS } from './access-patterns-campaigns.js';
import { LEADS_ACCESS_PATTERNS } from './access-patterns-leads.js';
import { MONEY_ACCESS_PATTERNS } from './access-patterns-money.js';
import { SETTLEMENT_ACCESS_PATTERNS } from './access-patterns-settlement.js';
import { TASK_ACCESS_PATTERNS } from './access-patterns-tasks.js';

export type { AccessPattern } from './access-patterns-book.js';

/**
 * Every named access pattern of the product, one per line of the README's access-pattern table
 * (`npm run docs` writes it; a unit test checks they agree).
 */
export const ACCESS_PATTERNS: readonly AccessPattern[] = [
  ...BOOK_ACCESS_PATTERNS,
  ...MONEY_ACCESS_PATTERNS,
  ...TASK_ACCESS_PATTERNS,
  ...CAMPAIGN_ACCESS_PATTERNS,
  ...ACCESS_ACCESS_PATTERNS,
  ...SETTLEMENT_ACCESS_PATTERNS,
  ...LEADS_ACCESS_PATTERNS,
];
