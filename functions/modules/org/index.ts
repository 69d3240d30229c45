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
  Region,
  TenantSettings,
  User,
  UserMove,
} from './org.model.js';
export { OrgRepository } from './org.repository.js';
export { OrgService } from './org.service.js';
