import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';

/** Data subject requests and retention settings: the services check role, scope and input. */
export const gdprResolvers: Resolvers = {
  Query: {
    retentionSettings: (_root, _args, { principal, services }) => services.gdpr.retention.settings(principal),
  },
  Mutation: {
    setRetentionSettings: (_root, { input }, { principal, services }) =>
      services.gdpr.retention.setSettings(principal, input),
    exportDataSubject: (_root, { input }, { principal, services }) =>
      services.gdpr.subjects.exportSubject(principal, input),
    eraseDataSubject: (_root, { input }, { principal, services }) =>
      services.gdpr.subjects.eraseSubject(principal, input),
  },
};
