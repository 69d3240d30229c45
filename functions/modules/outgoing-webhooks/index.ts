/**
 * The outgoing webhooks module's public entry: endpoints integrators register, the deliveries made
 * to them from table changes (the change-bus subscriber), and their retry schedule.
 */
import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import { dnsResolver, type EndpointUrlPolicy, type HostResolver, PUBLIC_ONLY } from './endpoint-url.js';
import { OutgoingWebhooksRepository } from './outgoing-webhooks.repository.js';
import {
  OutgoingWebhooksService,
  type TenantDirectory,
  type WebhookSender,
} from './outgoing-webhooks.service.js';

export {
  type EndpointUrlPolicy,
  type HostResolver,
  LOOPBACK_ALLOWED,
  PUBLIC_ONLY,
  urlPolicyForStage,
} from './endpoint-url.js';
export type { WebhookEndpoint, WebhookEndpointDelivery } from './outgoing-webhooks.model.js';
export type {
  OutgoingWebhooksService,
  TenantDirectory,
  WebhookSender,
} from './outgoing-webhooks.service.js';
export { pinnedSender, type WebhookRequest } from './pinned-sender.js';

export interface OutgoingWebhooksDeps {
  db: Db;
  clock: Clock;
  tenants: TenantDirectory;
  sender?: WebhookSender;
  /** Where endpoints may point (default: public https only; the local stack and tests allow loopback). */
  urlPolicy?: EndpointUrlPolicy;
  /** How hosts are resolved before each delivery (default: the system's DNS). */
  resolve?: HostResolver;
}

export function createOutgoingWebhooksModule(deps: OutgoingWebhooksDeps): OutgoingWebhooksService {
  return new OutgoingWebhooksService(
    new OutgoingWebhooksRepository(deps.db),
    deps.clock,
    deps.tenants,
    deps.sender,
    { policy: deps.urlPolicy ?? PUBLIC_ONLY, resolve: deps.resolve ?? dnsResolver },
  );
}
