/**
 * The outgoing webhooks module's public entry: endpoints integrators register, the deliveries made
 * to them from table changes (the change-bus subscriber), and their retry schedule.
 */
import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import { OutgoingWebhooksRepository } from './outgoing-webhooks.repository.js';
import {
  OutgoingWebhooksService,
  type TenantDirectory,
  type WebhookSender,
} from './outgoing-webhooks.service.js';

export type { WebhookEndpoint, WebhookEndpointDelivery } from './outgoing-webhooks.model.js';
export {
  fetchSender,
  type OutgoingWebhooksService,
  type TenantDirectory,
  type WebhookSender,
} from './outgoing-webhooks.service.js';

export interface OutgoingWebhooksDeps {
  db: Db;
  clock: Clock;
  tenants: TenantDirectory;
  sender?: WebhookSender;
}

export function createOutgoingWebhooksModule(deps: OutgoingWebhooksDeps): OutgoingWebhooksService {
  return new OutgoingWebhooksService(
    new OutgoingWebhooksRepository(deps.db),
    deps.clock,
    deps.tenants,
    deps.sender,
  );
}
