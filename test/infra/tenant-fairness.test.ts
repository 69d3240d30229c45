import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '../../functions/shared/env.js';
import { CATALOG, TENANT_LIMITS } from '../../infra/catalog.js';
import { idOf, type SynthesizedStack, synthesize } from './fixtures/synth.js';

/**
 * What one tenant's burst may take (docs/scale.md, section 5), as the catalog declares it; that each
 * function's reserved concurrency reaches its Lambda is asserted on a synthesized stack in
 * change-consumers.test.ts.
 */
describe('reserved concurrency in the catalog', () => {
  const reserved = (name: string) => CATALOG.find((f) => f.name === name)?.reservedConcurrency;

  it('caps the functions one tenant’s burst could multiply: imports 4, webhooks 10, bus consumers 10, reports 5, the API 100', () => {
    expect({
      imports: reserved('imports'),
      webhooks: reserved('webhooks'),
      debtors: reserved('debtors'),
      'outgoing-webhooks': reserved('outgoing-webhooks'),
      reports: reserved('reports'),
      graphql: reserved('graphql'),
    }).toEqual({ imports: 4, webhooks: 10, debtors: 10, 'outgoing-webhooks': 10, reports: 5, graphql: 100 });
  });

  it('leaves at least 100 of an account’s default 1,000 concurrent executions unreserved', () => {
    const total = CATALOG.reduce((sum, spec) => sum + (spec.reservedConcurrency ?? 0), 0);
    expect(1000 - total).toBeGreaterThanOrEqual(100);
  });
});

/**
 * The limits as the cloud stack deploys them: the API and webhook functions of the real catalog (on a
 * fixture entry, so the synth bundles two tiny files) on a prod stack.
 */
describe('per-tenant limits and the API ceiling in the cloud stack', () => {
  let s: SynthesizedStack;
  beforeAll(() => {
    const catalog = CATALOG.filter((f) => f.name === 'graphql' || f.name === 'webhooks').map((f) => ({
      ...f,
      entry: 'test/infra/fixtures/handler.ts',
    }));
    s = synthesize({ stage: 'prod', catalog, mailFrom: 'crm@mail.example.com' });
  });
  afterAll(() => s?.dispose());

  const variablesOf = (name: string) =>
    (
      s.template.toJSON().Resources[idOf(s.stack.functions.get(name))] as {
        Properties: { Environment: { Variables: Record<string, unknown> } };
      }
    ).Properties.Environment.Variables;

  it('gives the API function its per-tenant rate (20 tokens/s per instance, burst 40)', () => {
    expect(variablesOf('graphql')).toMatchObject({
      API_TENANT_RATE_PER_SECOND: '20',
      API_TENANT_BURST: '40',
    });
  });

  it('gives the webhook function its delivery limits (30 a minute per tenant, 20 per insurer, per instance)', () => {
    expect(variablesOf('webhooks')).toMatchObject({
      WEBHOOK_TENANT_DELIVERIES_PER_MINUTE: '30',
      WEBHOOK_INSURER_DELIVERIES_PER_MINUTE: '20',
    });
  });

  it('throttles the prod stage’s default route at 200 requests/s, burst 400: the ceiling of all tenants together', () => {
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
    });
  });

  it('keeps the functions’ own defaults (functions/shared/env.ts) equal to the catalog’s limits', () => {
    const defaults = parseEnv({
      TABLE_NAME: 't',
      AUTH_ISSUER: 'i',
      AUTH_AUDIENCE: 'a',
      AUTH_JWKS_JSON: '{}',
    });
    expect({
      apiRatePerSecond: defaults.API_TENANT_RATE_PER_SECOND,
      apiBurst: defaults.API_TENANT_BURST ?? 2 * defaults.API_TENANT_RATE_PER_SECOND,
      webhookTenantPerMinute: defaults.WEBHOOK_TENANT_DELIVERIES_PER_MINUTE,
      webhookInsurerPerMinute: defaults.WEBHOOK_INSURER_DELIVERIES_PER_MINUTE,
    }).toEqual(TENANT_LIMITS);
  });

  it('bounds one tenant fleet-wide at the per-instance rate times the reserved concurrency', () => {
    const reserved = (name: string) => CATALOG.find((f) => f.name === name)?.reservedConcurrency ?? 0;
    // docs/scale.md states these products.
    expect(TENANT_LIMITS.apiRatePerSecond * reserved('graphql')).toBe(2000);
    expect(TENANT_LIMITS.webhookTenantPerMinute * reserved('webhooks')).toBe(300);
    expect(TENANT_LIMITS.webhookInsurerPerMinute * reserved('webhooks')).toBe(200);
  });
});
