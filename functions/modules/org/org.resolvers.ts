import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { authorize, isStaff } from '../../shared/auth/policy.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';

/** Org resolvers: parse arguments, call the org service, map to the schema. No rules live here. */
export const orgResolvers: Resolvers = {
  Query: {
    me: (_root, _args, { principal }) => authorize(principal, 'self:read'),
    tenant: (_root, _args, { principal, services }) => services.org.tenant.getTenant(principal),
    regions: async (_root, args, { principal, services }) =>
      toConnection(await services.org.structure.listRegions(principal, pageArgs(args))),
    region: (_root, { id }, { principal, services }) => services.org.structure.getRegion(principal, id),
    branches: async (_root, args, { principal, services }) =>
      toConnection(await services.org.structure.listBranches(principal, pageArgs(args), args.regionId)),
    branch: (_root, { id }, { principal, services }) => services.org.structure.getBranch(principal, id),
    users: async (_root, args, { principal, services }) =>
      toConnection(
        await services.org.structure.listUsers(principal, pageArgs(args), {
          branchId: args.branchId,
          role: args.role,
        }),
      ),
    user: (_root, { id }, { principal, services }) => services.org.structure.getUser(principal, id),
    rateGroups: async (_root, args, { principal, services }) =>
      toConnection(await services.org.structure.listRateGroups(principal, pageArgs(args))),
    partners: async (_root, args, { principal, services }) =>
      toConnection(await services.org.partners.listPartners(principal, pageArgs(args))),
    partner: (_root, { id }, { principal, services }) => services.org.partners.getPartner(principal, id),
    leadSources: async (_root, args, { principal, services }) =>
      toConnection(await services.org.partners.listLeadSources(principal, pageArgs(args))),
    insurers: async (_root, args, { principal, services }) =>
      toConnection(await services.org.catalog.listInsurers(principal, pageArgs(args))),
    insurer: (_root, { id }, { principal, services }) => services.org.catalog.getInsurer(principal, id),
    productLines: async (_root, args, { principal, services }) =>
      toConnection(await services.org.catalog.listProductLines(principal, pageArgs(args))),
  },
  Mutation: {
    updateTenantSettings: (_root, { input }, { principal, services }) =>
      services.org.tenant.updateTenantSettings(principal, input),
    createRegion: (_root, { input }, { principal, services }) =>
      services.org.structure.createRegion(principal, input),
    updateRegion: (_root, { input }, { principal, services }) =>
      services.org.structure.updateRegion(principal, input),
    createBranch: (_root, { input }, { principal, services }) =>
      services.org.structure.createBranch(principal, input),
    updateBranch: (_root, { input }, { principal, services }) =>
      services.org.structure.updateBranch(principal, input),
    createUser: (_root, { input }, { principal, services }) =>
      services.org.structure.createUser(principal, input),
    updateUser: (_root, { input }, { principal, services }) =>
      services.org.structure.updateUser(principal, input),
    moveUser: (_root, { input }, { principal, services }) =>
      services.org.structure.moveUser(principal, input),
    setUserRateGroup: (_root, { input }, { principal, services }) =>
      services.org.structure.setUserRateGroup(principal, input),
    createRateGroup: (_root, { input }, { principal, services }) =>
      services.org.structure.createRateGroup(principal, input),
    updateRateGroup: (_root, { input }, { principal, services }) =>
      services.org.structure.updateRateGroup(principal, input),
    createPartner: (_root, { input }, { principal, services }) =>
      services.org.partners.createPartner(principal, input),
    updatePartner: (_root, { input }, { principal, services }) =>
      services.org.partners.updatePartner(principal, input),
    createLeadSource: (_root, { input }, { principal, services }) =>
      services.org.partners.createLeadSource(principal, input),
    updateLeadSource: (_root, { input }, { principal, services }) =>
      services.org.partners.updateLeadSource(principal, input),
    createInsurer: (_root, { input }, { principal, services }) =>
      services.org.catalog.createInsurer(principal, input),
    updateInsurer: (_root, { input }, { principal, services }) =>
      services.org.catalog.updateInsurer(principal, input),
    rotateInsurerWebhookSecret: (_root, { id }, { principal, services }) =>
      services.org.catalog.rotateInsurerWebhookSecret(principal, id),
    createProductLine: (_root, { input }, { principal, services }) =>
      services.org.catalog.createProductLine(principal, input),
    updateProductLine: (_root, { input }, { principal, services }) =>
      services.org.catalog.updateProductLine(principal, input),
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
      if (!isStaff(viewer.role)) return null;
      return services.org.structure.getUser(principal, viewer.userId);
    },
  },
  Branch: {
    region: (branch, _args, { principal, services }) =>
      services.org.structure.getRegion(principal, branch.regionId),
  },
  User: {
    branch: (user, _args, { principal, services }) =>
      user.branchId ? services.org.structure.getBranch(principal, user.branchId) : null,
    manager: (user, _args, { principal, services }) =>
      user.managerId ? services.org.structure.getUser(principal, user.managerId) : null,
    moves: (user, _args, { principal, services }) => services.org.structure.listUserMoves(principal, user.id),
    rateGroups: (user, _args, { principal, services }) =>
      services.org.structure.listRateGroupMemberships(principal, user.id),
  },
  RateGroupMembership: {
    rateGroup: (m, _args, { principal, services }) =>
      services.org.structure.getRateGroup(principal, m.rateGroupId),
  },
  Insurer: {
    webhookPath: (insurer) => `/webhooks/insurers/${insurer.id}`,
  },
};
