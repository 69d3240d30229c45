import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { authorize } from '../../shared/auth/policy.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';

/** Org resolvers: parse arguments, call the org service, map to the schema. No rules live here. */
export const orgResolvers: Resolvers = {
  Query: {
    me: (_root, _args, { principal }) => authorize(principal, 'self:read'),
    tenant: (_root, _args, { principal, services }) => services.org.getTenant(principal),
    regions: async (_root, args, { principal, services }) =>
      toConnection(await services.org.listRegions(principal, pageArgs(args))),
    region: (_root, { id }, { principal, services }) => services.org.getRegion(principal, id),
    branches: async (_root, args, { principal, services }) =>
      toConnection(await services.org.listBranches(principal, pageArgs(args), args.regionId)),
    branch: (_root, { id }, { principal, services }) => services.org.getBranch(principal, id),
    users: async (_root, args, { principal, services }) =>
      toConnection(
        await services.org.listUsers(principal, pageArgs(args), { branchId: args.branchId, role: args.role }),
      ),
    user: (_root, { id }, { principal, services }) => services.org.getUser(principal, id),
    rateGroups: async (_root, args, { principal, services }) =>
      toConnection(await services.org.listRateGroups(principal, pageArgs(args))),
    partners: async (_root, args, { principal, services }) =>
      toConnection(await services.org.listPartners(principal, pageArgs(args))),
    partner: (_root, { id }, { principal, services }) => services.org.getPartner(principal, id),
    leadSources: async (_root, args, { principal, services }) =>
      toConnection(await services.org.listLeadSources(principal, pageArgs(args))),
    insurers: async (_root, args, { principal, services }) =>
      toConnection(await services.org.listInsurers(principal, pageArgs(args))),
    insurer: (_root, { id }, { principal, services }) => services.org.getInsurer(principal, id),
    productLines: async (_root, args, { principal, services }) =>
      toConnection(await services.org.listProductLines(principal, pageArgs(args))),
  },
  Mutation: {
    updateTenantSettings: (_root, { input }, { principal, services }) =>
      services.org.updateTenantSettings(principal, input),
    createRegion: (_root, { input }, { principal, services }) => services.org.createRegion(principal, input),
    updateRegion: (_root, { input }, { principal, services }) => services.org.updateRegion(principal, input),
    createBranch: (_root, { input }, { principal, services }) => services.org.createBranch(principal, input),
    updateBranch: (_root, { input }, { principal, services }) => services.org.updateBranch(principal, input),
    createUser: (_root, { input }, { principal, services }) => services.org.createUser(principal, input),
    updateUser: (_root, { input }, { principal, services }) => services.org.updateUser(principal, input),
    moveUser: (_root, { input }, { principal, services }) => services.org.moveUser(principal, input),
    setUserRateGroup: (_root, { input }, { principal, services }) =>
      services.org.setUserRateGroup(principal, input),
    createRateGroup: (_root, { input }, { principal, services }) =>
      services.org.createRateGroup(principal, input),
    updateRateGroup: (_root, { input }, { principal, services }) =>
      services.org.updateRateGroup(principal, input),
    createPartner: (_root, { input }, { principal, services }) =>
      services.org.createPartner(principal, input),
    updatePartner: (_root, { input }, { principal, services }) =>
      services.org.updatePartner(principal, input),
    createLeadSource: (_root, { input }, { principal, services }) =>
      services.org.createLeadSource(principal, input),
    updateLeadSource: (_root, { input }, { principal, services }) =>
      services.org.updateLeadSource(principal, input),
    createInsurer: (_root, { input }, { principal, services }) =>
      services.org.createInsurer(principal, input),
    updateInsurer: (_root, { input }, { principal, services }) =>
      services.org.updateInsurer(principal, input),
    rotateInsurerWebhookSecret: (_root, { id }, { principal, services }) =>
      services.org.rotateInsurerWebhookSecret(principal, id),
    createProductLine: (_root, { input }, { principal, services }) =>
      services.org.createProductLine(principal, input),
    updateProductLine: (_root, { input }, { principal, services }) =>
      services.org.updateProductLine(principal, input),
  },
  Role: {
    ADMIN: 'admin',
    MANAGER: 'manager',
    BACKOFFICE: 'backoffice',
    ADVISOR: 'advisor',
    PARTNER: 'partner',
  },
  Scope: { OWN: 'own', BRANCH: 'branch', REGION: 'region', ALL: 'all' },
  Viewer: {
    user: async (viewer, _args, { principal, services }) => {
      if (viewer.role === 'partner') return null;
      return services.org.getUser(principal, viewer.userId);
    },
  },
  Branch: {
    region: (branch, _args, { principal, services }) => services.org.getRegion(principal, branch.regionId),
  },
  User: {
    branch: (user, _args, { principal, services }) =>
      user.branchId ? services.org.getBranch(principal, user.branchId) : null,
    manager: (user, _args, { principal, services }) =>
      user.managerId ? services.org.getUser(principal, user.managerId) : null,
    moves: (user, _args, { principal, services }) => services.org.listUserMoves(principal, user.id),
    rateGroups: (user, _args, { principal, services }) =>
      services.org.listRateGroupMemberships(principal, user.id),
  },
  RateGroupMembership: {
    rateGroup: (m, _args, { principal, services }) => services.org.getRateGroup(principal, m.rateGroupId),
  },
  Insurer: {
    webhookPath: (insurer) => `/webhooks/insurers/${insurer.id}`,
  },
};
