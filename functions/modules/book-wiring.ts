import type { Clock } from '../shared/clock.js';
import {
  type ClientOrgDirectory,
  type ClientsModule,
  type ClientsRepository,
  createClientsModule,
} from './clients/index.js';
import {
  createPoliciesModule,
  type PoliciesModule,
  type PoliciesRepository,
  type PolicyOrgDirectory,
} from './policies/index.js';

/**
 * The clients and policies modules wired to each other through their narrow lookups: policies ask
 * the clients' book for clients (scope, timeline, activation), clients move their policies' servicing
 * through the policies repository's replace op.
 */
export function composeBook(
  repositories: { clients: ClientsRepository; policies: PoliciesRepository },
  org: ClientOrgDirectory & PolicyOrgDirectory,
  clock: Clock,
): { clients: ClientsModule; policies: PoliciesModule } {
  const clients = createClientsModule({
    repository: repositories.clients,
    org,
    policies: repositories.policies,
    clock,
  });
  const policies = createPoliciesModule({
    repository: repositories.policies,
    clients: clients.book,
    org,
    clock,
  });
  return { clients, policies };
}
