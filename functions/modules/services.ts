import type { Clock } from '../shared/clock.js';
import type { Db } from '../shared/db.js';
import { OrgRepository } from './org/org.repository.js';
import { OrgService } from './org/org.service.js';

/** The domain services of the product, wired once per process over one data layer. */
export interface Services {
  org: OrgService;
}

/** Composition root: repositories over the Db, services over repositories and the clock. */
export function createServices(db: Db, clock: Clock): Services {
  return {
    org: new OrgService(new OrgRepository(db), clock),
  };
}
