import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/db.js';
import { ClientsRepository } from './clients/clients.repository.js';
import { ClientsService } from './clients/clients.service.js';
import { OrgRepository } from './org/org.repository.js';
import { OrgService } from './org/org.service.js';
import { PoliciesRepository } from './policies/policies.repository.js';
import { PoliciesService } from './policies/policies.service.js';

/** The domain services of the product, wired once per process over one data layer. */
export interface Services {
  org: OrgService;
  clients: ClientsService;
  policies: PoliciesService;
  /** For request-scoped batching (GraphQL loaders) and stream consumers; resolvers call services. */
  repositories: {
    org: OrgRepository;
    clients: ClientsRepository;
    policies: PoliciesRepository;
  };
}

/** Composition root: repositories over the Db, services over repositories and the clock. */
export function createServices(db: Db, clock: Clock): Services {
  const repositories = {
    org: new OrgRepository(db),
    clients: new ClientsRepository(db),
    policies: new PoliciesRepository(db),
  };
  const clients = new ClientsService(repositories.clients, repositories.org, clock, repositories.policies);
  return {
    org: new OrgService(repositories.org, clock),
    clients,
    policies: new PoliciesService(
      repositories.policies,
      clients,
      repositories.clients,
      repositories.org,
      clock,
    ),
    repositories,
  };
}
