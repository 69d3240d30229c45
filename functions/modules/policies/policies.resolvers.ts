import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { loadOrg } from '../../graphql/loaders.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';
import { OrgKind } from '../../shared/table-design.js';
import type { Branch, Insurer, Partner, ProductLine, User } from '../org/index.js';

/** Maps GraphQL's name/value attribute list onto the record the domain keeps. */
function withAttributeRecords(input: unknown): unknown {
  if (!input || typeof input !== 'object') return input;
  const record = input as {
    insuredObjects?: Array<{ attributes?: Array<{ name: string; value: string }> | null }> | null;
  };
  if (!Array.isArray(record.insuredObjects)) return input;
  return {
    ...record,
    insuredObjects: record.insuredObjects.map((o) => ({
      ...o,
      attributes: Object.fromEntries((o.attributes ?? []).map((a) => [a.name, a.value])),
    })),
  };
}

/** Policy resolvers: parse arguments, call the policies service, map to the schema. */
export const policiesResolvers: Resolvers = {
  Query: {
    policy: (_root, { id }, { principal, services }) => services.policies.reads.getPolicy(principal, id),
    policies: async (_root, args, { principal, services }) =>
      toConnection(await services.policies.reads.listPolicies(principal, args.filter, pageArgs(args))),
  },
  Mutation: {
    writePolicy: (_root, { input }, { principal, services }) =>
      services.policies.writing.writePolicy(principal, withAttributeRecords(input)),
    endorsePolicy: (_root, { input }, { principal, services }) =>
      services.policies.lifecycle.endorsePolicy(principal, input),
    renewPolicy: (_root, { input }, { principal, services }) =>
      services.policies.lifecycle.renewPolicy(principal, input),
    cancelPolicy: (_root, { input }, { principal, services }) =>
      services.policies.lifecycle.cancelPolicy(principal, input),
    lapsePolicy: (_root, { input }, { principal, services }) =>
      services.policies.lifecycle.lapsePolicy(principal, input),
    reactivatePolicy: (_root, { input }, { principal, services }) =>
      services.policies.lifecycle.reactivatePolicy(principal, input),
    acceptOffer: (_root, { input }, { principal, services }) =>
      services.policies.lifecycle.activateOffer(principal, input),
  },
  Policy: {
    client: (policy, _args, { principal, services }) =>
      services.clients.reads.getClient(principal, policy.clientId),
    insurer: (policy, _args, ctx) => loadOrg<Insurer>(ctx, OrgKind.Insurer, policy.insurerId),
    productLine: (policy, _args, ctx) => loadOrg<ProductLine>(ctx, OrgKind.ProductLine, policy.productLineId),
    seller: (policy, _args, ctx) => loadOrg<User>(ctx, OrgKind.User, policy.sellerId),
    originator: (policy, _args, ctx) => loadOrg<User>(ctx, OrgKind.User, policy.originatorId),
    splits: (policy) => policy.splits ?? [],
    servicingAdvisor: (policy, _args, ctx) => loadOrg<User>(ctx, OrgKind.User, policy.servicingAdvisorId),
    referringPartner: (policy, _args, ctx) =>
      loadOrg<Partner>(ctx, OrgKind.Partner, policy.referringPartnerId),
    branch: (policy, _args, ctx) => loadOrg<Branch>(ctx, OrgKind.Branch, policy.branchId),
    previousPolicy: (policy, _args, { principal, services }) =>
      policy.previousPolicyId ? services.policies.reads.getPolicy(principal, policy.previousPolicyId) : null,
    renewedByPolicy: (policy, _args, { principal, services }) =>
      policy.renewedByPolicyId
        ? services.policies.reads.getPolicy(principal, policy.renewedByPolicyId)
        : null,
  },
  SplitShare: {
    user: (share, _args, ctx) => loadOrg<User>(ctx, OrgKind.User, share.userId),
  },
  InsuredObject: {
    attributes: (object) => Object.entries(object.attributes).map(([name, value]) => ({ name, value })),
  },
};
