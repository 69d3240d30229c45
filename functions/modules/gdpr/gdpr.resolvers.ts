import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';

/** Data subject requests: parse nothing here, the service checks role, scope and input. */
export const gdprResolvers: Resolvers = {
  Mutation: {
    exportDataSubject: (_root, { input }, { principal, services }) =>
      services.gdpr.subjects.exportSubject(principal, input),
    eraseDataSubject: (_root, { input }, { principal, services }) =>
      services.gdpr.subjects.eraseSubject(principal, input),
  },
};
