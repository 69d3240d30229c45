import { Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  type HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { EventBus, Rule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  FilterCriteria,
  type FunctionUrl,
  FunctionUrlAuthType,
  type IFunction,
  InvokeMode,
  HttpMethod as LambdaHttpMethod,
  StartingPosition,
} from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnPipe } from 'aws-cdk-lib/aws-pipes';
import { Schedule, ScheduleExpression } from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { CHANGE_DETAIL_TYPE, CHANGE_SOURCE } from '../../functions/shared/change-event.js';
import { TABLE } from '../../functions/shared/table-design.js';
import type { ChangeFilter, StreamEventName } from '../catalog.js';
import { CORS_POLICY } from '../cors.js';
import type { CatalogFunction } from './catalog-functions.js';

/** `source` and `detail-type` of every change the pipe puts on the bus (shared with the local bus). */
export const CHANGE_EVENT = { source: CHANGE_SOURCE, detailType: CHANGE_DETAIL_TYPE } as const;

/** A failure queue: where records or events land once their retries are spent. */
function failureQueue(scope: Construct, id: string): Queue {
  return new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
}

/**
 * A direct reader's change filter as Lambda filter patterns on the raw stream record. The entity
 * type of an INSERT or MODIFY is in the new image; a REMOVE has only the old image; Lambda ORs the
 * patterns. An empty list leaves that dimension open, as `matchesChange` (functions/shared) does locally.
 */
export function streamFilterPatterns(filter: ChangeFilter): Array<Record<string, unknown>> {
  const events: StreamEventName[] =
    filter.events.length > 0 ? [...filter.events] : ['INSERT', 'MODIFY', 'REMOVE'];
  if (filter.entityTypes.length === 0) {
    return filter.events.length > 0 ? [{ eventName: events }] : [];
  }
  const typeMatch = { [TABLE.entityType]: { S: [...filter.entityTypes] } };
  const withNew = events.filter((e) => e !== 'REMOVE');
  const patterns: Array<Record<string, unknown>> = [];
  if (withNew.length > 0) patterns.push({ eventName: withNew, dynamodb: { NewImage: typeMatch } });
  if (events.includes('REMOVE')) patterns.push({ eventName: ['REMOVE'], dynamodb: { OldImage: typeMatch } });
  return patterns;
}

/**
 * A bus subscriber's change filter as an EventBridge `detail` pattern on the change detail
 * (`entityType`, `eventName`: functions/shared/change-event.ts); empty lists are left out.
 */
export function busDetailPattern(filter: ChangeFilter): Record<string, string[]> {
  const detail: Record<string, string[]> = {};
  if (filter.events.length > 0) detail.eventName = [...filter.events];
  if (filter.entityTypes.length > 0) detail.entityType = [...filter.entityTypes];
  return detail;
}

/** Props of {@link HttpEndpoints}. */
export interface HttpEndpointsProps {
  readonly functions: readonly CatalogFunction[];
  /** Steady requests per second across the stage; protects the table and the account's concurrency. */
  readonly rateLimit: number;
  readonly burstLimit: number;
  readonly retainLogs: boolean;
  /** Origins allowed by CORS (bearer tokens, no cookies); empty = no CORS configuration. */
  readonly corsOrigins: readonly string[];
}

/**
 * The HTTP API with the catalog's routes. There is no API Gateway authorizer on purpose: the graphql
 * function verifies the Cognito token itself (some fields, like `health`, answer without one) and
 * webhooks are authenticated by their signature, exactly as on the local stack.
 */
export class HttpEndpoints extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: HttpEndpointsProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'api', {
      description: 'Broker CRM: GraphQL and insurer webhooks',
      createDefaultStage: false,
      // Front ends send a bearer token, never cookies, so credentials stay off. Webhooks come from
      // servers, so preflight only ever concerns /graphql.
      corsPreflight:
        props.corsOrigins.length > 0
          ? {
              allowOrigins: [...props.corsOrigins],
              allowMethods: CORS_POLICY.methods.map((m) => CorsHttpMethod[m]),
              allowHeaders: [...CORS_POLICY.headers],
              maxAge: Duration.seconds(CORS_POLICY.maxAgeSeconds),
            }
          : undefined,
    });
    const accessLogs = new LogGroup(this, 'access-logs', {
      retention: props.retainLogs ? RetentionDays.THREE_MONTHS : RetentionDays.TWO_WEEKS,
      removalPolicy: props.retainLogs ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    this.stage = this.api.addStage('default-stage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: props.rateLimit, burstLimit: props.burstLimit },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.jsonWithStandardFields(),
      },
    });
    for (const { spec, fn } of props.functions) {
      if (spec.trigger.kind !== 'http') continue;
      const integration = new HttpLambdaIntegration(`${spec.name}-integration`, fn);
      for (const route of spec.trigger.routes) {
        this.api.addRoutes({ path: route.path, methods: [HttpMethod[route.method]], integration });
      }
    }
  }

  /** The base URL of the API (the `$default` stage has no path prefix). */
  get url(): string {
    return this.stage.url;
  }
}

/** Props of {@link StreamingEndpoints}. */
export interface StreamingEndpointsProps {
  readonly functions: readonly CatalogFunction[];
  /** Origins allowed by CORS, as for the HTTP API; empty = no CORS configuration. */
  readonly corsOrigins: readonly string[];
}

/** A streaming catalog function with its URL. */
export interface StreamingEndpoint extends CatalogFunction {
  readonly url: FunctionUrl;
  /** Where clients connect: the function URL with the catalog path (the function serves any path). */
  readonly endpoint: string;
}

/**
 * The catalog's 'streamingUrl' functions behind Lambda function URLs in invoke mode
 * RESPONSE_STREAM: an HTTP API buffers responses, so server-sent events need the function URL
 * (docs/decisions/0007-live-updates.md). Auth NONE on purpose: the function verifies the Cognito
 * token itself, as the graphql function does behind the HTTP API; CORS as the HTTP API's.
 */
export class StreamingEndpoints extends Construct {
  readonly endpoints: readonly StreamingEndpoint[];

  constructor(scope: Construct, id: string, props: StreamingEndpointsProps) {
    super(scope, id);
    const endpoints: StreamingEndpoint[] = [];
    for (const f of props.functions) {
      if (f.spec.trigger.kind !== 'streamingUrl') continue;
      const url = f.fn.addFunctionUrl({
        authType: FunctionUrlAuthType.NONE,
        invokeMode: InvokeMode.RESPONSE_STREAM,
        cors:
          props.corsOrigins.length > 0
            ? {
                allowedOrigins: [...props.corsOrigins],
                // The function URL answers preflight itself: OPTIONS is not a method it routes.
                allowedMethods: CORS_POLICY.methods
                  .filter((m) => m !== 'OPTIONS')
                  .map((m) => LambdaHttpMethod[m]),
                allowedHeaders: [...CORS_POLICY.headers],
                maxAge: Duration.seconds(CORS_POLICY.maxAgeSeconds),
              }
            : undefined,
      });
      // The URL ends with a slash; the catalog path starts with one.
      const endpoint = Fn.join('', [url.url, f.spec.trigger.path.slice(1)]);
      endpoints.push({ ...f, url, endpoint });
    }
    this.endpoints = endpoints;
  }
}

/** Props of {@link ChangeConsumers}. */
export interface ChangeConsumersProps {
  readonly table: Table;
  readonly functions: readonly CatalogFunction[];
  /**
   * Builds the pipe's enrichment function (stream records → change details), so it is bundled,
   * logged and traced like every catalog function. Called only when some function subscribes to the bus.
   */
  readonly createEnrichment: (scope: Construct) => IFunction;
}

/** A triggered function together with the queue its failed events end in (for alarms and tests). */
export interface FailureQueued extends CatalogFunction {
  readonly failureQueue: Queue;
}

/**
 * The table's two stream readers and everything behind them (ARCHITECTURE.md, two-reader rule): the
 * one direct reader ('stream' kind: ordered, lowest latency) as a Lambda event source mapping, and
 * one EventBridge Pipe that forwards every change to the change bus, where each 'bus' consumer has its
 * own rule, retries and dead-letter queue. The pipe and bus exist only when some function subscribes.
 */
export class ChangeConsumers extends Construct {
  readonly streamReaders: readonly FailureQueued[];
  readonly busConsumers: readonly FailureQueued[];
  readonly bus: EventBus | undefined;
  readonly pipe: CfnPipe | undefined;
  /** Where changes the pipe could not deliver to the bus end up. */
  readonly pipeFailureQueue: Queue | undefined;
  /** Turns stream records into change details for the bus (the pipe's enrichment step). */
  readonly enrichment: IFunction | undefined;

  constructor(scope: Construct, id: string, props: ChangeConsumersProps) {
    super(scope, id);
    const streamArn = props.table.tableStreamArn;
    if (!streamArn) throw new Error('The table has no stream: change consumers need one');

    const readers: FailureQueued[] = [];
    for (const f of props.functions) {
      if (f.spec.trigger.kind !== 'stream') continue;
      const t = f.spec.trigger;
      const queue = failureQueue(this, `${f.spec.name}-failures`);
      f.fn.addEventSource(
        new DynamoEventSource(props.table, {
          // From the oldest record: a first deploy or a re-created mapping must not skip changes.
          startingPosition: StartingPosition.TRIM_HORIZON,
          batchSize: t.batchSize,
          bisectBatchOnError: true,
          reportBatchItemFailures: true,
          retryAttempts: t.maxRetries,
          maxRecordAge: Duration.seconds(t.maxRecordAgeSeconds),
          onFailure: new SqsDlq(queue),
          filters: streamFilterPatterns(t.filter).map((p) => FilterCriteria.filter(p)),
        }),
      );
      readers.push({ ...f, failureQueue: queue });
    }
    this.streamReaders = readers;

    const subscribers = props.functions.filter((f) => f.spec.trigger.kind === 'bus');
    if (subscribers.length === 0) {
      this.busConsumers = [];
      return;
    }
    const bus = new EventBus(this, 'change-bus', { description: 'Every change of the table, from the pipe' });
    this.bus = bus;
    const pipeFailures = failureQueue(this, 'pipe-failures');
    this.pipeFailureQueue = pipeFailures;
    const pipeRole = new Role(this, 'pipe-role', { assumedBy: new ServicePrincipal('pipes.amazonaws.com') });
    pipeRole.addToPolicy(
      new PolicyStatement({
        actions: [
          'dynamodb:DescribeStream',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:ListStreams',
        ],
        resources: [streamArn],
      }),
    );
    pipeRole.addToPolicy(
      new PolicyStatement({ actions: ['events:PutEvents'], resources: [bus.eventBusArn] }),
    );
    const enrichment = props.createEnrichment(this);
    this.enrichment = enrichment;
    pipeRole.addToPolicy(
      new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [enrichment.functionArn] }),
    );
    pipeFailures.grantSendMessages(pipeRole);
    this.pipe = new CfnPipe(this, 'change-pipe', {
      description: 'Table stream to the change bus (the second and last stream reader)',
      roleArn: pipeRole.roleArn,
      source: streamArn,
      sourceParameters: {
        dynamoDbStreamParameters: {
          startingPosition: 'TRIM_HORIZON',
          batchSize: 10,
          maximumBatchingWindowInSeconds: 1,
          maximumRetryAttempts: 10,
          maximumRecordAgeInSeconds: 86_400,
          onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          deadLetterConfig: { arn: pipeFailures.queueArn },
        },
      },
      enrichment: enrichment.functionArn,
      target: bus.eventBusArn,
      targetParameters: {
        eventBridgeEventBusParameters: { source: CHANGE_EVENT.source, detailType: CHANGE_EVENT.detailType },
      },
    });
    this.pipe.node.addDependency(pipeRole);

    this.busConsumers = subscribers.map((f) => {
      if (f.spec.trigger.kind !== 'bus') throw new Error('unreachable');
      const queue = failureQueue(this, `${f.spec.name}-failures`);
      const rule = new Rule(this, `${f.spec.name}-rule`, {
        eventBus: bus,
        description: `Changes for ${f.spec.name}`,
        eventPattern: {
          source: [CHANGE_EVENT.source],
          detailType: [CHANGE_EVENT.detailType],
          detail: busDetailPattern(f.spec.trigger.filter),
        },
      });
      const targetProps = {
        retryAttempts: f.spec.trigger.maxRetries,
        maxEventAge: Duration.hours(24),
        deadLetterQueue: queue,
      };
      const { batch } = f.spec.trigger;
      if (!batch) {
        rule.addTarget(new LambdaFunction(f.fn, targetProps));
        return { ...f, failureQueue: queue };
      }
      // Batched: the rule fills a queue the function reads in batches; a message that fails
      // `maxRetries + 1` receives goes to the same dead-letter queue as an undeliverable event, whose
      // body is the event itself either way (the drain reads both alike).
      const buffer = new Queue(this, `${f.spec.name}-queue`, {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(1),
        // Lambda's rule for an SQS source: at least 6 × the timeout plus the batching window.
        visibilityTimeout: Duration.seconds(6 * f.spec.timeoutSeconds + batch.windowSeconds),
        deadLetterQueue: { queue, maxReceiveCount: f.spec.trigger.maxRetries + 1 },
      });
      rule.addTarget(new SqsQueue(buffer, targetProps));
      f.fn.addEventSource(
        new SqsEventSource(buffer, {
          batchSize: batch.size,
          maxBatchingWindow: Duration.seconds(batch.windowSeconds),
          reportBatchItemFailures: true,
        }),
      );
      return { ...f, failureQueue: queue };
    });
  }
}

/** Props of {@link ScheduledJobs}. */
export interface ScheduledJobsProps {
  readonly functions: readonly CatalogFunction[];
}

/** EventBridge Scheduler schedules for the catalog's 'schedule' functions (expressions in UTC). */
export class ScheduledJobs extends Construct {
  readonly jobs: ReadonlyArray<FailureQueued & { readonly role: Role }>;

  constructor(scope: Construct, id: string, props: ScheduledJobsProps) {
    super(scope, id);
    const jobs: Array<FailureQueued & { readonly role: Role }> = [];
    for (const f of props.functions) {
      if (f.spec.trigger.kind !== 'schedule') continue;
      // One role per schedule rather than the stack-wide role the target would create: it may invoke
      // this function (and its versions) and nothing else.
      const role = new Role(this, `${f.spec.name}-scheduler-role`, {
        assumedBy: new ServicePrincipal('scheduler.amazonaws.com'),
      });
      const queue = failureQueue(this, `${f.spec.name}-failures`);
      new Schedule(this, `${f.spec.name}-schedule`, {
        description: `Runs ${f.spec.name}`,
        schedule: ScheduleExpression.expression(f.spec.trigger.expression),
        target: new LambdaInvoke(f.fn, {
          role,
          retryAttempts: 2,
          maxEventAge: Duration.hours(1),
          deadLetterQueue: queue,
        }),
      });
      jobs.push({ ...f, failureQueue: queue, role });
    }
    this.jobs = jobs;
  }
}

/** Props of {@link FailureDrain}. */
export interface FailureDrainProps {
  readonly table: Table;
  readonly functions: readonly CatalogFunction[];
  readonly changes: ChangeConsumers;
}

/** A failure queue and the consumers its failed changes belong to (the drain's `FAILURE_QUEUES`). */
export interface DrainedQueue {
  readonly label: string;
  readonly queue: Queue;
  readonly routes: ReadonlyArray<{ consumer: string; filter: ChangeFilter }>;
}

/**
 * The catalog's 'failure-queues' function fed by every change failure queue: each direct stream
 * reader's, the change pipe's (routed to every bus consumer, as the change never reached the bus) and
 * each bus rule's. Schedules' queues are left out: a failed schedule carries no change to replay.
 * The drain may consume those queues and read the table's stream back (pointers in on-failure
 * records), nothing else beyond its catalog needs.
 */
export class FailureDrain extends Construct {
  readonly queues: readonly DrainedQueue[];
  readonly drains: readonly CatalogFunction[];

  constructor(scope: Construct, id: string, props: FailureDrainProps) {
    super(scope, id);
    const route = (f: FailureQueued) => {
      if (f.spec.trigger.kind !== 'stream' && f.spec.trigger.kind !== 'bus') throw new Error('unreachable');
      return { consumer: f.spec.name, filter: f.spec.trigger.filter };
    };
    const { streamReaders, busConsumers, pipeFailureQueue } = props.changes;
    this.queues = [
      ...streamReaders.map((f) => ({ label: f.spec.name, queue: f.failureQueue, routes: [route(f)] })),
      ...(pipeFailureQueue
        ? [{ label: 'change-pipe', queue: pipeFailureQueue, routes: busConsumers.map(route) }]
        : []),
      ...busConsumers.map((f) => ({ label: f.spec.name, queue: f.failureQueue, routes: [route(f)] })),
    ];
    this.drains = props.functions.filter((f) => f.spec.trigger.kind === 'failure-queues');
    const streamArn = props.table.tableStreamArn;
    for (const { spec, fn } of this.drains) {
      if (spec.trigger.kind !== 'failure-queues') continue;
      for (const { queue } of this.queues) {
        fn.addEventSource(
          new SqsEventSource(queue, { batchSize: spec.trigger.batchSize, reportBatchItemFailures: true }),
        );
      }
      if (streamArn) {
        fn.addToRolePolicy(
          new PolicyStatement({
            actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator'],
            resources: [streamArn],
          }),
        );
      }
      fn.addEnvironment(
        'FAILURE_QUEUES',
        Stack.of(this).toJsonString(
          this.queues.map((q) => ({ queueArn: q.queue.queueArn, routes: q.routes })),
        ),
      );
    }
  }
}
