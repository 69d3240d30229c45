/**
 * One page of every list as a front end shows it: the documented page size (`first: 100`, the cap)
 * with the fields a table of that list displays, names of related objects included. The cost limit
 * must let each through (test/unit/graphql/operation-cost.test.ts).
 */
const page = (field: string, node: string) =>
  `{ ${field} { edges { cursor node { ${node} } } pageInfo { hasNextPage endCursor } } }`;
const money = 'amount currency';

export const LIST_PAGE_QUERIES: Record<string, string> = {
  regions: page('regions(first: 100)', 'id name active version updatedAt'),
  branches: page('branches(first: 100)', 'id name kind active version region { id name }'),
  users: page(
    'users(first: 100)',
    'id name email phone role scope active version branch { id name } manager { id name }',
  ),
  rateGroups: page('rateGroups(first: 100)', 'id name description active version'),
  partners: page('partners(first: 100)', 'id name kind email companyId active version'),
  leadSources: page('leadSources(first: 100)', 'id name active version'),
  insurers: page('insurers(first: 100)', 'id name companyId active webhookPath version'),
  productLines: page('productLines(first: 100)', 'id code name active version'),
  clientTimeline: page(
    'clientTimeline(clientId: "c1", first: 100)',
    'id kind at by summary noteKind text fromStatus toStatus reason policy { id policyNumber }',
  ),
  clients: page(
    'clients(first: 100)',
    'id kind name email phone segment status inPool tags version ownerAdvisor { id name } branch { id name } leadSource { id name } referringPartner { id name }',
  ),
  clientPool: page(
    'clientPool(first: 100)',
    'id kind name email phone segment status version branch { id name } leadSource { id name }',
  ),
  referredClients: page(
    'referredClients(first: 100)',
    'id status segment createdAt productLines policies { id status productLineCode termStart termEnd inForce }',
  ),
  policies: page(
    'policies(first: 100)',
    `id policyNumber holderName status businessType productLineCode frequency termStart termEnd version premium { ${money} } client { id name } insurer { id name } productLine { id name } seller { id name } servicingAdvisor { id name } branch { id name }`,
  ),
  debtors: page(
    'debtors(first: 100)',
    `id number dueDate daysOverdue status dunningStep version total { ${money} } outstanding { ${money} } client { id name } policy { id policyNumber }`,
  ),
  invoicesDue: page(
    'invoicesDue(status: ISSUED, period: "2026-11", first: 100)',
    `id number issueDate dueDate status version total { ${money} } outstanding { ${money} } client { id name } policy { id policyNumber }`,
  ),
  payments: page(
    'payments(filter: { period: "2026-11" }, first: 100)',
    `id invoiceId invoiceNumber paidDate period late source reference amount { ${money} } applied { ${money} } credited { ${money} }`,
  ),
  unmatchedPayments: page(
    'unmatchedPayments(first: 100)',
    `id source row paidDate reference payer reason at amount { ${money} }`,
  ),
  campaigns: page(
    'campaigns(first: 100)',
    'id name periodFrom periodTo productLineIds ownerId status memberCount startedAt createdAt version',
  ),
  tasks: page(
    'tasks(first: 100)',
    'id typeCode title assigneeId branchId clientId policyId dueAt slaDueAt expectedMinutes priority status outcome note checkpoint process stepKey createdBy delegatedBy createdAt updatedAt completedAt version',
  ),
  alerts: page(
    'alerts(first: 100)',
    'id kind taskId title checkpoint clientId assigneeId managerId slaDueAt raisedAt',
  ),
  importJobs: page(
    'importJobs(first: 100)',
    'id kind status rowsTotal rowsDone createdBy createdAt updatedAt finishedAt error counts { outcome rows }',
  ),
  reportJobs: page(
    'reportJobs(first: 100)',
    'id type format status progress rows period locale url expiresAt fileName error createdAt finishedAt',
  ),
  apiKeys: page(
    'apiKeys(first: 100)',
    'id name role scope partnerId rateLimitPerMinute status createdAt createdBy expiresAt revokedAt lastUsedAt version',
  ),
  auditTrail: page(
    'auditTrail(first: 100)',
    'id entityType entityId action actorId actorKind requestId at before after changedFields',
  ),
  partnerUsers: page('partnerUsers(first: 100)', 'id name partnerId partnerAdmin active createdAt'),
  subAgents: page('subAgents(first: 100)', 'id name active createdAt'),
  partnerCommissionLines: page(
    'partnerCommissionLines(first: 100)',
    `id period kind policyId createdAt amount { ${money} } approvedAmount { ${money} }`,
  ),
  webhookEndpoints: page(
    'webhookEndpoints(first: 100)',
    'id url description eventTypes active disabledAt disabledReason consecutiveFailures createdAt version',
  ),
  webhookEndpointDeliveries: page(
    'webhookEndpointDeliveries(endpointId: "e1", first: 100)',
    'id endpointId eventType status nextAttemptAt createdAt deliveredAt attempts { at statusCode latencyMs error replay }',
  ),
  failedChanges: page(
    'failedChanges(first: 100)',
    'id consumer error attempts firstFailedAt lastFailedAt status replayedAt',
  ),
  collectorTasks: page(
    'collectorTasks(first: 100)',
    `id invoiceId invoiceNumber clientId assigneeId at letterUrl amount { ${money} }`,
  ),
  webhookDeliveries: page(
    'webhookDeliveries(insurerId: "i1", first: 100)',
    'webhookId receivedAt bodyBytes statusCode accepted duplicates rejected reprocessedAt',
  ),
  commissionLines: page(
    'commissionLines(first: 100)',
    `id ledger period kind policyId createdAt reason amount { ${money} } approvedAmount { ${money} } policy { id policyNumber holderName } recipient { kind id name } explanation { formula ruleName schemeVersion role }`,
  ),
  schemeVersionAffectedPolicies: page(
    'schemeVersionAffectedPolicies(schemeId: "s1", version: 1, first: 100)',
    `id policyNumber clientId insurerId productLineCode branchId sellerId writtenDate status premium { ${money} }`,
  ),
  openCommissionDisputes: page(
    'openCommissionDisputes(first: 100)',
    'id lineId comment status raisedBy raisedAt version',
  ),
};
