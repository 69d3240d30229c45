import type { ApolloServer } from '@apollo/server';
import { inject } from 'vitest';
import type { GraphQLContext } from '../../functions/graphql/context.js';
import { createGraphQLServer } from '../../functions/graphql/server.js';
import { LOOPBACK_ALLOWED } from '../../functions/modules/outgoing-webhooks/index.js';
import { createServices, type Services } from '../../functions/modules/services.js';
import { type Principal, systemPrincipal } from '../../functions/shared/auth/principal.js';
import { type Clock, systemClock } from '../../functions/shared/clock.js';
import { createDocumentClient, Db } from '../../functions/shared/db.js';
import { newId } from '../../functions/shared/ids.js';
import { MemoryMailer } from '../../functions/shared/mailer.js';
import { MemoryObjectStore } from '../../functions/shared/object-store.js';
import { LOCAL_AWS } from '../../infra/local/dynamodb.js';

export interface GraphQLResult<T = Record<string, unknown>> {
  data?: T | null;
  errors?: Array<{
    message: string;
    path?: readonly (string | number)[];
    extensions?: Record<string, unknown>;
  }>;
}

/** A connected test app: the real services and GraphQL server over DynamoDB Local. */
export interface TestApp {
  db: Db;
  services: Services;
  server: ApolloServer<GraphQLContext>;
  /** Where exports and other generated files land (bucket `test-reports`), and webhook archives (`test-archive`). */
  objects: MemoryObjectStore;
  /** Runs an operation as `principal` (null = no token) through the real server. */
  exec<T = Record<string, unknown>>(
    principal: Principal | null,
    query: string,
    variables?: Record<string, unknown>,
  ): Promise<GraphQLResult<T>>;
}

/** Builds the app against the DynamoDB Local that the global setup started. */
export function createTestApp(clock: Clock = systemClock): TestApp {
  const db = new Db(
    createDocumentClient({
      endpoint: inject('dynamoEndpoint'),
      region: LOCAL_AWS.region,
      credentials: LOCAL_AWS,
    }),
    inject('tableName'),
  );
  const objects = new MemoryObjectStore();
  const services = createServices(db, clock, {
    reports: { store: objects, bucket: 'test-reports' },
    archive: { store: objects, bucket: 'test-archive' },
    webhookUrlPolicy: LOOPBACK_ALLOWED,
    campaignMail: {
      mailer: new MemoryMailer(),
      from: 'offers@test.local',
      publicBaseUrl: 'https://crm.test',
    },
  });
  const server = createGraphQLServer({ production: false });
  return {
    db,
    services,
    server,
    objects,
    async exec(principal, query, variables) {
      const response = await server.executeOperation(
        { query, ...(variables ? { variables } : {}) },
        { contextValue: { principal, services } },
      );
      if (response.body.kind !== 'single') throw new Error('Expected a single result');
      return response.body.singleResult as GraphQLResult<never>;
    },
  };
}

/** A fresh tenant with its settings, so each test file works in its own isolated brokerage. */
export async function createTenant(
  app: TestApp,
  name = 'Test Brokerage',
): Promise<{ tenantId: string; admin: Principal }> {
  const tenantId = `t-${newId().toLowerCase()}`;
  await app.services.org.tenant.provisionTenant(tenantId, {
    name,
    baseCurrency: 'EUR',
    locale: 'cs-CZ',
    timeZone: 'Europe/Prague',
  });
  return { tenantId, admin: { ...systemPrincipal(tenantId), userId: `admin-${tenantId}` } };
}

/** Principal of a given role in a tenant, as a verified token would produce. */
export function principalFor(
  tenantId: string,
  role: Principal['role'],
  overrides: Partial<Principal> = {},
): Principal {
  return {
    tenantId,
    userId: `${role}-user`,
    role,
    scope: role === 'admin' || role === 'backoffice' ? 'all' : role === 'manager' ? 'branch' : 'own',
    branchId: null,
    regionId: null,
    partnerId: role === 'partner' ? 'partner-1' : null,
    ...overrides,
  };
}

/** The `extensions.code` of the first error, or undefined. */
export function errorCode(result: GraphQLResult): unknown {
  return result.errors?.[0]?.extensions?.code;
}
