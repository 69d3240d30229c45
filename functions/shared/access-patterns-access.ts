import { type AccessPattern, pattern } from './access-patterns-book.js';

/** Access patterns of the access module (API keys, role permissions), the audit trail and outgoing webhooks. */
export const ACCESS_ACCESS_PATTERNS: readonly AccessPattern[] = [
  pattern(
    'getApiKey (x-api-key → key)',
    'access',
    'GetItem',
    'table',
    'pk=T#<t>#APIKEY sk=KEY#<id>',
    'built',
  ),
  pattern('listApiKeys', 'access', 'Query', 'table', 'pk=T#<t>#APIKEY sk^=KEY#', 'built'),
  pattern(
    'getRolePermissions (once per request)',
    'access',
    'GetItem',
    'table',
    'pk=T#<t>#SETTINGS sk=ROLE_PERMISSIONS',
    'built',
  ),
  pattern(
    'listAuditByEntity',
    'audit',
    'Query',
    'table',
    'pk=T#<t>#AUDIT#<type>#<id> sk between <from>..<to>',
    'built',
  ),
  pattern(
    'listAuditByActor',
    'audit',
    'Query',
    'gsi1',
    'gsi1pk=T#<t>#AUDIT_BY#<actor> gsi1sk between <from>..<to>',
    'built',
  ),
  pattern(
    'listAuditOfTenant',
    'audit',
    'Query',
    'gsi2',
    'gsi2pk=T#<t>#AUDIT_ALL gsi2sk between <from>..<to>',
    'built',
  ),
  pattern('listWebhookEndpoints', 'outgoing', 'Query', 'table', 'pk=T#<t>#HOOK sk^=ENDPOINT#', 'built'),
  pattern(
    'listWebhookEndpointDeliveries',
    'outgoing',
    'Query',
    'table',
    'pk=T#<t>#HOOK#<endpoint> sk^=DELIVERY#',
    'built',
  ),
  pattern(
    'listWebhookDeliveriesDue (retry schedule)',
    'outgoing',
    'Query',
    'gsi1',
    'gsi1pk=T#<t>#HOOK#DUE gsi1sk<=<now>',
    'built',
  ),
];
