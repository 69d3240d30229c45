import { CfnOutput, CfnParameter, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { API_STAGE_THROTTLE, CATALOG, type FunctionSpec } from '../catalog.js';
import { CatalogFunctions, type Stage, validateCatalog } from './catalog-functions.js';
import { Identity } from './identity.js';
import { Monitoring } from './monitoring.js';
import { acknowledgeNagFindings } from './nag.js';
import { Storage } from './storage.js';
import {
  ChangeConsumers,
  FailureDrain,
  HttpEndpoints,
  ScheduledJobs,
  StreamingEndpoints,
} from './triggers.js';

/** The change pipe's enrichment step: pure (no needs), so its role holds only logs and tracing. */
const CHANGE_ENRICHMENT: FunctionSpec = {
  name: 'change-enrichment',
  description: 'Change pipe enrichment: stream records to change-bus details',
  entry: 'infra/cloud/handlers/change-enrichment.ts',
  trigger: { kind: 'http', routes: [] },
  needs: [],
  memoryMb: 256,
  timeoutSeconds: 30,
};

/** Props of {@link BrokerCrmStack}. */
export interface BrokerCrmStackProps extends StackProps {
  /** dev is disposable (data destroyed with the stack, optional MFA); prod retains data. */
  readonly stage: Stage;
  /**
   * The functions to deploy. Defaults to {@link CATALOG}; tests pass their own list to exercise
   * triggers the real catalog does not use yet.
   */
  readonly catalog?: readonly FunctionSpec[];
  /**
   * Sender address of e-mails (`-c mailFrom=…`); must be a verified SES identity or in a verified
   * domain. Without it the stack takes the address as the `MailFrom` parameter, asked for at deploy,
   * so a synth needs nothing but cdk.json (decision 0006).
   */
  readonly mailFrom?: string | undefined;
  /** Subscribed to the alarm topic when given (`-c alarmEmail=…`). */
  readonly alarmEmail?: string | undefined;
  /**
   * Browser origins of third-party front ends allowed to call /graphql (`-c corsOrigins=a,b`).
   * None by default: server-side callers need no CORS, and no origin is trusted unless named.
   */
  readonly corsOrigins?: readonly string[] | undefined;
}

/**
 * The whole product on AWS, derived from the catalog: storage, identity, one function per catalog
 * entry with its trigger and least-privilege role, change consumers behind the stream, schedules and
 * alarms. Adding a catalog entry is all it takes to deploy a new function.
 */
export class BrokerCrmStack extends Stack {
  readonly stage: Stage;
  readonly storage: Storage;
  readonly identity: Identity;
  readonly functions: CatalogFunctions;
  readonly http: HttpEndpoints;
  /** Function URLs of the streaming functions (live updates). */
  readonly streaming: StreamingEndpoints;
  readonly changes: ChangeConsumers;
  readonly schedules: ScheduledJobs;
  readonly failureDrain: FailureDrain;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: BrokerCrmStackProps) {
    super(scope, id, props);
    this.stage = props.stage;
    const catalog = props.catalog ?? CATALOG;
    const mailFrom =
      props.mailFrom ?? (catalog.some((s) => s.needs.includes('mail')) ? this.askForMailFrom() : undefined);
    // Before anything is bundled: a catalog mistake should fail in milliseconds with a sentence.
    validateCatalog(catalog, mailFrom);
    const prod = props.stage === 'prod';

    this.storage = new Storage(this, 'storage', { retainData: prod });
    this.identity = new Identity(this, 'identity', { requireMfa: prod, retainData: prod });
    this.functions = new CatalogFunctions(this, 'functions', {
      stage: props.stage,
      catalog,
      resources: {
        table: this.storage.table,
        reportsBucket: this.storage.reportsBucket,
        archiveBucket: this.storage.archiveBucket,
        cursorSecret: this.storage.cursorSecret,
        mailFrom,
        auth: {
          issuer: this.identity.issuer,
          jwksUrl: this.identity.jwksUrl,
          audience: this.identity.client.userPoolClientId,
        },
      },
    });
    const all = this.functions.functions;
    this.http = new HttpEndpoints(this, 'http', {
      functions: all,
      ...(prod ? API_STAGE_THROTTLE.prod : API_STAGE_THROTTLE.other),
      retainLogs: prod,
      corsOrigins: props.corsOrigins ?? [],
    });
    // Campaign e-mails link to `/unsubscribe/{token}` on this API: the function that sends them
    // learns its public URL here (the API does not depend on the function, so there is no cycle).
    for (const { spec, fn } of all)
      if (spec.name === 'graphql') fn.addEnvironment('PUBLIC_BASE_URL', this.http.url);
    this.streaming = new StreamingEndpoints(this, 'streaming', {
      functions: all,
      corsOrigins: props.corsOrigins ?? [],
    });
    this.changes = new ChangeConsumers(this, 'changes', {
      table: this.storage.table,
      functions: all,
      createEnrichment: () => this.functions.addSupportFunction(CHANGE_ENRICHMENT),
    });
    this.schedules = new ScheduledJobs(this, 'schedules', { functions: all });
    this.failureDrain = new FailureDrain(this, 'failure-drain', {
      table: this.storage.table,
      functions: all,
      changes: this.changes,
    });
    const queued = [...this.changes.streamReaders, ...this.changes.busConsumers, ...this.schedules.jobs];
    this.monitoring = new Monitoring(this, 'monitoring', {
      functions: this.functions.allFunctions,
      streamReaders: this.changes.streamReaders,
      failureQueues: [
        ...queued.map((f) => ({ label: f.spec.name, queue: f.failureQueue })),
        ...(this.changes.pipeFailureQueue
          ? [{ label: 'change-pipe', queue: this.changes.pipeFailureQueue }]
          : []),
      ],
      alarmEmail: props.alarmEmail,
    });

    new CfnOutput(this, 'api-url', {
      key: 'ApiUrl',
      value: this.http.url,
      description: 'Base URL; GraphQL at /graphql',
    });
    for (const { spec, endpoint } of this.streaming.endpoints) {
      new CfnOutput(this, `${spec.name}-url`, {
        // graphql-stream → GraphqlStreamUrl
        key: `${spec.name.replace(/(^|-)(.)/g, (_m, _dash, c: string) => c.toUpperCase())}Url`,
        value: endpoint,
        description: `${spec.description}: the function URL (response streaming)`,
      });
    }
    new CfnOutput(this, 'user-pool-id', { key: 'UserPoolId', value: this.identity.userPool.userPoolId });
    new CfnOutput(this, 'user-pool-client-id', {
      key: 'UserPoolClientId',
      value: this.identity.client.userPoolClientId,
    });
    new CfnOutput(this, 'table-name', { key: 'TableName', value: this.storage.table.tableName });
    new CfnOutput(this, 'alarm-topic-arn', { key: 'AlarmTopicArn', value: this.monitoring.topic.topicArn });

    acknowledgeNagFindings(this);
  }

  /**
   * The sender address as a stack parameter without a default: `cdk synth` needs no address, and
   * `cdk deploy` stops before changing anything with "The following CloudFormation Parameters are
   * missing a value: MailFrom" until one is passed.
   */
  private askForMailFrom(): string {
    return new CfnParameter(this, 'MailFrom', {
      type: 'String',
      description:
        'Sender address of e-mails (invoices, dunning notices): a verified SES identity or an address in a ' +
        'verified domain. Pass it at deploy: npm run deploy -- --parameters MailFrom=crm@mail.example.com',
      allowedPattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
      constraintDescription: 'must be an e-mail address, e.g. crm@mail.example.com (a verified SES identity)',
    }).valueAsString;
  }
}
