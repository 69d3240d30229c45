import { type AccessPattern, pattern } from './access-patterns-book.js';

/** Access patterns of the campaigns module: campaigns, their member snapshots, sends and templates. */
export const CAMPAIGN_ACCESS_PATTERNS: readonly AccessPattern[] = [
  pattern('getCampaign', 'campaigns', 'GetItem', 'table', 'pk=T#<t>#CAMPAIGN#<id> sk=CAMPAIGN', 'built'),
  pattern(
    'listCampaigns (newest first)',
    'campaigns',
    'Query',
    'gsi1',
    'gsi1pk=T#<t>#CAMPAIGNS gsi1sk=<createdAt>#<id>',
    'built',
  ),
  pattern(
    'listCampaignMembers',
    'campaigns',
    'Query',
    'table',
    'pk=T#<t>#CAMPAIGN#<id> sk^=MEMBER#',
    'built',
  ),
  pattern(
    'getCampaignTemplate (per key and language)',
    'campaigns',
    'GetItem',
    'table',
    'pk=T#<t>#CAMPAIGN_TEMPLATE sk=<key>#<language>',
    'built',
  ),
];
