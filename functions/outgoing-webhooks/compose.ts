import {
  createOutgoingWebhooksModule,
  type OutgoingWebhooksService,
  urlPolicyForStage,
} from '../modules/outgoing-webhooks/index.js';
import type { Runtime } from '../shared/runtime.js';
import { keys } from '../shared/table-design.js';

/**
 * The outgoing webhooks module over the runtime's table and clock, and nothing else: these
 * functions compose only what they use (the tenant list is the registry's one Query).
 */
export function outgoingWebhooks(runtime: Pick<Runtime, 'db' | 'clock' | 'env'>): OutgoingWebhooksService {
  return createOutgoingWebhooksModule({
    db: runtime.db,
    clock: runtime.clock,
    urlPolicy: urlPolicyForStage(runtime.env.STAGE),
    tenants: {
      listTenantIds: async () =>
        (await runtime.db.queryAll({ partition: keys.tenantRegistryPartition })).map((i) => i.sk),
    },
  });
}
