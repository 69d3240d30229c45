/**
 * The root fields a partner user may call: the query matrix checks the Query list against what the
 * API actually allows a partner (test/integration/auth/query-matrix.int.test.ts), and the partner
 * schema walk (test/unit/graphql/partner-schema.test.ts) walks every type they reach.
 */
export const PARTNER_FIELDS = {
  Query: [
    'me',
    'health',
    'tenant',
    'referredClients',
    'commissionAccruals',
    'commissionPeriods',
    'partnerCommissionLines',
    'partnerUsers',
    'subAgents',
    'reportJobs',
  ],
  Mutation: [
    'disputeCommissionLine',
    'createPartnerUser',
    'createSubAgent',
    'requestReport',
    'submitPartnerLead',
  ],
  Subscription: ['commissionAccrualChanged'],
} as const;

/** Partner fields only a partner's admin gets an answer from (a plain partner user is FORBIDDEN). */
export const PARTNER_ADMIN_QUERIES: readonly string[] = ['partnerUsers', 'subAgents'];
