/**
 * The access module's public entry: API keys for machine clients (created, listed and revoked by
 * admins; presented as `x-api-key` on `/graphql`, where they become a principal).
 */
import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService, type PartnerLookup } from './api-keys.service.js';
import { RolePermissionsRepository } from './role-permissions.repository.js';
import { RolePermissionsService } from './role-permissions.service.js';

export type { ApiKey } from './api-keys.model.js';
export { type ApiKeysService, apiKeyActor, type PartnerLookup } from './api-keys.service.js';
export type { RolePermissionsService, RolePermissionsView } from './role-permissions.service.js';

/** The access module's services. */
export interface AccessModule {
  apiKeys: ApiKeysService;
  rolePermissions: RolePermissionsService;
}

export interface AccessModuleDeps {
  db: Db;
  clock: Clock;
  partners: PartnerLookup;
}

export function createAccessModule(deps: AccessModuleDeps): AccessModule {
  return {
    apiKeys: new ApiKeysService(new ApiKeysRepository(deps.db), deps.clock, deps.partners),
    rolePermissions: new RolePermissionsService(new RolePermissionsRepository(deps.db), deps.clock),
  };
}
