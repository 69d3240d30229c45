import {
  AssetHashType,
  DockerImage,
  Duration,
  Fn,
  type ILocalBundling,
  RemovalPolicy,
  Stack,
  Token,
} from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IBucket } from 'aws-cdk-lib/aws-s3';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { FunctionSpec, Need } from '../catalog.js';
import { BundleBatch, bundleFunctionSync, REPO_ROOT } from './bundling.js';

/** The stages a stack is deployed as; the names are also the `STAGE` the functions read. */
export type Stage = 'dev' | 'prod';

/** What the functions' needs resolve to: the resources a need grants and the values its env names. */
export interface FunctionResources {
  readonly table: ITable;
  readonly reportsBucket: IBucket;
  readonly archiveBucket: IBucket;
  /** The secret that seals pagination cursors (`cursorKeys`). */
  readonly cursorSecret: ISecret;
  /** Sender address (`MAIL_FROM`), a literal or the deploy-time `MailFrom` parameter; required as soon as one function needs `mail`. */
  readonly mailFrom?: string | undefined;
  /** Token issuer, JWKS and audience: every function parses them at cold start (functions/shared/env.ts). */
  readonly auth: { readonly issuer: string; readonly jwksUrl: string; readonly audience: string };
}

/** Props of {@link CatalogFunctions}. */
export interface CatalogFunctionsProps {
  readonly stage: Stage;
  readonly catalog: readonly FunctionSpec[];
  readonly resources: FunctionResources;
}

/** DynamoDB actions the data layer uses (transactions need the per-item actions). No Scan: no request path scans. */
export const TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:BatchGetItem',
  'dynamodb:Query',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:ConditionCheckItem',
] as const;

/** `tableRead`: the reads of the data layer and nothing that writes. */
export const TABLE_READ_ACTIONS = ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'] as const;

/** `liveInbox`: the partition keys the live subscriber may write (IAM `dynamodb:LeadingKeys`). */
export const LIVE_INBOX_LEADING_KEYS = 'T#*#LIVE#*';

/** Objects only: functions write and read (signed links) files, they never list or manage buckets. */
export const BUCKET_ACTIONS = ['s3:GetObject', 's3:PutObject'] as const;

export const MAIL_ACTIONS = ['ses:SendEmail', 'ses:SendRawEmail'] as const;

const NAME = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/**
 * Checks the catalog before anything is built, so a mistake fails `cdk synth` with a sentence rather
 * than a CloudFormation error half-way through a deploy.
 */
export function validateCatalog(catalog: readonly FunctionSpec[], mailFrom: string | undefined): void {
  const seen = new Set<string>();
  for (const spec of catalog) {
    if (!NAME.test(spec.name)) throw new Error(`Catalog function name "${spec.name}" must be kebab-case`);
    if (seen.has(spec.name)) throw new Error(`Catalog function name "${spec.name}" appears twice`);
    seen.add(spec.name);
    if (spec.needs.includes('mail') && !mailFrom) {
      throw new Error(
        `Catalog function "${spec.name}" needs mail: pass the sender address with -c mailFrom=<address>`,
      );
    }
  }
  const readers = catalog.filter((s) => s.trigger.kind === 'stream').map((s) => s.name);
  if (readers.length > 1) {
    throw new Error(
      `The catalog has ${readers.length} direct stream readers (${readers.join(', ')}); at most one is ` +
        'allowed: DynamoDB throttles beyond two readers per shard and the change pipe is the other. ' +
        "Subscribe the others to the change bus (trigger kind 'bus').",
    );
  }
}

/**
 * Bundles a function with esbuild at synth time (decision 0011): offline, no Docker. A catalog
 * entry's bundle comes from the catalog's {@link BundleBatch}; any other entry is built alone.
 * `entry` is a field, not only a closure, because CDK caches staged assets by the JSON of their
 * bundling options: two functions must not look alike. The batch is a private field, out of that JSON.
 */
class EsbuildBundling implements ILocalBundling {
  readonly #batch: BundleBatch;

  constructor(
    readonly entry: string,
    batch: BundleBatch,
  ) {
    this.#batch = batch;
  }

  tryBundle(outputDir: string): boolean {
    if (!this.#batch.copyTo(this.entry, outputDir)) bundleFunctionSync(this.entry, outputDir);
    return true;
  }
}

/** The asset of one catalog entry: its own split bundle, hashed by output (see {@link EsbuildBundling}). */
function functionCode(entry: string, batch: BundleBatch): Code {
  return Code.fromAsset(REPO_ROOT, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      local: new EsbuildBundling(entry, batch),
      // Required by the API, never pulled: local bundling always succeeds or throws.
      image: DockerImage.fromRegistry('unused-local-bundling-only'),
    },
  });
}

/** One deployed catalog entry. */
export interface CatalogFunction {
  readonly spec: FunctionSpec;
  readonly fn: LambdaFunction;
}

/**
 * Every catalog entry as a Lambda function (own esbuild code-split bundle, ESM, arm64, Node 22) with its own role that
 * holds exactly what its `needs` grant, its own log group, and the env its needs name. Triggers are
 * wired elsewhere (`triggers.ts`), so this construct is the one place where needs become permissions.
 */
export class CatalogFunctions extends Construct {
  readonly functions: readonly CatalogFunction[];
  /** Functions the infrastructure itself needs (the change pipe's enrichment), built the same way. */
  readonly supportFunctions: CatalogFunction[] = [];
  private readonly props: CatalogFunctionsProps;
  private readonly bundles: BundleBatch;

  constructor(scope: Construct, id: string, props: CatalogFunctionsProps) {
    super(scope, id);
    validateCatalog(props.catalog, props.resources.mailFrom);
    this.props = props;
    this.bundles = new BundleBatch(props.catalog.map((spec) => spec.entry));
    this.functions = props.catalog.map((spec) => ({ spec, fn: this.createFunction(spec, props) }));
  }

  /** The deployed function of a catalog entry, by name. */
  get(name: string): LambdaFunction {
    const found = this.functions.find((f) => f.spec.name === name);
    if (!found) throw new Error(`No catalog function "${name}"`);
    return found.fn;
  }

  /**
   * Builds a function that is not in the catalog (no trigger is wired for it) with the same
   * bundling, role, logs and env rules; its `trigger` is ignored.
   */
  addSupportFunction(spec: FunctionSpec): LambdaFunction {
    const fn = this.createFunction(spec, this.props);
    this.supportFunctions.push({ spec, fn });
    return fn;
  }

  /** Catalog and support functions together (alarms and cdk-nag cover both). */
  get allFunctions(): readonly CatalogFunction[] {
    return [...this.functions, ...this.supportFunctions];
  }

  private createFunction(spec: FunctionSpec, props: CatalogFunctionsProps): LambdaFunction {
    const { stage, resources } = props;
    const prod = stage === 'prod';
    const logGroup = new LogGroup(this, `${spec.name}-logs`, {
      retention: prod ? RetentionDays.THREE_MONTHS : RetentionDays.TWO_WEEKS,
      removalPolicy: prod ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    // An own role instead of the default one: the default attaches AWSLambdaBasicExecutionRole, which
    // may write to every log group in the account.
    const role = new Role(this, `${spec.name}-role`, {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `broker-crm ${stage} ${spec.name}: only what the catalog's needs grant`,
    });
    logGroup.grantWrite(role);

    const fn = new LambdaFunction(this, spec.name, {
      code: functionCode(spec.entry, this.bundles),
      handler: 'index.handler',
      description: spec.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: spec.memoryMb,
      timeout: Duration.seconds(spec.timeoutSeconds),
      reservedConcurrentExecutions: spec.reservedConcurrency,
      role,
      logGroup,
      tracing: Tracing.ACTIVE,
      environment: this.environment(spec, props),
    });
    for (const statement of this.statements(spec.needs, resources)) fn.addToRolePolicy(statement);
    return fn;
  }

  private environment(spec: FunctionSpec, props: CatalogFunctionsProps): Record<string, string> {
    const { resources, stage } = props;
    const env: Record<string, string> = {
      STAGE: stage,
      NODE_OPTIONS: '--enable-source-maps',
      POWERTOOLS_SERVICE_NAME: 'broker-crm',
      POWERTOOLS_METRICS_NAMESPACE: 'BrokerCrm',
      POWERTOOLS_LOG_LEVEL: stage === 'prod' ? 'INFO' : 'DEBUG',
      AUTH_ISSUER: resources.auth.issuer,
      AUTH_JWKS_URL: resources.auth.jwksUrl,
      AUTH_AUDIENCE: resources.auth.audience,
      ...spec.environment,
    };
    const byNeed: Record<Need, () => void> = {
      table: () => {
        env.TABLE_NAME = resources.table.tableName;
      },
      tableRead: () => {
        env.TABLE_NAME = resources.table.tableName;
      },
      liveInbox: () => {
        env.TABLE_NAME = resources.table.tableName;
      },
      reportsBucket: () => {
        env.REPORTS_BUCKET = resources.reportsBucket.bucketName;
      },
      archiveBucket: () => {
        env.ARCHIVE_BUCKET = resources.archiveBucket.bucketName;
      },
      objectErasure: () => {},
      mail: () => {
        if (resources.mailFrom) env.MAIL_FROM = resources.mailFrom;
      },
      sms: () => {},
      cursorKeys: () => {
        env.CURSOR_SECRET_ARN = resources.cursorSecret.secretArn;
      },
    };
    for (const need of spec.needs) byNeed[need]();
    return env;
  }

  private statements(needs: readonly Need[], resources: FunctionResources): PolicyStatement[] {
    const stack = Stack.of(this);
    const out: PolicyStatement[] = [];
    for (const need of needs) {
      switch (need) {
        case 'table':
          out.push(
            new PolicyStatement({
              actions: [...TABLE_ACTIONS],
              resources: [resources.table.tableArn, `${resources.table.tableArn}/index/*`],
            }),
          );
          break;
        case 'tableRead':
          out.push(
            new PolicyStatement({
              actions: [...TABLE_READ_ACTIONS],
              resources: [resources.table.tableArn, `${resources.table.tableArn}/index/*`],
            }),
          );
          break;
        case 'liveInbox':
          // Puts into inbox partitions only: the subscriber cannot touch any other item.
          out.push(
            new PolicyStatement({
              actions: ['dynamodb:PutItem'],
              resources: [resources.table.tableArn],
              conditions: {
                'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [LIVE_INBOX_LEADING_KEYS] },
              },
            }),
          );
          break;
        case 'reportsBucket':
          out.push(
            new PolicyStatement({
              actions: [...BUCKET_ACTIONS],
              resources: [resources.reportsBucket.arnForObjects('*')],
            }),
          );
          break;
        case 'archiveBucket':
          out.push(
            new PolicyStatement({
              actions: [...BUCKET_ACTIONS],
              resources: [resources.archiveBucket.arnForObjects('*')],
            }),
          );
          break;
        case 'mail': {
          const from = resources.mailFrom ?? '';
          // A deploy-time parameter (decision 0006) is split by CloudFormation, a literal here.
          const domain = Token.isUnresolved(from)
            ? Fn.select(1, Fn.split('@', from))
            : from.includes('@')
              ? from.slice(from.indexOf('@') + 1)
              : from;
          // SES authorises against the verified identity: the address itself or its domain.
          const identities = [...new Set([from, domain])].map((identity) =>
            stack.formatArn({ service: 'ses', resource: 'identity', resourceName: identity }),
          );
          out.push(new PolicyStatement({ actions: [...MAIL_ACTIONS], resources: identities }));
          break;
        }
        case 'objectErasure': {
          // Only on the buckets the function already has: delete their objects, list their keys.
          const buckets = [
            ...(needs.includes('reportsBucket') ? [resources.reportsBucket] : []),
            ...(needs.includes('archiveBucket') ? [resources.archiveBucket] : []),
          ];
          if (buckets.length === 0) break;
          out.push(
            new PolicyStatement({
              actions: ['s3:DeleteObject'],
              resources: buckets.map((b) => b.arnForObjects('*')),
            }),
            new PolicyStatement({ actions: ['s3:ListBucket'], resources: buckets.map((b) => b.bucketArn) }),
          );
          break;
        }
        case 'cursorKeys':
          out.push(
            new PolicyStatement({
              actions: ['secretsmanager:GetSecretValue'],
              resources: [resources.cursorSecret.secretArn],
            }),
          );
          break;
        case 'sms':
          // Text messages go to phone numbers, which have no ARN; NotResource on every topic ARN
          // keeps the grant to direct SMS, so the function cannot publish to any topic.
          out.push(
            new PolicyStatement({
              effect: Effect.ALLOW,
              actions: ['sns:Publish'],
              notResources: ['arn:aws:sns:*:*:*'],
            }),
          );
          break;
      }
    }
    return out;
  }
}
