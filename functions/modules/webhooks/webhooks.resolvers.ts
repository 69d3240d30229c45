import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';

/** Webhook admin resolvers: mappings, the archive of deliveries, reprocessing. */
export const webhooksResolvers: Resolvers = {
  Query: {
    webhookMapping: (_root, { insurerId }, { principal, services }) =>
      services.webhooks.mappings.getMapping(principal, insurerId),
    webhookDeliveries: async (_root, args, { principal, services }) =>
      toConnection(
        await services.webhooks.deliveries.listDeliveries(principal, args.insurerId, pageArgs(args)),
      ),
  },
  Mutation: {
    setWebhookMapping: (_root, { input }, { principal, services }) =>
      services.webhooks.mappings.setMapping(principal, input),
    reprocessWebhookDelivery: (_root, { insurerId, webhookId }, { principal, services }) =>
      services.webhooks.deliveries.reprocessDelivery(principal, insurerId, webhookId),
  },
  WebhookMapping: {
    updatedAt: (mapping) => mapping.updatedAt || null,
    updatedBy: (mapping) => mapping.updatedBy || null,
  },
  WebhookEventOutcome: {
    status: (outcome) =>
      outcome.status === 'accepted' ? 'ACCEPTED' : outcome.status === 'duplicate' ? 'DUPLICATE' : 'REJECTED',
    errors: (outcome) => outcome.errors ?? [],
  },
};
