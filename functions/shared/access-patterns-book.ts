import type { IndexName } from './table-design.js';

/** A named access pattern: README's table is kept from this list (a test checks they agree). */
export interface AccessPattern {
  name: string;
  module: string;
  operation: 'GetItem' | 'Query' | 'BatchGetItem';
  index: 'table' | IndexName;
  key: string;
  status: 'built' | 'planned';
}

export const pattern = (
  name: string,
  module: string,
  operation: AccessPattern['operation'],
  index: AccessPattern['index'],
  key: string,
  status: AccessPattern['status'],
): AccessPattern => ({ name, module, operation, index, key, status });

/** Access patterns of the org, webhooks, clients and policies modules. */
export const BOOK_ACCESS_PATTERNS: readonly AccessPattern[] = [
  pattern('getTenantSettings', 'org', 'GetItem', 'table', 'pk=T#<t> sk=TENANT', 'built'),
  pattern(
    'listOrgEntities (regions, branches, users, rate groups, partners, lead sources, insurers, product lines)',
    'org',
    'Query',
    'table',
    'pk=T#<t>#ORG#<KIND>',
    'built',
  ),
  pattern('getOrgEntity', 'org', 'GetItem', 'table', 'pk=T#<t>#ORG#<KIND> sk=<id>', 'built'),
  pattern('listUserMoves', 'org', 'Query', 'table', 'pk=T#<t>#USER#<id> sk^=MOVE#', 'built'),
  pattern('listRateGroupMemberships', 'org', 'Query', 'table', 'pk=T#<t>#USER#<id> sk^=RATE_GROUP#', 'built'),
  pattern(
    'getInsurerRoute (webhook → tenant)',
    'webhooks',
    'GetItem',
    'table',
    'pk=ROUTE#INSURER#<id> sk=ROUTE',
    'built',
  ),
  pattern('getInsurerSecret', 'webhooks', 'GetItem', 'table', 'pk=T#<t>#INSURER#<id> sk=SECRET', 'built'),
  pattern(
    'getUnique (national id, tax id, e-mail, policy number, external id, invoice payment reference, applied bank row or insurer payment)',
    'clients',
    'GetItem',
    'table',
    'pk=T#<t>#UNIQUE#<field>#S<n> sk=<value>',
    'built',
  ),
  pattern(
    'getUniques (the policy numbers a webhook delivery names: policy ids for its premium payments)',
    'policies',
    'BatchGetItem',
    'table',
    'pk=T#<t>#UNIQUE#POLICY_NUMBER#S<n> sk=<insurer>/<number>',
    'built',
  ),
  pattern(
    'clientCard (client, contacts, policies, invoices, credits, open tasks)',
    'clients',
    'Query',
    'table',
    'pk=T#<t>#CLIENT#<id> sk^=A#',
    'built',
  ),
  pattern(
    'clientTimeline (status changes, notes, policy events…, newest first)',
    'clients',
    'Query',
    'table',
    'pk=T#<t>#CLIENT#<id> sk^=H#',
    'built',
  ),
  pattern(
    'listClientsByAdvisor (optionally by status)',
    'clients',
    'Query',
    'gsi1',
    'gsi1pk=T#<t>#OWNER#<user>#CLIENT gsi1sk=<status>#<name>#<id>',
    'built',
  ),
  pattern(
    'listClientsByStatus',
    'clients',
    'Query',
    'gsi2',
    'gsi2pk=T#<t>#CLIENT#STATUS#<status>#S<n> (64 shards, merged) gsi2sk=<name>#<id>',
    'built',
  ),
  pattern(
    'countClientsCreatedBetween (new clients per day)',
    'clients',
    'Query',
    'gsi6',
    'gsi6pk=T#<t>#CLIENT#CREATED#S<n> (64 shards, counted each) gsi6sk=<createdAt>#<id>',
    'built',
  ),
  pattern(
    'listClientsByBranch (optionally by status)',
    'clients',
    'Query',
    'gsi3',
    'gsi3pk=T#<t>#BRANCH#<branch>#CLIENT#S<n> (64 shards, merged) gsi3sk=<status>#<name>#<id>',
    'built',
  ),
  pattern(
    'listBranchPool',
    'clients',
    'Query',
    'gsi4',
    'gsi4pk=T#<t>#POOL#<branch> gsi4sk=<name>#<id>',
    'built',
  ),
  pattern(
    'listClientsByReferringPartner',
    'clients',
    'Query',
    'gsi5',
    'gsi5pk=T#<t>#PARTNER#<partner>#CLIENT gsi5sk=<status>#<id>',
    'built',
  ),
  pattern('getPolicyById', 'policies', 'Query', 'gsi5', 'gsi5pk=T#<t>#POLICY#<id>', 'built'),
  pattern(
    'getPoliciesByRef (a ledger page: policies whose client the line carries)',
    'policies',
    'BatchGetItem',
    'table',
    'pk=T#<t>#CLIENT#<client> sk=A#POLICY#<id>',
    'built',
  ),
  pattern(
    'listPoliciesByAdvisor (optionally by status)',
    'policies',
    'Query',
    'gsi1',
    'gsi1pk=T#<t>#OWNER#<user>#POLICY gsi1sk=<status>#<start>#<id>',
    'built',
  ),
  pattern(
    'listPoliciesByInsurer (optionally by status)',
    'policies',
    'Query',
    'gsi2',
    'gsi2pk=T#<t>#INSURER#<id>#POLICY#S<n> (32 shards, merged) gsi2sk=<status>#<start>#<id>',
    'built',
  ),
  pattern(
    'listPoliciesByBranch (optionally by status)',
    'policies',
    'Query',
    'gsi3',
    'gsi3pk=T#<t>#BRANCH#<id>#POLICY#S<n> (64 shards, merged) gsi3sk=<status>#<start>#<id>',
    'built',
  ),
  pattern(
    'listPoliciesByProductLine (optionally by status)',
    'policies',
    'Query',
    'gsi4',
    'gsi4pk=T#<t>#PRODUCT#<id>#POLICY#S<n> (32 shards, merged) gsi4sk=<status>#<start>#<id>',
    'built',
  ),
  pattern(
    "listPoliciesWritten (a scheme version's affected policies: per insurer, else product line, else branch; written dates, currency, appliesTo and scope filtered in the Query)",
    'policies',
    'Query',
    'gsi2',
    'gsi2pk=T#<t>#INSURER#<id>#POLICY#S<n> (32 shards, merged; gsi4 by product line, gsi3 by branch: 32, 64)',
    'built',
  ),
  pattern(
    'listPoliciesByStatus and the renewal window (term end between dates)',
    'policies',
    'Query',
    'gsi6',
    'gsi6pk=T#<t>#POLICY#STATUS#<status>#S<n> (32 shards, merged) gsi6sk=<termEnd>#<id>',
    'built',
  ),
  pattern('listTenants (tenant-wide schedules)', 'org', 'Query', 'table', 'pk=TENANTS', 'built'),
];
