import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';

/** Lead forms: listed and created by managers; leads themselves arrive at `POST /leads/{formId}`. */
export const leadsResolvers: Resolvers = {
  Query: {
    leadForms: (_root, _args, { principal, services }) => services.leads.forms.list(principal),
  },
  Mutation: {
    createLeadForm: (_root, { input }, { principal, services }) =>
      services.leads.forms.create(principal, input),
  },
  LeadForm: {
    postPath: (form) => `/leads/${form.id}`,
  },
};
