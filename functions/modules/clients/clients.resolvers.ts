import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { loadOrg } from '../../graphql/loaders.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';
import { OrgKind } from '../../shared/table-design.js';
import type { Branch, LeadSource, Partner, User } from '../org/index.js';
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
    client: (_root, { id }, { principal, services }) => services.clients.reads.getClient(principal, id),
    clientCard: (_root, { id }, { principal, services }) => services.clients.reads.clientCard(principal, id),
    clientTimeline: async (_root, args, { principal, services }) =>
      toConnection(await services.clients.reads.timeline(principal, args.clientId, pageArgs(args))),
    clients: async (_root, args, { principal, services }) =>
      toConnection(await services.clients.reads.listClients(principal, args.filter, pageArgs(args))),
    clientPool: async (_root, args, { principal, services }) =>
      toConnection(
        await services.clients.reads.poolClients(principal, args.branchId ?? null, pageArgs(args)),
      ),
    referredClients: async (_root, args, { principal, services }) =>
      toConnection(await services.clients.reads.referredClients(principal, pageArgs(args))),
  },
  Mutation: {
    createClient: (_root, { input }, { principal, services }) =>
      services.clients.records.createClient(principal, input),
    updateClient: (_root, { input }, { principal, services }) =>
      services.clients.records.updateClient(principal, input),
    changeClientStatus: (_root, { input }, { principal, services }) =>
      services.clients.records.changeStatus(principal, input),
    recordConsent: (_root, { input }, { principal, services }) =>
      services.clients.records.recordConsent(principal, input),
    addContact: (_root, { input }, { principal, services }) =>
      services.clients.records.addContact(principal, input),
    addNote: (_root, { input }, { principal, services }) =>
      services.clients.records.addNote(principal, input),
    transferClient: (_root, { input }, { principal, services }) =>
      services.clients.transfers.transferClient(principal, input),
    transferBook: (_root, { input }, { principal, services }) =>
      services.clients.transfers.transferBook(principal, input),
    releaseToPool: (_root, { input }, { principal, services }) =>
      services.clients.transfers.releaseToPool(principal, input),
    takeFromPool: (_root, { input }, { principal, services }) =>
      services.clients.transfers.takeFromPool(principal, input),
  },
  Client: {
    parent: (client, _args, { principal, services }) =>
      client.parentClientId ? services.clients.reads.getClient(principal, client.parentClientId) : null,
    leadSource: (client, _args, ctx) => loadOrg<LeadSource>(ctx, OrgKind.LeadSource, client.leadSourceId),
    referringPartner: (client, _args, ctx) =>
      loadOrg<Partner>(ctx, OrgKind.Partner, client.referringPartnerId),
    ownerAdvisor: (client, _args, ctx) => loadOrg<User>(ctx, OrgKind.User, client.ownerAdvisorId),
    branch: (client, _args, ctx) => loadOrg<Branch>(ctx, OrgKind.Branch, client.branchId),
    currentConsents: (client) => currentConsents(client.consents),
  },
  TimelineEntry: {
    policy: (entry, _args, { principal, services }) =>
      entry.policyId ? services.policies.reads.getPolicy(principal, entry.policyId) : null,
  },
  // ClientCard's balance and debtor come from the invoices resolvers, commissionSummary from the
  // commissions resolvers.
};
