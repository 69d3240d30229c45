import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { loadOrg } from '../../graphql/loaders.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';
import { OrgKind } from '../../shared/table-design.js';
import type { Branch, LeadSource, Partner, User } from '../org/org.model.js';
import type { Consent } from './clients.model.js';

/** The consent in force per channel: the latest record of each. */
function currentConsents(consents: Consent[]): Consent[] {
  const latest = new Map<string, Consent>();
  for (const c of consents) latest.set(c.channel, c);
  return [...latest.values()];
}

/** Client resolvers: parse arguments, call the clients service, map to the schema. */
export const clientsResolvers: Resolvers = {
  Query: {
    client: (_root, { id }, { principal, services }) => services.clients.getClient(principal, id),
    clientCard: (_root, { id }, { principal, services }) => services.clients.clientCard(principal, id),
    clientTimeline: async (_root, args, { principal, services }) =>
      toConnection(await services.clients.timeline(principal, args.clientId, pageArgs(args))),
    clients: async (_root, args, { principal, services }) =>
      toConnection(await services.clients.listClients(principal, args.filter, pageArgs(args))),
    clientPool: async (_root, args, { principal, services }) =>
      toConnection(await services.clients.poolClients(principal, args.branchId ?? null, pageArgs(args))),
    referredClients: async (_root, args, { principal, services }) =>
      toConnection(await services.clients.referredClients(principal, pageArgs(args))),
  },
  Mutation: {
    createClient: (_root, { input }, { principal, services }) =>
      services.clients.createClient(principal, input),
    updateClient: (_root, { input }, { principal, services }) =>
      services.clients.updateClient(principal, input),
    changeClientStatus: (_root, { input }, { principal, services }) =>
      services.clients.changeStatus(principal, input),
    recordConsent: (_root, { input }, { principal, services }) =>
      services.clients.recordConsent(principal, input),
    addContact: (_root, { input }, { principal, services }) => services.clients.addContact(principal, input),
    addNote: (_root, { input }, { principal, services }) => services.clients.addNote(principal, input),
    transferClient: (_root, { input }, { principal, services }) =>
      services.clients.transferClient(principal, input),
    transferBook: (_root, { input }, { principal, services }) =>
      services.clients.transferBook(principal, input),
    releaseToPool: (_root, { input }, { principal, services }) =>
      services.clients.releaseToPool(principal, input),
    takeFromPool: (_root, { input }, { principal, services }) =>
      services.clients.takeFromPool(principal, input),
  },
  Client: {
    parent: (client, _args, { principal, services }) =>
      client.parentClientId ? services.clients.getClient(principal, client.parentClientId) : null,
    leadSource: (client, _args, ctx) => loadOrg<LeadSource>(ctx, OrgKind.LeadSource, client.leadSourceId),
    referringPartner: (client, _args, ctx) =>
      loadOrg<Partner>(ctx, OrgKind.Partner, client.referringPartnerId),
    ownerAdvisor: (client, _args, ctx) => loadOrg<User>(ctx, OrgKind.User, client.ownerAdvisorId),
    branch: (client, _args, ctx) => loadOrg<Branch>(ctx, OrgKind.Branch, client.branchId),
    currentConsents: (client) => currentConsents(client.consents),
  },
  TimelineEntry: {
    policy: (entry, _args, { principal, services }) =>
      entry.policyId ? services.policies.getPolicy(principal, entry.policyId) : null,
  },
  // ClientCard's balance and debtor come from the invoices resolvers, commissionSummary from the
  // commissions resolvers.
};
