import { type AccessPattern, pattern } from './access-patterns-book.js';

/** Access patterns of the access module (API keys). */
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
];
