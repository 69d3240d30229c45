import { buildSchema } from 'graphql';
import { describe, expect, it } from 'vitest';
import { typeDefs } from '../../../functions/graphql/__generated__/type-defs.js';
import { errorCode } from '../../support/app.js';
import { BOOK_CASES } from './scope-cases-book.js';
import { MONEY_CASES } from './scope-cases-money.js';
import { app, setUpScopeWorld } from './scope-harness.js';

/**
 * Every Mutation of the built schema, tried by a caller whose scope reaches one target and not the
 * other: the in-scope attempt must succeed and the out-of-scope one must be refused. The list of
 * mutations comes from the schema itself, so a new mutation without a case here fails the test.
 * Mutations on data that belongs to the tenant as a whole (no branch, region or owner to reach) are
 * listed in TENANT_LEVEL with the reason; those that need tenant-wide scope are tried by a
 * tenant-wide manager (in scope) and the region manager (out of scope).
 */ setUpScopeWorld();

const CASES = { ...BOOK_CASES, ...MONEY_CASES };

/**
 * Mutations where scope does not apply: their data belongs to the tenant as a whole, and the role
 * (PERMISSIONS in functions/shared/auth/policy.ts) is the whole decision.
 */
const TENANT_LEVEL: Record<string, string> = {
  _noop: 'a placeholder that modules extend; it reads and writes nothing',
  updateTenantSettings: 'tenant configuration: admins only (org:configure)',
  createRegion: 'the org tree itself: admins only (org:configure)',
  updateRegion: 'the org tree itself: admins only (org:configure)',
  createBranch: 'the org tree itself: admins only (org:configure)',
  updateBranch: 'the org tree itself: admins only (org:configure)',
  createRateGroup: 'rate groups are tenant-wide: admins only (org:configure)',
  updateRateGroup: 'rate groups are tenant-wide: admins only (org:configure)',
  createInsurer: 'insurers are tenant-wide: admins only (org:configure)',
  updateInsurer: 'insurers are tenant-wide: admins only (org:configure)',
  rotateInsurerWebhookSecret: 'insurer secrets: admins only (org:configure)',
  createProductLine: 'product lines are tenant-wide: admins only (org:configure)',
  updateProductLine: 'product lines are tenant-wide: admins only (org:configure)',
  createPartner: 'partners (lead suppliers) are a tenant-wide catalog, placed in no branch (partners:manage)',
  updatePartner: 'partners (lead suppliers) are a tenant-wide catalog, placed in no branch (partners:manage)',
  createLeadSource: 'lead sources are a tenant-wide catalog (partners:manage)',
  updateLeadSource: 'lead sources are a tenant-wide catalog (partners:manage)',
  createCommissionScheme: "schemes are the brokerage's rules, defined by managers (commissions:configure)",
  addCommissionSchemeVersion:
    "schemes are the brokerage's rules, defined by managers (commissions:configure)",
  editCommissionSchemeVersion:
    "schemes are the brokerage's rules, defined by managers (commissions:configure)",
  importCommissionStatement:
    "an insurer's statement reconciles the brokerage's receivable ledger (commissions:reconcile)",
  setDunningPolicy: "the tenant's one dunning policy (dunning:configure)",
  setWebhookMapping: 'insurer integration: admins only (webhooks:manage)',
  reprocessWebhookDelivery: 'insurer integration: admins only (webhooks:manage)',
  replayFailedChange:
    "failed changes are the tenant's operations log, placed in no branch: admins only (failures:manage)",
  createPartnerUser:
    'portal users belong to a partner (a tenant-wide catalog, placed in no branch): partner managers, or the partner admin for their own network (partner-portal.int.test.ts)',
  submitPartnerLead:
    "a partner's lead is filed under the caller's own partner (from the token), through the tenant's partner form: partner users only (leads:submit; partner-portal.int.test.ts)",
  createSubAgent:
    "a sub-agent joins the caller's own partner network, placed in no branch: partner admins only (partner-portal.int.test.ts)",
  createWebhookEndpoint:
    "outgoing webhooks are the tenant's integrations, placed in no branch: admins only (outgoingWebhooks:manage)",
  replayWebhookEndpointDelivery:
    "outgoing webhooks are the tenant's integrations, placed in no branch: admins only (outgoingWebhooks:manage)",
  createApiKey:
    "API keys are the tenant's machine credentials, placed in no branch: admins only (apiKeys:manage)",
  revokeApiKey:
    "API keys are the tenant's machine credentials, placed in no branch: admins only (apiKeys:manage)",
  setRetentionSettings:
    "the tenant's one retention setting, placed in no branch: admins only (gdpr:configure; retention.int.test.ts)",
  setRolePermissions:
    "the tenant's one table of role permissions, placed in no branch: admins only (permissions:manage; role-permissions.int.test.ts)",
};

const MUTATIONS = Object.keys(buildSchema(typeDefs).getMutationType()?.getFields() ?? {}).sort();

describe('the scope matrix', () => {
  it('has a case or a stated reason for every Mutation of the schema, and none for a mutation that is gone', () => {
    expect(MUTATIONS.length).toBeGreaterThan(60);
    const covered = [...Object.keys(CASES), ...Object.keys(TENANT_LEVEL)].sort();
    expect(MUTATIONS.filter((m) => !covered.includes(m))).toEqual([]);
    expect(covered.filter((m) => !MUTATIONS.includes(m))).toEqual([]);
    expect(Object.keys(CASES).filter((m) => m in TENANT_LEVEL)).toEqual([]);
  });

  it.each(Object.keys(CASES).sort())(
    '%s: succeeds in scope and is refused out of scope',
    async (mutation) => {
      const c = CASES[mutation];
      if (!c) throw new Error(`no case for ${mutation}`);
      const inside = await c.inScope();
      const allowed = await app.exec(inside.as, inside.query, inside.variables);
      expect(allowed.errors).toBeUndefined();
      expect(allowed.data?.[mutation]).toBeTruthy();
      await inside.allowed?.(allowed);

      const outside = await c.outOfScope();
      const refused = await app.exec(outside.as, outside.query, outside.variables);
      if (outside.refused) await outside.refused(refused);
      else expect(errorCode(refused)).toBe('FORBIDDEN');
    },
  );
});
