import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLAIMS } from '../../functions/shared/auth/principal.js';
import { TABLE } from '../../functions/shared/table-design.js';
import { CATALOG } from '../../infra/catalog.js';
import { BrokerCrmStack } from '../../infra/cloud/broker-crm-stack.js';
import { MAIL_ACTIONS, TABLE_ACTIONS } from '../../infra/cloud/catalog-functions.js';
import { actionsOf, idOf, type SynthesizedStack, statementsOfRole, synthesize } from './fixtures/synth.js';

/** The real catalog as the prod stage: one synth (real esbuild bundles, cdk-nag) for the whole file. */
let s: SynthesizedStack;
beforeAll(() => {
  s = synthesize({ stage: 'prod', mailFrom: 'crm@mail.example.com' });
});
afterAll(() => s?.dispose());

const fnId = (name: string) => idOf(s.stack.functions.get(name));
const roleId = (name: string) => {
  const role = s.stack.functions.get(name).role;
  if (!role) throw new Error('no role');
  return idOf(role);
};
const tableArn = () => ({ 'Fn::GetAtt': [idOf(s.stack.storage.table), 'Arn'] });
const indexArn = () => ({ 'Fn::Join': ['', [tableArn(), '/index/*']] });

describe('table', () => {
  it('has the key schema, every index, the stream, TTL, PITR and on-demand billing from the table design', () => {
    const indexes = Object.entries(TABLE.indexes).map(([IndexName, i]) => ({
      IndexName,
      KeySchema: [
        { AttributeName: i.partitionKey, KeyType: 'HASH' },
        { AttributeName: i.sortKey, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    }));
    s.template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
      GlobalSecondaryIndexes: Match.arrayEquals(indexes),
      StreamSpecification: { StreamViewType: 'NEW_AND_OLD_IMAGES' },
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      DeletionProtectionEnabled: true,
      TableName: Match.absent(),
    });
    expect(indexes).toHaveLength(6);
  });

  it('is retained with the stack in prod', () => {
    s.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });
});

describe('functions', () => {
  it('turns every catalog entry into an arm64 Node 22 function with the catalog memory and timeout', () => {
    for (const spec of CATALOG) {
      const fn = s.template.toJSON().Resources[fnId(spec.name)];
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: spec.memoryMb,
        Timeout: spec.timeoutSeconds,
        TracingConfig: { Mode: 'Active' },
      });
      expect(fn.Properties.FunctionName).toBeUndefined();
    }
  });

  it('gives the graphql function the table, the stage, Powertools settings and the Cognito issuer, JWKS and audience', () => {
    const env = s.template.toJSON().Resources[fnId('graphql')].Properties.Environment.Variables;
    const poolId = { Ref: idOf(s.stack.identity.userPool) };
    expect(env).toMatchObject({
      TABLE_NAME: { Ref: idOf(s.stack.storage.table) },
      STAGE: 'prod',
      POWERTOOLS_SERVICE_NAME: 'broker-crm',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      NODE_OPTIONS: '--enable-source-maps',
      AUTH_AUDIENCE: { Ref: idOf(s.stack.identity.client) },
      AUTH_ISSUER: {
        'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', poolId]],
      },
      AUTH_JWKS_URL: {
        'Fn::Join': [
          '',
          [
            'https://cognito-idp.',
            { Ref: 'AWS::Region' },
            '.amazonaws.com/',
            poolId,
            '/.well-known/jwks.json',
          ],
        ],
      },
    });
    expect(env.REPORTS_BUCKET).toEqual({ Ref: idOf(s.stack.storage.reportsBucket) });
    expect(env.ARCHIVE_BUCKET).toEqual({ Ref: idOf(s.stack.storage.archiveBucket) });
  });

  it('names the archive bucket only for the functions that need it (webhooks; graphql to reprocess)', () => {
    const variables = (name: string) =>
      s.template.toJSON().Resources[fnId(name)].Properties.Environment.Variables;
    expect(variables('webhooks').ARCHIVE_BUCKET).toEqual({ Ref: idOf(s.stack.storage.archiveBucket) });
    expect(variables('overdue').ARCHIVE_BUCKET).toBeUndefined();
    expect(variables('debtors').ARCHIVE_BUCKET).toBeUndefined();
  });

  it('ships the graphql function as one minified ESM bundle with a require banner, its SDL and a source map', () => {
    const code = s.template.toJSON().Resources[fnId('graphql')].Properties.Code;
    const dir = join(s.outdir, `asset.${String(code.S3Key).replace(/\.zip$/, '')}`);
    const files = readdirSync(dir).sort();
    expect(files).toEqual(['index.mjs', 'index.mjs.map']);
    const bundle = readFileSync(join(dir, 'index.mjs'), 'utf8');
    expect(bundle.startsWith('import{createRequire') || bundle.startsWith('import { createRequire')).toBe(
      true,
    );
    expect(bundle).toContain('health');
    expect(bundle).toMatch(/type Query/);
    expect(statSync(join(dir, 'index.mjs')).size).toBeGreaterThan(100_000);
  });
});

describe('least privilege', () => {
  const logsAndTracing = (st: { Action: string | string[] }) =>
    actionsOf(st).every((a) => a.startsWith('logs:') || a.startsWith('xray:'));

  const sesIdentity = (identity: string) => ({
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':ses:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        `:identity/${identity}`,
      ],
    ],
  });
  const reportsObjects = () => ({
    Effect: 'Allow',
    Action: ['s3:GetObject', 's3:PutObject'],
    Resource: {
      'Fn::Join': ['', [{ 'Fn::GetAtt': [idOf(s.stack.storage.reportsBucket), 'Arn'] }, '/*']],
    },
  });
  const mailFromIdentity = () => ({
    Effect: 'Allow',
    Action: [...MAIL_ACTIONS],
    Resource: [sesIdentity('crm@mail.example.com'), sesIdentity('mail.example.com')],
  });

  const archiveObjects = () => ({
    Effect: 'Allow',
    Action: ['s3:GetObject', 's3:PutObject'],
    Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [idOf(s.stack.storage.archiveBucket), 'Arn'] }, '/*']] },
  });

  it('lets graphql use only its table, its indexes, the reports and archive bucket objects and SES on the sender identity', () => {
    const statements = statementsOfRole(s.template, roleId('graphql')).filter((st) => !logsAndTracing(st));
    expect(statements).toEqual([
      { Effect: 'Allow', Action: [...TABLE_ACTIONS], Resource: [tableArn(), indexArn()] },
      reportsObjects(),
      archiveObjects(),
      mailFromIdentity(),
    ]);
    expect(statements.flatMap(actionsOf)).not.toContain('dynamodb:Scan');
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('sns:'))).toEqual([]);
  });

  it('lets the debtors consumer mail from the sender identity and text phone numbers only; the sweep only its table', () => {
    const debtors = statementsOfRole(s.template, roleId('debtors')).filter((st) => !logsAndTracing(st));
    expect(debtors).toEqual([
      { Effect: 'Allow', Action: [...TABLE_ACTIONS], Resource: [tableArn(), indexArn()] },
      reportsObjects(),
      mailFromIdentity(),
      { Effect: 'Allow', Action: 'sns:Publish', NotResource: 'arn:aws:sns:*:*:*' },
    ]);
    const overdue = statementsOfRole(s.template, roleId('overdue')).filter((st) => !logsAndTracing(st));
    expect(overdue).toEqual([
      { Effect: 'Allow', Action: [...TABLE_ACTIONS], Resource: [tableArn(), indexArn()] },
    ]);
  });

  it('lets webhooks use its table and the archive bucket objects, nothing else', () => {
    const statements = statementsOfRole(s.template, roleId('webhooks')).filter((st) => !logsAndTracing(st));
    expect(statements).toEqual([
      { Effect: 'Allow', Action: [...TABLE_ACTIONS], Resource: [tableArn(), indexArn()] },
      archiveObjects(),
    ]);
  });

  it('writes logs only to the function’s own log group and attaches no managed policy', () => {
    for (const spec of CATALOG) {
      const role = s.template.toJSON().Resources[roleId(spec.name)];
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
      const logs = statementsOfRole(s.template, roleId(spec.name)).filter((st) =>
        actionsOf(st).some((a) => a.startsWith('logs:')),
      );
      expect(logs).toHaveLength(1);
      expect(JSON.stringify(logs[0]?.Resource)).toContain(
        idOf(s.stack.functions.node.findChild(`${spec.name}-logs`)),
      );
    }
  });
});

describe('HTTP API', () => {
  it('has every catalog route, each integrated with its function', () => {
    const routes = s.template.findResources('AWS::ApiGatewayV2::Route');
    const keys = Object.values(routes)
      .map((r) => r.Properties.RouteKey)
      .sort();
    expect(keys).toEqual(['GET /graphql', 'POST /graphql', 'POST /webhooks/insurers/{insurerId}']);
    const integrations = s.template.findResources('AWS::ApiGatewayV2::Integration');
    expect(Object.values(integrations).map((i) => i.Properties.IntegrationUri)).toEqual(
      expect.arrayContaining([
        { 'Fn::GetAtt': [fnId('graphql'), 'Arn'] },
        { 'Fn::GetAtt': [fnId('webhooks'), 'Arn'] },
      ]),
    );
  });

  it('throttles the stage and writes access logs', () => {
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 200, ThrottlingBurstLimit: 400 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
  });

  it('outputs the API URL, the user pool and its client', () => {
    s.template.hasOutput('ApiUrl', {});
    s.template.hasOutput('UserPoolId', { Value: { Ref: idOf(s.stack.identity.userPool) } });
    s.template.hasOutput('UserPoolClientId', { Value: { Ref: idOf(s.stack.identity.client) } });
  });
});

describe('Cognito', () => {
  it('declares a custom attribute for every claim the API reads; tenant and user id are immutable', () => {
    const schema = Object.values(CLAIMS).map((claim) => ({
      Name: claim.replace('custom:', ''),
      AttributeDataType: 'String',
      Mutable: !['custom:tenantId', 'custom:userId'].includes(claim),
    }));
    s.template.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith(schema.map((a) => Match.objectLike(a))),
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      UserPoolName: Match.absent(),
    });
  });

  it('lets the client read the claims but never write them', () => {
    const client = s.template.toJSON().Resources[idOf(s.stack.identity.client)].Properties;
    expect(client.GenerateSecret).toBe(false);
    expect(client.ReadAttributes).toEqual(expect.arrayContaining([...Object.values(CLAIMS)]));
    expect(client.WriteAttributes).toEqual(['name']);
  });
});

describe('buckets', () => {
  it('encrypt, block public access, carry lifecycle rules and have no names', () => {
    const buckets = s.template.findResources('AWS::S3::Bucket');
    expect(Object.keys(buckets)).toHaveLength(2);
    for (const b of Object.values(buckets)) {
      expect(b.DeletionPolicy).toBe('Retain');
      expect(b.Properties).toMatchObject({
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
      });
      expect(b.Properties.BucketName).toBeUndefined();
    }
    s.template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: { Rules: Match.arrayWith([Match.objectLike({ ExpirationInDays: 30 })]) },
    });
    s.template.hasResourceProperties('AWS::S3::Bucket', {
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({
            Transitions: [
              { StorageClass: 'STANDARD_IA', TransitionInDays: 30 },
              { StorageClass: 'GLACIER', TransitionInDays: 180 },
            ],
          }),
        ]),
      },
    });
  });

  it('deny every request that is not TLS', () => {
    const policies = s.template.findResources('AWS::S3::BucketPolicy');
    expect(Object.keys(policies)).toHaveLength(2);
    for (const p of Object.values(policies)) {
      expect(p.Properties.PolicyDocument.Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      );
    }
  });
});

describe('operations', () => {
  it('alarms on errors and throttles of every function', () => {
    for (const spec of CATALOG) {
      for (const metric of ['Errors', 'Throttles']) {
        s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          MetricName: metric,
          Namespace: 'AWS/Lambda',
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId(spec.name) } }],
          AlarmActions: [{ Ref: idOf(s.stack.monitoring.topic) }],
        });
      }
    }
  });

  it('gives the stream its two readers, the commission ledger and the pipe to the bus the debtors subscriber hears', () => {
    const bus = s.stack.changes.bus;
    if (!bus) throw new Error('no bus');
    s.template.resourceCountIs('AWS::Pipes::Pipe', 1);
    s.template.resourceCountIs('AWS::Events::EventBus', 1);
    s.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId('commissions') },
    });
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: idOf(bus) },
      EventPattern: Match.objectLike({
        detail: { eventName: ['INSERT', 'MODIFY'], entityType: ['Invoice', 'InsurerPremiumPayment'] },
      }),
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [fnId('debtors'), 'Arn'] },
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 4 }),
        }),
      ],
    });
  });

  it('builds no pipe or bus for a catalog in which no function subscribes to changes', () => {
    // Bundling skipped: only the resource graph matters here, and a second bundle costs seconds.
    const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
    const stack = new BrokerCrmStack(app, 'no-changes', {
      stage: 'dev',
      catalog: CATALOG.filter((spec) => spec.trigger.kind === 'http'),
      mailFrom: 'crm@mail.example.com',
    });
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::Pipes::Pipe', 0);
    template.resourceCountIs('AWS::Events::EventBus', 0);
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 0);
  });

  it('names no physical resource, so stages coexist', () => {
    const nameOf: Record<string, string> = {
      'AWS::DynamoDB::Table': 'TableName',
      'AWS::S3::Bucket': 'BucketName',
      'AWS::Lambda::Function': 'FunctionName',
      'AWS::SQS::Queue': 'QueueName',
      'AWS::SNS::Topic': 'TopicName',
      'AWS::IAM::Role': 'RoleName',
      'AWS::Cognito::UserPool': 'UserPoolName',
      'AWS::Logs::LogGroup': 'LogGroupName',
    };
    const resources = s.template.toJSON().Resources as Record<string, { Type: string; Properties?: object }>;
    const named = Object.entries(resources).filter(
      ([, r]) => nameOf[r.Type] && r.Properties && (nameOf[r.Type] as string) in r.Properties,
    );
    expect(named).toEqual([]);
  });
});
