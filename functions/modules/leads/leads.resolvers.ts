import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';

/**
 * Lead forms: listed and created by managers; public leads arrive at `POST /leads/{formId}`, and
 * partners submit theirs with `submitPartnerLead`.
 */
export const leadsResolvers: Resolvers = {
  Query: {
    leadForms: (_root, _args, { principal, services }) => services.leads.forms.list(principal),
  },
  Mutation: {
    createLeadForm: (_root, { input }, { principal, services }) =>
      services.leads.forms.create(principal, input),
    submitPartnerLead: (_root, { input }, { principal, services }) =>
      services.leads.partnerLeads.submit(principal, input),
  },
  LeadForm: {
    postPath: (form) => `/leads/${form.id}`,
    takesPartnerLeads: (form) => form.takesPartnerLeads === true,
  },
};
