/**
 * Every function of the product, listed once: its entry file, its trigger and what it needs. The
 * cloud stack (`infra/cloud/`) and the local stack (`infra/local/`) are both built from this list,
 * so a function cannot exist on one host and not the other.
 */

/**
 * Resources a function may be granted; the cloud stack turns each into least-privilege IAM.
 * `cursorKeys`: the secret that seals pagination cursors, for a function that hands cursors out.
 */
export type Need = 'table' | 'reportsBucket' | 'archiveBucket' | 'mail' | 'sms' | 'cursorKeys';

export type StreamEventName = 'INSERT' | 'MODIFY' | 'REMOVE';

/** Which table changes a consumer wants: entity types (the `type` attribute) and event names. */
export interface ChangeFilter {
  entityTypes: string[];
  events: StreamEventName[];
}

export type Trigger =
  | { kind: 'http'; routes: Array<{ method: 'GET' | 'POST'; path: string }> }
  /** A direct reader of the table's stream (at most two readers per shard: see ARCHITECTURE.md). */
  | {
      kind: 'stream';
      filter: ChangeFilter;
      batchSize: number;
      maxRetries: number;
      maxRecordAgeSeconds: number;
    }
  /** A subscriber to the change bus (EventBridge in the cloud), fed by the one pipe off the stream. */
  | { kind: 'bus'; filter: ChangeFilter; maxRetries: number }
  /** EventBridge Scheduler expression: `rate(1 day)` or `cron(0 7 * * ? *)` (UTC). */
  | { kind: 'schedule'; expression: string }
  /**
   * Every failure queue of the cloud (stream readers' on-failure destinations, the change pipe's and
   * the bus rules' dead-letter queues) as an SQS event source. The local stack has no queues: its
   * poller and bus write failures to the store themselves, so it skips this kind.
   */
  | { kind: 'failure-queues'; batchSize: number };

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
}

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
    needs: ['table', 'reportsBucket', 'archiveBucket', 'mail', 'sms', 'cursorKeys'],
    memoryMb: 1024,
    timeoutSeconds: 29,
  },
  {
    name: 'webhooks',
    description: 'Signed policy webhooks from insurers',
    entry: 'functions/webhooks/handler.ts',
    trigger: { kind: 'http', routes: [{ method: 'POST', path: '/webhooks/insurers/{insurerId}' }] },
    needs: ['table', 'archiveBucket'],
    memoryMb: 1024,
    timeoutSeconds: 29,
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
