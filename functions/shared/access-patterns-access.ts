import { type AccessPattern, pattern } from './access-patterns-book.js';

/** Access patterns of the access module (API keys) and of outgoing webhooks. */
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
