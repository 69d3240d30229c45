import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';

/** Campaigns: lists, one campaign and its members, the funnel; create, start, distribute, e-mail. */
export const campaignsResolvers: Resolvers = {
  Query: {
    campaigns: async (_root, args, { principal, services }) =>
      toConnection(await services.campaigns.campaigns.listCampaigns(principal, pageArgs(args))),
    campaign: (_root, { id }, { principal, services }) =>
      services.campaigns.campaigns.getCampaign(principal, id),
    campaignFunnel: (_root, { id }, { principal, services }) =>
      services.campaigns.funnel.funnel(principal, id),
  },
  Mutation: {
    createCampaign: (_root, { input }, { principal, services }) =>
      services.campaigns.campaigns.createCampaign(principal, input),
    startCampaign: (_root, { input }, { principal, services }) =>
      services.campaigns.campaigns.startCampaign(principal, input),
    importCampaignProspects: (_root, { input }, { principal, services }) =>
      services.campaigns.prospects.importProspects(principal, input),
    distributeCampaign: (_root, { input }, { principal, services }) =>
      services.campaigns.distribution.distribute(principal, input),
    setCampaignEmailTemplate: (_root, { input }, { principal, services }) =>
      services.campaigns.emails.setTemplate(principal, input),
    sendCampaignEmails: (_root, { input }, { principal, services }) =>
      services.campaigns.emails.send(principal, input),
  },
  Campaign: {
    members: async (campaign, args, { principal, services }) =>
      toConnection(await services.campaigns.campaigns.listMembers(principal, campaign.id, pageArgs(args))),
  },
  CampaignLanguage: { EN: 'en', PL: 'pl', LT: 'lt', IT: 'it', RU: 'ru', CS: 'cs' },
};
