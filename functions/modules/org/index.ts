import type { Clock } from '../../shared/clock.js';
import { CatalogService } from './catalog.service.js';
import type { OrgRepository } from './org.repository.js';
import { OrgEntities } from './org-entities.js';
import { OrgHierarchy } from './org-hierarchy.js';
import { OrgStructureService } from './org-structure.service.js';
import { PartnerPortalService } from './partner-portal.service.js';
import { PartnersService } from './partners.service.js';
import { TenantService } from './tenant.service.js';

export { newWebhookSecret, SECRET_ROLLOVER_HOURS } from './catalog.service.js';
/**
 * The org module's public entry: its composition and what other modules, entry points and tests may
 * use. Everything else in this folder is internal.
 */
export type {
  Branch,
  BranchKind,
  Insurer,
  LeadSource,
  Partner,
  ProductLine,
  RateGroup,
  RateGroupMembership,
  RateGroupPromotion,
  Region,
  TenantSettings,
  User,
  UserMove,
} from './org.model.js';
export { OrgRepository } from './org.repository.js';
export type { HierarchyRebuild } from './org-hierarchy.js';
export { OrgHierarchy } from './org-hierarchy.js';
export {
  MAX_HIERARCHY_DEPTH,
  type PlacementMove,
  placementHistoryOf,
  placementOn,
  rateGroupHistoryOf,
  type UplineSegment,
  uplineHintOn,
} from './upline.js';

/** The org services, each one responsibility of the organisation model. */
export interface OrgModule {
  /** Tenant settings. */
  tenant: TenantService;
  /** Regions, branches, users and their moves, rate groups and memberships. */
  structure: OrgStructureService;
  /** Partners and lead sources. */
  partners: PartnersService;
  /** The partner portal's self-service: partner users and sub-agents. */
  partnerPortal: PartnerPortalService;
  /** Insurers with their webhook secrets, and product lines. */
  catalog: CatalogService;
  /** Org entities of any kind by id within the caller's tenant (reference resolution). */
  entities: OrgEntities;
  /** The hierarchy copies on user items: hints a move changes, and the migration that fills them. */
  hierarchy: OrgHierarchy;
}

/** Builds the org module over its repository. */
export function createOrgModule(deps: { repository: OrgRepository; clock: Clock }): OrgModule {
  const { repository, clock } = deps;
  const entities = new OrgEntities(repository, clock);
  const hierarchy = new OrgHierarchy(repository);
  return {
    tenant: new TenantService(repository, entities),
    structure: new OrgStructureService(repository, entities, hierarchy),
    partners: new PartnersService(repository, entities),
    partnerPortal: new PartnerPortalService(repository, entities),
    catalog: new CatalogService(repository, entities, clock),
    entities,
    hierarchy,
  };
}
