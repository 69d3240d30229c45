import { type AccessPattern, pattern } from './access-patterns-book.js';

/** Access patterns of the settlement module: bank accounts and commission payout batches. */
export const SETTLEMENT_ACCESS_PATTERNS: readonly AccessPattern[] = [
  pattern(
    'getBankAccount (a user, a partner or the brokerage)',
    'settlement',
    'GetItem',
    'table',
    'pk=T#<t>#BANK_ACCOUNT sk=<USER|PARTNER|BROKERAGE>:<id>',
    'built',
  ),
  pattern(
    'listBankAccounts (a payout reads the tenant’s accounts at once)',
    'settlement',
    'Query',
    'table',
    'pk=T#<t>#BANK_ACCOUNT',
    'built',
  ),
  pattern(
    'getCommissionPayouts (a month has at most one batch per ledger, read by id)',
    'settlement',
    'BatchGetItem',
    'table',
    'pk=T#<t>#PAYOUT#<yyyy-mm>.<ledger> sk=PAYOUT',
    'built',
  ),
  pattern(
    'listPayoutPayments (a batch’s transfers; line records beside them: sk^=LINE#)',
    'settlement',
    'Query',
    'table',
    'pk=T#<t>#PAYOUT#<id> sk^=PAYMENT#',
    'built',
  ),
  pattern(
    'listPayoutCarries (negative balances carried into a month)',
    'settlement',
    'Query',
    'table',
    'pk=T#<t>#PAYOUT_CARRY#<yyyy-mm>#<ledger>',
    'built',
  ),
  pattern(
    'getChartOfAccounts (account codes per journal role)',
    'settlement',
    'GetItem',
    'table',
    'pk=T#<t>#CHART_OF_ACCOUNTS sk=CHART',
    'built',
  ),
  pattern(
    'listPayoutsPaidBetween (batches by the time their month was marked paid: the journal)',
    'settlement',
    'Query',
    'table',
    'pk=T#<t>#PAYOUTS_PAID sk=<paidAt>#<id>',
    'built',
  ),
];
