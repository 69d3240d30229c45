import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import sesLocalModule from 'aws-ses-v2-local';
import { buildApp } from 'fauxqs';
import { createFailuresModule } from '../../functions/modules/failures/index.js';
import { systemClock } from '../../functions/shared/clock.js';
import { createDocumentClient, Db } from '../../functions/shared/db.js';
import { LiveHub } from '../../functions/shared/live-hub.js';
import { withoutSdkLogging } from '../../functions/shared/sdk-client.js';
import { CATALOG, type FunctionSpec, LIVE_FILTER, LIVE_STREAM_PATH } from '../catalog.js';
import { ensureTable } from '../table-spec.js';
import {
  type BusHandler,
  type BusSubscriber,
  busSubscribers,
  ChangeBus,
  type FailureEntry,
  FailureLog,
} from './change-bus.js';
import { DynamoCheckpointStore } from './checkpoints.js';
import { type DynamoDbLocal, LOCAL_AWS, startDynamoDbLocal } from './dynamodb.js';
import { failureStoreSink } from './failure-store.js';
import { loadHandler, prewarmFunctionModules } from './function-loader.js';
import type { HttpHandler, HttpRoute } from './http-adapter.js';
import { freePort } from './ports.js';
import { createLocalLiveStream, handleRequest, type RequestDeps } from './request-handler.js';
import { LocalS3Facade } from './s3-facade.js';
import { type ScheduleHandler, Scheduler, scheduledJobs } from './scheduler.js';
import type { SeedResult } from './seed.js';
import { SmsRecorder } from './sms-recorder.js';
import { type StreamHandler, StreamPoller, streamConsumers } from './stream-poller.js';
import { localTenantLimits } from './tenant-limits.js';
import { type IssuerKeyMaterial, LOCAL_AUDIENCE, LOCAL_ISSUER, LocalTokenIssuer } from './token-issuer.js';

export interface LocalStackOptions {
  /** HTTP port; 0 picks a free one. */
  port: number;
  /** Where data, keys and records persist; null keeps everything in memory. */
  dataDir: string | null;
  seed: boolean;
  log: (line: string) => void;
  /** The functions to host; tests pass their own stream, bus and schedule entries. Default {@link CATALOG}. */
  catalog?: readonly FunctionSpec[];
  /**
   * Handlers by function name, used instead of importing the entry file, so a test can host a
   * function defined inline (its catalog entry's `entry` is then never loaded).
   */
  handlers?: Readonly<Record<string, unknown>>;
}

/**
 * The local stand-ins for the stream's readers, the change bus and the schedules, as a test drives
 * them: wait for everything written so far to be delivered, read what was given up on, fire a
 * schedule now.
 */
export interface LocalChanges {
  /** Resolves once every change written before the call reached its consumers and subscribers. */
  idle(): Promise<void>;
  /** Dead letters of stream consumers, bus subscribers and schedules, oldest first. */
  failures(): readonly FailureEntry[];
  /** Invokes a scheduled function now with a Scheduled Event. */
  runSchedule(name: string, at?: Date): Promise<unknown>;
}

/** What `.local/dev.json` holds: how to call the local API as each demo user and insurer. */
export interface DevInfo {
  graphqlUrl: string;
  /** Live updates: GraphQL subscriptions over server-sent events. */
  streamUrl: string;
  healthUrl: string;
  /** Captured e-mail as a page; `mailJsonUrl` as `{ emails }`. */
  mailUrl: string;
  mailJsonUrl: string;
  /** Recorded SMS as a page; `smsJsonUrl` as `{ sms }`. */
  smsUrl: string;
  smsJsonUrl: string;
  /** `POST <schedulesUrl>/{name}/run[?at=<ISO instant>]` runs a catalog schedule now. */
  schedulesUrl: string;
  jwksUrl: string;
  tokens: Record<string, Record<string, string>>;
  insurers: Array<{ tenant: string; id: string; name: string; webhookUrl: string; secret: string }>;
}

export interface LocalStack {
  url: string;
  /**
   * Where each local service listens: the API and every emulator on loopback only. (DynamoDB Local
   * itself has no bind option and listens on every interface; see README, Troubleshooting.)
   */
  listeners: { api: string; s3SnsSqs: string; ses: string; dynamodb: string };
  dev: DevInfo;
  sms: SmsRecorder;
  dynamo: DynamoDbLocal;
  /** The live-updates hub (tests wait until a client has subscribed). */
  live: { readonly size: number };
  changes: LocalChanges;
  stop(): Promise<void>;
}

const TABLE_NAME = 'broker-crm-local';
/** The stream poller's positions (infra/local/checkpoints.ts); local only, outside the table design. */
const CHECKPOINT_TABLE = 'broker-crm-local-stream-checkpoints';

/** Where live updates stream (GraphQL over server-sent events). */
export { LIVE_STREAM_PATH };

// aws-ses-v2-local is CommonJS with `exports.default`; under Node's ESM interop that default sits one level down.
const startSesLocal = ((sesLocalModule as unknown as { default?: typeof sesLocalModule }).default ??
  sesLocalModule) as typeof sesLocalModule;
const REPORTS_BUCKET = 'broker-crm-reports';
const ARCHIVE_BUCKET = 'broker-crm-webhook-archive';

function loadJson<T>(file: string): T | undefined {
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as T) : undefined;
}

/**
 * Starts the whole product on this machine: DynamoDB Local with the table from the table design,
 * S3/SNS/SQS (fauxqs) and SES (aws-ses-v2-local) emulators, an SMS recorder, the local token
 * issuer, and every catalog function behind an HTTP adapter that speaks API Gateway v2 events.
 * Handlers run unchanged: only the endpoints in the environment differ from the cloud.
 */
export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const { log } = options;
  const dataDir = options.dataDir ? resolve(options.dataDir) : null;
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const stops: Array<() => Promise<void>> = [];
  const catalog = options.catalog ?? CATALOG;

  // A data directory with a database from an earlier start may hold items of an earlier version.
  const earlierData = dataDir !== null && existsSync(join(dataDir, 'dynamodb', 'shared-local-instance.db'));
  // Set before the functions' modules load (while the JVM boots): logger and metrics read it on
  // import. Metrics (EMF lines on stdout) are noise where there is no CloudWatch.
  Object.assign(process.env, {
    TABLE_NAME,
    STAGE: 'local',
    POWERTOOLS_METRICS_DISABLED: 'true',
    AUTH_ISSUER: LOCAL_ISSUER,
    AUTH_AUDIENCE: LOCAL_AUDIENCE,
    REPORTS_BUCKET,
    ARCHIVE_BUCKET,
    MAIL_FROM: 'noreply@broker-crm.local',
    S3_FORCE_PATH_STYLE: 'true',
    ...localTenantLimits(process.env),
    AWS_REGION: LOCAL_AWS.region,
    AWS_ACCESS_KEY_ID: LOCAL_AWS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_AWS.secretAccessKey,
  });
  const warm = prewarmFunctionModules(catalog.filter((spec) => !options.handlers?.[spec.name]));
  const dynamo = await startDynamoDbLocal(dataDir ? { dataDir: join(dataDir, 'dynamodb') } : {});
  stops.push(() => dynamo.stop());
  try {
    const ddb = withoutSdkLogging(
      new DynamoDBClient({
        endpoint: dynamo.endpoint,
        region: LOCAL_AWS.region,
        credentials: LOCAL_AWS,
      }),
    );
    await ensureTable(ddb, TABLE_NAME);
    // In memory nothing survives a stop, so there is no position worth keeping.
    const checkpoints = dataDir ? new DynamoCheckpointStore(ddb, CHECKPOINT_TABLE) : null;
    await checkpoints?.ensure();
    stops.push(async () => ddb.destroy());
    log(
      `DynamoDB Local   ${dynamo.endpoint} (table ${TABLE_NAME}${dataDir ? `, data in ${join(dataDir, 'dynamodb')}` : ', in memory'})`,
    );

    const fauxqs = await startLoopbackFauxqs();
    stops.push(() => fauxqs.stop());
    for (const bucket of [REPORTS_BUCKET, ARCHIVE_BUCKET]) await fauxqs.createBucket(bucket);
    const s3Dir = dataDir ? join(dataDir, 's3') : null;
    const s3 = new LocalS3Facade(fauxqs.address, [REPORTS_BUCKET, ARCHIVE_BUCKET], s3Dir);
    const restored = await s3.restore();
    log(`SNS/SQS          ${fauxqs.address} (fauxqs, in memory)`);

    const sesPort = await freePort();
    const ses: Server = await startSesLocal({ host: '127.0.0.1', port: sesPort });
    stops.push(() => new Promise<void>((r) => ses.close(() => r())));
    const sesUrl = `http://127.0.0.1:${sesPort}`;
    log(`SES              ${sesUrl} (aws-ses-v2-local)`);

    const keyFile = dataDir ? join(dataDir, 'issuer-keys.json') : null;
    const issuer = await LocalTokenIssuer.create(keyFile ? loadJson<IssuerKeyMaterial>(keyFile) : undefined);
    if (keyFile) writeFileSync(keyFile, JSON.stringify(issuer.keyMaterial), { mode: 0o600 });

    const sms = new SmsRecorder(dataDir ? join(dataDir, 'sms.jsonl') : null);
    const cursorKeys = localCursorKeys(dataDir);

    const port = options.port === 0 ? await freePort() : options.port;
    const base = `http://localhost:${port}`;
    log(
      `S3               ${base}/<bucket> (fauxqs behind the local server${s3Dir ? `, ${restored} object(s) kept in ${s3Dir}` : ', in memory'})`,
    );

    // The server listens before anything can store a file: S3 is served at once, the rest once loaded.
    let ready: (deps: RequestDeps) => void = () => undefined;
    const requestDeps = new Promise<RequestDeps>((r) => {
      ready = r;
    });
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://localhost');
      const work = s3.serves(url.pathname)
        ? s3.handle(req, res, url)
        : requestDeps.then((deps) => handleRequest(req, res, deps));
      work.catch((error) => {
        log(`request failed: ${(error as Error).stack ?? String(error)}`);
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
    stops.push(
      () =>
        new Promise<void>((r) => {
          server.close(() => r());
          // Open live-update streams never end by themselves: close them, or stopping waits on them.
          server.closeAllConnections();
        }),
    );

    Object.assign(process.env, {
      AUTH_JWKS_URL: `${base}/.well-known/jwks.json`,
      SMS_SINK_URL: `${base}/local/sms`,
      PUBLIC_BASE_URL: base,
      CURSOR_KEYS: cursorKeys.join(','),
      AWS_ENDPOINT_URL_DYNAMODB: dynamo.endpoint,
      // S3 through the local server's own port (LocalS3Facade): presigned links name it.
      AWS_ENDPOINT_URL_S3: base,
      AWS_ENDPOINT_URL_SNS: fauxqs.address,
      AWS_ENDPOINT_URL_SQS: fauxqs.address,
      AWS_ENDPOINT_URL_SES: sesUrl,
    });

    await warm;
    const routes: HttpRoute[] = [];
    for (const spec of catalog) {
      if (spec.trigger.kind !== 'http') continue;
      const handler =
        (options.handlers?.[spec.name] as HttpHandler | undefined) ?? (await loadHandler<HttpHandler>(spec));
      // With a data dir, an answer waits until what the request wrote is on disk (see barrier()).
      const durable: HttpHandler = checkpoints
        ? async (event, context) => {
            const result = await handler(event, context);
            await checkpoints.barrier();
            return result;
          }
        : handler;
      for (const r of spec.trigger.routes) {
        routes.push({ ...r, functionName: spec.name, timeoutSeconds: spec.timeoutSeconds, handler: durable });
      }
    }

    const eventHandlers = new Map<string, unknown>();
    // A streaming entry runs only in Lambda: here the stack serves it over the in-process hub.
    const streamingPaths = new Set<string>();
    for (const spec of catalog) {
      if (spec.trigger.kind === 'streamingUrl') streamingPaths.add(spec.trigger.path);
      // The failure drain moves the cloud's failure queues into the store; locally the poller and
      // bus write there directly, so it has nothing to drain and is not loaded.
      if (
        spec.trigger.kind === 'http' ||
        spec.trigger.kind === 'streamingUrl' ||
        spec.trigger.kind === 'failure-queues'
      )
        continue;
      eventHandlers.set(spec.name, options.handlers?.[spec.name] ?? (await loadHandler<unknown>(spec)));
    }
    const handlerOf = <T>(spec: FunctionSpec) => eventHandlers.get(spec.name) as T;
    // A change a consumer gives up on lands in the failure store (`failedChanges`, `replayFailedChange`).
    const failureStore = createFailuresModule(
      new Db(
        createDocumentClient({ endpoint: dynamo.endpoint, region: LOCAL_AWS.region, credentials: LOCAL_AWS }),
        TABLE_NAME,
      ),
      systemClock,
      {},
    );
    const failures = new FailureLog(
      dataDir ? join(dataDir, 'failures.jsonl') : null,
      failureStoreSink(failureStore),
      log,
    );
    // Live updates (GraphQL over SSE at /graphql/stream) hear every change from the bus through an
    // in-process hub. The catalog's `live` subscriber still runs here and files the same changes into
    // the inboxes the cloud's streams poll (docs/decisions/0007-live-updates.md); locally no one reads them.
    const live = new LiveHub();
    const liveFeed: BusSubscriber = {
      name: 'live-updates',
      filter: LIVE_FILTER,
      maxRetries: 0,
      timeoutSeconds: 5,
      handler: (event) => live.publish(event.detail),
    };
    const bus = new ChangeBus({
      subscribers: [...busSubscribers(catalog, handlerOf<BusHandler>), liveFeed],
      region: LOCAL_AWS.region,
      failures,
      log,
    });
    const streams = withoutSdkLogging(
      new DynamoDBStreamsClient({
        endpoint: dynamo.endpoint,
        region: LOCAL_AWS.region,
        credentials: LOCAL_AWS,
      }),
    );
    const poller = new StreamPoller({
      client: streams,
      tableName: TABLE_NAME,
      region: LOCAL_AWS.region,
      consumers: streamConsumers(catalog, handlerOf<StreamHandler>),
      bus,
      // A shard resumes after its checkpoint; one without (a fresh table: the seed data included)
      // is read from the trim horizon, so no change written before a stop is skipped.
      fromStart: true,
      ...(checkpoints ? { checkpoints } : {}),
      failures,
      log,
    });
    await poller.start();
    stops.push(async () => {
      await poller.stop();
      streams.destroy();
    });
    const scheduler = new Scheduler({
      jobs: scheduledJobs(catalog, handlerOf<ScheduleHandler>),
      region: LOCAL_AWS.region,
      failures,
      log,
    });
    scheduler.start();
    stops.push(() => scheduler.stop());
    log(`Stream poller    ${poller.consumers.length} stream consumer(s), change bus, scheduler`);

    const seed = await seedOnce(dataDir, options.seed, log);
    // Older data: users get their hierarchy copies (idempotent), items move to index shards (once).
    const { db } = (await import('../../functions/shared/runtime.js')).getRuntime();
    await (await import('../migrations/upline-copies.js')).migrateUplineCopies(db);
    await (await import('../migrations/shard-keys.js')).migrateShardsOnce(db, dataDir, earlierData, log);
    const dev = await devInfo(base, issuer, seed);
    if (dataDir)
      writeFileSync(join(dataDir, 'dev.json'), `${JSON.stringify(dev, null, 2)}\n`, { mode: 0o600 });

    const liveStream = await createLocalLiveStream(live);
    ready({
      routes,
      issuer,
      sms,
      local: {
        sms,
        sesUrl,
        scheduleNames: scheduler.names(),
        runSchedule: async (name, at) => {
          const result = await scheduler.runNow(name, at);
          await poller.idle();
          return result;
        },
      },
      liveStream,
      streamingPaths,
      ideToken: firstToken(dev, 'admin'),
    });
    server.closeIdleConnections?.();

    return {
      url: base,
      listeners: {
        api: `http://127.0.0.1:${port}`,
        s3SnsSqs: fauxqs.address,
        ses: sesUrl,
        dynamodb: dynamo.endpoint,
      },
      dev,
      sms,
      dynamo,
      live,
      changes: {
        idle: async () => {
          await scheduler.idle();
          await poller.idle();
        },
        failures: () => failures.entries,
        runSchedule: (name, at) => scheduler.runNow(name, at),
      },
      stop: async () => {
        for (const stop of stops.reverse()) await stop().catch(() => undefined);
      },
    };
  } catch (error) {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    throw error;
  }
}

/**
 * fauxqs (S3/SNS/SQS) on loopback only. Its `startFauxqs` always listens on every interface (its
 * `host` option only names the host in queue URLs), so the stack builds its app and listens itself,
 * as every other local service does, on 127.0.0.1.
 */
async function startLoopbackFauxqs(): Promise<{
  address: string;
  createBucket(name: string): Promise<void>;
  stop(): Promise<void>;
}> {
  const app = buildApp({ logger: false, host: '127.0.0.1' });
  const address = await app.listen({ port: await freePort(), host: '127.0.0.1' });
  return {
    address,
    createBucket: async (name) => {
      const response = await fetch(`${address}/${name}`, { method: 'PUT' });
      if (!response.ok) throw new Error(`fauxqs refused bucket ${name}: HTTP ${response.status}`);
    },
    stop: () => app.close(),
  };
}

/**
 * The secrets that seal cursors on this machine, kept in `.local/cursor-keys.json` so cursors stay
 * valid across restarts (in memory: fresh ones). Put a new secret first in the file to rotate; the
 * older ones still open the cursors they sealed.
 */
function localCursorKeys(dataDir: string | null): string[] {
  const file = dataDir ? join(dataDir, 'cursor-keys.json') : null;
  const kept = file ? loadJson<{ keys: string[] }>(file)?.keys : undefined;
  if (kept && kept.length > 0) return kept;
  const keys = [randomBytes(32).toString('base64url')];
  if (file) writeFileSync(file, `${JSON.stringify({ keys }, null, 2)}\n`, { mode: 0o600 });
  return keys;
}

/** Seeds the demo brokerages the first time; on later starts reuses what `.local/seed.json` remembers. */
async function seedOnce(
  dataDir: string | null,
  enabled: boolean,
  log: (l: string) => void,
): Promise<SeedResult | null> {
  if (!enabled) return null;
  const seedFile = dataDir ? join(dataDir, 'seed.json') : null;
  const existing = seedFile ? loadJson<SeedResult>(seedFile) : undefined;
  if (existing) {
    log('Demo data       already seeded (delete .local/ to start afresh)');
    return existing;
  }
  // Imported after the environment is set: services read it at cold start, as in Lambda.
  const { seedDemo } = await import('./seed.js');
  const { createServices } = await import('../../functions/modules/services.js');
  const { getRuntime } = await import('../../functions/shared/runtime.js');
  const runtime = getRuntime();
  const result = await seedDemo(
    createServices(runtime.db, runtime.clock),
    runtime.clock.now().toISOString().slice(0, 10),
  );
  if (seedFile) writeFileSync(seedFile, JSON.stringify(result, null, 2), { mode: 0o600 });
  log(`Demo data       seeded ${result.tenants.map((t) => t.tenantId).join(', ')}`);
  return result;
}

async function devInfo(base: string, issuer: LocalTokenIssuer, seed: SeedResult | null): Promise<DevInfo> {
  const tokens: DevInfo['tokens'] = {};
  const insurers: DevInfo['insurers'] = [];
  for (const tenant of seed?.tenants ?? []) {
    tokens[tenant.tenantId] = {};
    for (const [role, principal] of Object.entries(tenant.principals)) {
      if (principal)
        (tokens[tenant.tenantId] as Record<string, string>)[role] = await issuer.sign(principal, '8d');
    }
    for (const insurer of tenant.insurers) {
      insurers.push({
        tenant: tenant.tenantId,
        id: insurer.id,
        name: insurer.name,
        webhookUrl: `${base}/webhooks/insurers/${insurer.id}`,
        secret: insurer.secret,
      });
    }
  }
  return {
    graphqlUrl: `${base}/graphql`,
    streamUrl: `${base}${LIVE_STREAM_PATH}`,
    healthUrl: `${base}/health`,
    mailUrl: `${base}/local/mail`,
    mailJsonUrl: `${base}/local/mail.json`,
    smsUrl: `${base}/local/sms`,
    smsJsonUrl: `${base}/local/sms.json`,
    schedulesUrl: `${base}/local/schedules`,
    jwksUrl: `${base}/.well-known/jwks.json`,
    tokens,
    insurers,
  };
}

function firstToken(dev: DevInfo, role: string): string | undefined {
  return Object.values(dev.tokens)[0]?.[role];
}
