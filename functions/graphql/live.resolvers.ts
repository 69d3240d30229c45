import { GraphQLError } from 'graphql';
import type { TableChangeDetail } from '../shared/change-event.js';
import { EntityType } from '../shared/table-design.js';
import type { Resolvers, SubscriptionCommissionAccrualChangedArgs } from './__generated__/resolvers-types.js';
import type { GraphQLContext } from './context.js';

/** A subscription sent to `/graphql` instead of the stream. */
function notOverHttp(): GraphQLError {
  return new GraphQLError('Subscriptions are served over server-sent events at /graphql/stream', {
    extensions: { code: 'BAD_REQUEST' },
  });
}

/**
 * The Subscription root: each field picks the table changes a caller may see from the live events
 * and resolves each one by reading the record through its module's service (so every event is
 * authorised again, as a query would be). Tasks due and report jobs join here as their modules land.
 */
export const liveResolvers: Resolvers = {
  Subscription: {
    commissionAccrualChanged: {
      subscribe: async (_root, args, context) => {
        const { services, live } = context;
        if (!live) throw notOverHttp();
        // The tenant's role permissions, once per subscription (as once per request on /graphql);
        // `resolve` reads each event with the same context.
        if (context.principal)
          context.principal = await services.access.rolePermissions.principalWithTenantActions(
            context.principal,
          );
        const principal = context.principal;
        const recipientKey = await services.commissions.ledger.watchableAccrualRecipient(
          principal,
          args.recipient,
        );
        const tenantId = principal?.tenantId;
        if (!tenantId) throw new Error('An authorised subscription has a tenant');
        const wants = (change: TableChangeDetail) =>
          change.tenantId === tenantId &&
          change.entityType === EntityType.CommissionAccrual &&
          change.newImage?.recipientKey === recipientKey &&
          (!args.period || change.newImage?.period === args.period);
        return live.subscribe(wants, { tenantId, recipient: recipientKey }) as never;
      },
      resolve: async (
        payload: unknown,
        args: SubscriptionCommissionAccrualChangedArgs,
        { principal, services, live }: GraphQLContext,
      ) => {
        // `/graphql` executes a subscription operation as a query: it resolves once, with no change.
        if (!live) throw notOverHttp();
        const image = (payload as TableChangeDetail).newImage ?? {};
        const accruals = await services.commissions.ledger.accruals(principal, {
          recipient: args.recipient,
          period: image.period,
        });
        const accrual = accruals.find((a) => a.accrued.currency === image.currency);
        if (!accrual) throw new Error(`Accrual ${String(image.period)} ${String(image.currency)} vanished`);
        return accrual;
      },
    },
  },
};
