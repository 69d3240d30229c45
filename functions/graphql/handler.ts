import { handlers, startServerAndCreateLambdaHandler } from '@as-integrations/aws-lambda';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import middy from '@middy/core';
import { unsubscribeKeysFrom } from '../modules/campaigns/index.js';
import { urlPolicyForStage } from '../modules/outgoing-webhooks/index.js';
import { createServices } from '../modules/services.js';
import { cursorKeysFromEnv, requireSharedCursorKeys } from '../shared/cursor-keys.js';
import { invoiceAdapters } from '../shared/invoice-adapters.js';
import { observability } from '../shared/observability.js';
import { createTokenVerifier, getRuntime } from '../shared/runtime.js';
import { buildContext } from './context.js';
import { createGraphQLServer } from './server.js';
import { TableCache } from './shared-cache.js';
import { TenantRateLimiter } from './tenant-rate-limit.js';

const runtime = getRuntime();
requireSharedCursorKeys(runtime.env);
const adapters = invoiceAdapters(runtime);
const publicBaseUrl = runtime.env.PUBLIC_BASE_URL;
const services = createServices(runtime.db, runtime.clock, {
  reports: runtime.env.REPORTS_BUCKET ? { store: runtime.objects, bucket: runtime.env.REPORTS_BUCKET } : null,
  invoices: adapters,
  campaignMail:
    adapters && publicBaseUrl ? { mailer: adapters.mailer, from: adapters.mailFrom, publicBaseUrl } : null,
  signingKeys: unsubscribeKeysFrom(cursorKeysFromEnv(runtime.env, () => new SecretsManagerClient({}))),
  archive: runtime.env.ARCHIVE_BUCKET ? { store: runtime.objects, bucket: runtime.env.ARCHIVE_BUCKET } : null,
  webhookUrlPolicy: urlPolicyForStage(runtime.env.STAGE),
});
const verifier = createTokenVerifier(runtime.env);
const persistedQueries = new TableCache(runtime.db, runtime.clock);
// Per tenant, in this instance's memory: a refused request costs no DynamoDB request (docs/scale.md).
const tenantLimiter = TenantRateLimiter.fromEnv(runtime.env, runtime.clock);
const server = createGraphQLServer({
  production: runtime.env.STAGE === 'prod',
  persistedQueries,
  tenantLimiter,
});

/** POST/GET /graphql behind the HTTP API (API Gateway v2 payloads). */
export const handler = middy(
  startServerAndCreateLambdaHandler(server, handlers.createAPIGatewayProxyEventV2RequestHandler(), {
    context: ({ event, context }) =>
      buildContext(
        services,
        verifier,
        event.headers.authorization,
        event.headers['x-api-key'],
        context.awsRequestId,
        tenantLimiter,
      ),
  }),
)
  .use(observability('graphql'))
  // A persisted query's registration lands before the instance can be frozen.
  .use({ after: () => persistedQueries.settled() });
