import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';

/** Outgoing webhooks: endpoints, their deliveries and replays (admins). */
export const outgoingWebhooksResolvers: Resolvers = {
  Query: {
    webhookEndpoints: async (_root, args, { principal, services }) =>
      toConnection(await services.outgoingWebhooks.list(principal, pageArgs(args))),
    webhookEndpointDeliveries: async (_root, args, { principal, services }) =>
      toConnection(await services.outgoingWebhooks.deliveries(principal, args.endpointId, pageArgs(args))),
  },
  Mutation: {
    createWebhookEndpoint: (_root, { input }, { principal, services }) =>
      services.outgoingWebhooks.create(principal, input),
    replayWebhookEndpointDelivery: (_root, { input }, { principal, services }) =>
      services.outgoingWebhooks.replay(principal, input.endpointId, input.deliveryId),
  },
};
