import { type AccessPattern, pattern } from './access-patterns-book.js';

/** Access patterns of the leads and cross-sell modules. */
export const LEADS_ACCESS_PATTERNS: readonly AccessPattern[] = [
  pattern('listLeadForms', 'leads', 'Query', 'table', 'pk=T#<t>#LEADFORM sk^=FORM#', 'built'),
  pattern(
    'getLeadFormRoute (public form id → tenant)',
    'leads',
    'GetItem',
    'table',
    'pk=ROUTE#LEADFORM#<id> sk=ROUTE',
    'built',
  ),
  pattern('getLeadForm', 'leads', 'GetItem', 'table', 'pk=T#<t>#LEADFORM sk=FORM#<id>', 'built'),
  pattern(
    "getPartnerLeadReceipt (a partner's lead by its own reference)",
    'leads',
    'GetItem',
    'table',
    'pk=T#<t>#PARTNERLEAD#<partner> sk=REF#<reference>',
    'built',
  ),
  pattern(
    'getCrossSellRules (one item per tenant)',
    'crosssell',
    'GetItem',
    'table',
    'pk=T#<t>#XSELL sk=RULES',
    'built',
  ),
];
