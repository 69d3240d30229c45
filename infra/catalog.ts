/**
 * Every function of the product, listed once: its entry file, its trigger and what it needs. The
 * cloud stack (`infra/cloud/`) and the local stack (`infra/local/`) are both built from this list,
 * so a function cannot exist on one host and not the other.
 */

import type { ChangeFilter } from '../functions/shared/change-event.js';

export type { ChangeFilter, StreamEventName } from '../functions/shared/change-event.js';

/**
 * Resources a function may be granted; the cloud stack turns each into least-privilege IAM.
 * `cursorKeys`: the secret that seals pagination cursors, for a function that hands cursors out.
 * `tableRead`: the table for reading only. `liveInbox`: writing live-updates inbox items only
 * (`T#<tenant>#LIVE#<recipient>` partitions), for the subscriber that files them.
 * `objectErasure`: listing and deleting objects of the buckets the function has, for a data
 * subject's erasure (their earlier exports, dunning letters, archived deliveries S3 moved to Glacier).
 */
export type Need =
  | 'table'
  | 'tableRead'
  | 'liveInbox'
  | 'reportsBucket'
  | 'archiveBucket'
  | 'objectErasure'
  | 'mail'
  | 'sms'
  | 'cursorKeys';

export type Trigger =
  | { kind: 'http'; routes: Array<{ method: 'GET' | 'POST' | 'OPTIONS'; path: string }> }
  /** A direct reader of the table's stream (at most two readers per shard: see ARCHITECTURE.md). */
  | {
      kind: 'stream';
      filter: ChangeFilter;
      batchSize: number;
      maxRetries: number;
      maxRecordAgeSeconds: number;
    }
  /**
   * A subscriber to the change bus (EventBridge in the cloud), fed by the one pipe off the stream.
   * With `batch`, the rule feeds a queue the function reads in batches of up to `size` changes,
   * waiting up to `windowSeconds` to fill one (an SQS queue in the cloud; locally the bus gathers a
   * stream read's changes), for a subscriber that writes less per change when it sees many at once.
   */
  | { kind: 'bus'; filter: ChangeFilter; maxRetries: number; batch?: BusBatch }
  /**
   * A streamed HTTP response (GraphQL over server-sent events): a Lambda function URL in invoke mode
   * RESPONSE_STREAM in the cloud (HTTP APIs cannot stream), the route `path` on the local stack. No
   * authorizer: the function verifies the bearer token, as `/graphql` does.
   */
  | { kind: 'streamingUrl'; path: string }
  /** EventBridge Scheduler expression: `rate(1 day)` or `cron(0 7 * * ? *)` (UTC). */
  | { kind: 'schedule'; expression: string }
  /**
   * Every failure queue of the cloud (stream readers' on-failure destinations, the change pipe's and
   * the bus rules' dead-letter queues) as an SQS event source. The local stack has no queues: its
   * poller and bus write failures to the store themselves, so it skips this kind.
   */
  | { kind: 'failure-queues'; batchSize: number };

/** How a batched bus subscriber reads its queue (see the `bus` trigger). */
export interface BusBatch {
  size: number;
  windowSeconds: number;
}

export interface FunctionSpec {
  /** Short kebab-case name, used for construct ids and logs. */
  name: string;
  description: string;
  /** Entry file relative to the repository root; it exports `handler`. */
  entry: string;
  trigger: Trigger;
  needs: Need[];
  memoryMb: number;
  timeoutSeconds: number;
  /**
   * Reserved concurrency in the cloud: the most instances this function runs at once, and the ones
   * it always has. Set on the functions a single tenant's burst could multiply (an import, a webhook
   * burst, a flood of bus events), so no burst takes the account's concurrency from the rest
   * (docs/scale.md, section 5). Unset: the account's unreserved pool.
   */
  reservedConcurrency?: number;
  /**
   * Settings passed to the function's environment in the cloud, such as its per-tenant limits. The
   * local stack runs every handler in one process with one environment and sets its own
   * (infra/local/tenant-limits.ts).
   */
  environment?: Readonly<Record<string, string>>;
}

/**
 * Per-tenant limits of one warm instance (docs/scale.md, "Fairness between tenants"); a tenant's
 * fleet-wide bound is the rate times the function's reserved concurrency. The same numbers are the
 * defaults of functions/shared/env.ts (a test holds them equal).
 */
export const TENANT_LIMITS = {
  /** GraphQL: tokens a second per tenant; a request spends 1 to 5 by its estimated cost. */
  apiRatePerSecond: 20,
  apiBurst: 40,
  /** Webhook deliveries a minute per tenant (all its insurers) and per insurer of a tenant. */
  webhookTenantPerMinute: 30,
  webhookInsurerPerMinute: 20,
} as const;

/**
 * The HTTP API stage's default route throttle: the ceiling of the whole API, every tenant together
 * (HTTP APIs have no usage plans, so nothing per tenant is possible at the gateway).
 */
export const API_STAGE_THROTTLE = {
  prod: { rateLimit: 200, burstLimit: 400 },
  other: { rateLimit: 20, burstLimit: 40 },
} as const;

/** The changes live subscriptions follow (functions/shared/live-inbox.ts, LIVE_ENTITY_TYPES). */
export const LIVE_FILTER: ChangeFilter = { entityTypes: ['CommissionAccrual'], events: ['INSERT', 'MODIFY'] };

/**
 * How the `live` subscriber reads its queue: up to 100 changes, waiting up to 1 s (what a stream
 * poll waits anyway), so a burst's changes of one recipient share an inbox item.
 */
export const LIVE_BATCH: BusBatch = { size: 100, windowSeconds: 1 };

/** Where live updates stream on both hosts (the function URL's path; the local route). */
export const LIVE_STREAM_PATH = '/graphql/stream';

export const CATALOG: readonly FunctionSpec[] = [
  {
    name: 'graphql',
    description: 'GraphQL API for front ends and partner portals',
    entry: 'functions/graphql/handler.ts',
    trigger: {
      kind: 'http',
      routes: [
        { method: 'POST', path: '/graphql' },
        { method: 'GET', path: '/graphql' },
      ],
    },
    // The archive bucket: an admin's reprocessWebhookDelivery reads an archived delivery back.
    // Mail and SMS: an admin's replayFailedChange runs the debtors consumer, which sends notices.
    // Object erasure: an admin's eraseDataSubject removes the person's files from both buckets.
    needs: ['table', 'reportsBucket', 'archiveBucket', 'objectErasure', 'mail', 'sms', 'cursorKeys'],
    memoryMb: 1024,
    timeoutSeconds: 29,
    // The API can never take the whole account (1,000) from the consumers (docs/scale.md, section 5).
    reservedConcurrency: 100,
    environment: {
      API_TENANT_RATE_PER_SECOND: String(TENANT_LIMITS.apiRatePerSecond),
      API_TENANT_BURST: String(TENANT_LIMITS.apiBurst),
    },
  },
  {
    name: 'webhooks',
    description: 'Signed policy webhooks from insurers',
    entry: 'functions/webhooks/handler.ts',
    trigger: { kind: 'http', routes: [{ method: 'POST', path: '/webhooks/insurers/{insurerId}' }] },
    needs: ['table', 'archiveBucket'],
    memoryMb: 1024,
    timeoutSeconds: 29,
    // At most 10 deliveries at once: a burst beyond gets 429 and the sender retries (docs/scale.md).
    reservedConcurrency: 10,
    environment: {
      WEBHOOK_TENANT_DELIVERIES_PER_MINUTE: String(TENANT_LIMITS.webhookTenantPerMinute),
      WEBHOOK_INSURER_DELIVERIES_PER_MINUTE: String(TENANT_LIMITS.webhookInsurerPerMinute),
    },
  },
  {
    name: 'leads',
    description:
      'Public lead intake of landing pages and partner sites: potential clients and first-contact tasks',
    entry: 'functions/leads/handler.ts',
    // OPTIONS: the form's own CORS preflight (its configured origins), answered by the function.
    trigger: {
      kind: 'http',
      routes: [
        { method: 'POST', path: '/leads/{formId}' },
        { method: 'OPTIONS', path: '/leads/{formId}' },
      ],
    },
    needs: ['table'],
    memoryMb: 512,
    timeoutSeconds: 10,
  },
  {
    name: 'cross-sell',
    description:
      "Daily cross-sell: learns association rules between product lines from each tenant's own book",
    entry: 'functions/cross-sell/handler.ts',
    trigger: { kind: 'schedule', expression: 'cron(0 2 * * ? *)' },
    needs: ['table'],
    // Counting pairs and triples per client: ~90,000 clients learned in under a second at ~140 MB.
    memoryMb: 512,
    timeoutSeconds: 900,
  },
  {
    name: 'calendar-feed',
    description: "iCalendar feeds: a user's tasks behind a revocable token, for calendar apps to subscribe",
    entry: 'functions/calendar-feed/handler.ts',
    // The path's last segment is `<token>.ics`: API Gateway matches whole segments only.
    trigger: { kind: 'http', routes: [{ method: 'GET', path: '/calendar/{token}' }] },
    needs: ['tableRead'],
    memoryMb: 512,
    timeoutSeconds: 29,
  },
  {
    name: 'unsubscribe',
    description:
      "Campaign e-mails' unsubscribe link: withdraws marketing consent, confirms in the tenant's language",
    entry: 'functions/unsubscribe/handler.ts',
    trigger: { kind: 'http', routes: [{ method: 'GET', path: '/unsubscribe/{token}' }] },
    // The cursor secret: unsubscribe tokens are signed with a key derived from it.
    needs: ['table', 'cursorKeys'],
    memoryMb: 256,
    timeoutSeconds: 10,
  },
  {
    name: 'overdue',
    description: 'Daily sweep: marks due invoices overdue and writes their age, which drives dunning',
    entry: 'functions/overdue/handler.ts',
    // 08:00 UTC: inside business hours in European tenants, so SMS steps are not held by quiet hours.
    trigger: { kind: 'schedule', expression: 'cron(0 8 * * ? *)' },
    needs: ['table'],
    memoryMb: 512,
    timeoutSeconds: 300,
  },
  {
    name: 'retention',
    description:
      "Daily retention (GDPR): erases potential and lost clients past the tenant's retention settings",
    entry: 'functions/retention/handler.ts',
    trigger: { kind: 'schedule', expression: 'cron(30 2 * * ? *)' },
    // Its erasures reach the stored files that name a person: exports and invoice PDFs (reports
    // bucket) and archived insurer deliveries (archive bucket).
    needs: ['table', 'reportsBucket', 'archiveBucket', 'objectErasure'],
    memoryMb: 512,
    timeoutSeconds: 600,
  },
  {
    name: 'renewals',
    description: "Daily renewals: one renewal task per policy term ending within the tenant's window",
    entry: 'functions/renewals/handler.ts',
    trigger: { kind: 'schedule', expression: 'cron(0 5 * * ? *)' },
    needs: ['table'],
    memoryMb: 512,
    timeoutSeconds: 300,
  },
  {
    name: 'reminders',
    description:
      'Reminders every 5 minutes: due-soon e-mails, the 07:00 digest and meeting SMS, each sent once',
    entry: 'functions/reminders/handler.ts',
    trigger: { kind: 'schedule', expression: 'rate(5 minutes)' },
    needs: ['table', 'mail', 'sms'],
    memoryMb: 512,
    timeoutSeconds: 240,
  },
  {
    name: 'commissions',
    description: 'Commission ledger: policy and payment writes become ledger lines and accruals, in order',
    entry: 'functions/commissions/handler.ts',
    // The table's one direct stream reader (ARCHITECTURE.md): it moves money, so it reads in order
    // with the lowest latency; everything else subscribes to the change bus.
    trigger: {
      kind: 'stream',
      filter: { entityTypes: ['Policy', 'Payment'], events: ['INSERT', 'MODIFY'] },
      batchSize: 25,
      maxRetries: 5,
      maxRecordAgeSeconds: 86_400,
    },
    needs: ['table'],
    memoryMb: 512,
    timeoutSeconds: 60,
  },
  {
    name: 'debtors',
    description:
      'Dunning: escalates overdue invoices step by step (e-mail, SMS, collector task and letter); applies insurer-reported premium payments',
    entry: 'functions/debtors/handler.ts',
    trigger: {
      kind: 'bus',
      filter: { entityTypes: ['Invoice', 'InsurerPremiumPayment'], events: ['INSERT', 'MODIFY'] },
      maxRetries: 4,
    },
    needs: ['table', 'reportsBucket', 'mail', 'sms'],
    memoryMb: 512,
    timeoutSeconds: 60,
    // EventBridge retries throttled invokes for 24 h: a burst of payments queues instead of spreading.
    reservedConcurrency: 10,
  },
  {
    name: 'live',
    description:
      "Live updates: files the changes a subscription can follow into their recipients' inboxes, one item per recipient and batch",
    entry: 'functions/live/handler.ts',
    // In batches: one inbox item per recipient and batch, not one per change (docs/scale.md, section 6).
    trigger: { kind: 'bus', filter: LIVE_FILTER, maxRetries: 2, batch: LIVE_BATCH },
    needs: ['liveInbox'],
    memoryMb: 256,
    timeoutSeconds: 10,
  },
  {
    name: 'graphql-stream',
    description: 'Live updates: GraphQL subscriptions over server-sent events (response streaming)',
    entry: 'functions/graphql/stream-handler.ts',
    trigger: { kind: 'streamingUrl', path: LIVE_STREAM_PATH },
    // Subscriptions only read: the inbox and the records each event is resolved from.
    needs: ['tableRead'],
    memoryMb: 256,
    // Lambda's maximum: a stream lives up to 15 minutes, then the client reconnects (decision 0007).
    timeoutSeconds: 900,
  },
  {
    name: 'imports',
    description:
      'Import jobs: runs the next rows of a book or bank statement import within a time budget and checkpoints them',
    entry: 'functions/imports/handler.ts',
    // Each checkpoint is a MODIFY of the job, which brings the next run: one run per event, 20 s of
    // rows per run (ImportsService), well inside the timeout.
    trigger: {
      kind: 'bus',
      filter: { entityTypes: ['ImportJob'], events: ['INSERT', 'MODIFY'] },
      maxRetries: 4,
    },
    needs: ['table'],
    memoryMb: 1024,
    timeoutSeconds: 60,
    // At most 4 job runs at once: ≤ 268 policies/s into the policy index keys (docs/scale.md).
    reservedConcurrency: 4,
  },
  {
    name: 'reports',
    description:
      "Report jobs: reads the requested list with the requester's rights, writes PDF, XLSX or CSV to the reports bucket",
    entry: 'functions/reports/handler.ts',
    // Only the INSERT starts a build: the job's own progress writes (MODIFY) must not start another.
    trigger: { kind: 'bus', filter: { entityTypes: ['ReportJob'], events: ['INSERT'] }, maxRetries: 4 },
    needs: ['table', 'reportsBucket'],
    memoryMb: 1024,
    timeoutSeconds: 300,
    reservedConcurrency: 5,
  },
  {
    name: 'statements',
    description:
      'Scheduled reports: statements on a commission month’s approval, monthly efficiency and partner reports, each e-mailed once as a signed link',
    entry: 'functions/statements/handler.ts',
    // Hourly: a statement goes out within the hour of its month's approval; the month's first run
    // sends last month's reports. Each e-mail is recorded before its send, so reruns send nothing twice.
    trigger: { kind: 'schedule', expression: 'rate(1 hour)' },
    needs: ['table', 'reportsBucket', 'mail'],
    memoryMb: 1024,
    timeoutSeconds: 900,
  },
  {
    name: 'outgoing-webhooks',
    description:
      'Outgoing webhooks: changes that mean an event become signed deliveries to integrators, tried at once',
    entry: 'functions/outgoing-webhooks/handler.ts',
    trigger: {
      kind: 'bus',
      filter: { entityTypes: ['Client', 'Policy', 'CommissionLine'], events: ['INSERT', 'MODIFY'] },
      maxRetries: 4,
    },
    needs: ['table'],
    memoryMb: 256,
    // Each delivery may wait 10 s for its endpoint.
    timeoutSeconds: 120,
    reservedConcurrency: 10,
  },
  {
    name: 'outgoing-webhook-retries',
    description: 'Outgoing webhooks: retries due deliveries with exponential backoff for 24 h',
    entry: 'functions/outgoing-webhooks/retry-handler.ts',
    trigger: { kind: 'schedule', expression: 'rate(1 minute)' },
    needs: ['table'],
    memoryMb: 256,
    timeoutSeconds: 300,
  },
  {
    name: 'failures',
    description: 'Failure drain: failure-queue messages become failed changes that admins list and replay',
    entry: 'functions/failures/handler.ts',
    trigger: { kind: 'failure-queues', batchSize: 10 },
    needs: ['table'],
    memoryMb: 256,
    // At most the failure queues' visibility timeout (SQS's default 30 s), as SQS event sources require.
    timeoutSeconds: 30,
  },
];
