import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, LIVE_BATCH, LIVE_FILTER } from '../../infra/catalog.js';
import { BrokerCrmStack } from '../../infra/cloud/broker-crm-stack.js';
import { LIVE_INBOX_LEADING_KEYS, TABLE_READ_ACTIONS } from '../../infra/cloud/catalog-functions.js';
import { CORS_POLICY } from '../../infra/cors.js';
import { actionsOf, idOf, statementsOfRole } from './fixtures/synth.js';

/**
 * Live updates in the cloud (decision 0007): the streaming function behind a function URL, the
 * `live` bus subscriber with its rule, and both roles at least privilege. The catalog is cut to the
 * two live functions and bundling is skipped, so one synth with cdk-nag takes seconds; an
 * unacknowledged AwsSolutions finding fails the synth.
 */
const LIVE_SPECS = CATALOG.filter((spec) => spec.name === 'live' || spec.name === 'graphql-stream');
const ORIGIN = 'https://app.example.com';

function synth(corsOrigins: string[], nag: boolean) {
  const outdir = mkdtempSync(join(tmpdir(), 'broker-crm-live-'));
  const app = new App({ outdir, context: { 'aws:cdk:bundling-stacks': [] } });
  if (nag) Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const stack = new BrokerCrmStack(app, 'live', { stage: 'prod', catalog: LIVE_SPECS, corsOrigins });
  app.synth();
  return {
    stack,
    template: Template.fromStack(stack),
    dispose: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

let s: ReturnType<typeof synth>;
beforeAll(() => {
  s = synth([ORIGIN], true);
});
afterAll(() => s?.dispose());

const fnArn = (name: string) => ({ 'Fn::GetAtt': [idOf(s.stack.functions.get(name)), 'Arn'] });
const tableArn = () => ({ 'Fn::GetAtt': [idOf(s.stack.storage.table), 'Arn'] });
const roleStatements = (name: string) => {
  const role = s.stack.functions.get(name).role;
  if (!role) throw new Error('no role');
  return statementsOfRole(s.template, idOf(role)) as Array<
    ReturnType<typeof statementsOfRole>[number] & { Condition?: unknown }
  >;
};
const dynamoStatements = (name: string) =>
  roleStatements(name).filter((st) => actionsOf(st).some((a) => a.startsWith('dynamodb:')));

describe('the live-updates stream (function URL)', () => {
  it('streams its response through a function URL without IAM auth (the function verifies the token), with the CORS policy', () => {
    s.template.resourceCountIs('AWS::Lambda::Url', 1);
    s.template.hasResourceProperties('AWS::Lambda::Url', {
      TargetFunctionArn: fnArn('graphql-stream'),
      InvokeMode: 'RESPONSE_STREAM',
      AuthType: 'NONE',
      Cors: {
        AllowOrigins: [ORIGIN],
        AllowMethods: ['GET', 'POST'],
        AllowHeaders: [...CORS_POLICY.headers],
        MaxAge: CORS_POLICY.maxAgeSeconds,
      },
    });
  });

  it('lets anyone invoke the function only through its URL', () => {
    s.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunctionUrl',
      FunctionName: fnArn('graphql-stream'),
      Principal: '*',
      FunctionUrlAuthType: 'NONE',
    });
    s.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: fnArn('graphql-stream'),
      Principal: '*',
      InvokedViaFunctionUrl: true,
    });
  });

  it('outputs the URL clients connect to, with the catalog path', () => {
    const url = Object.values(s.template.findResources('AWS::Lambda::Url'))[0];
    expect(url).toBeDefined();
    s.template.hasOutput('GraphqlStreamUrl', {
      Value: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.anyValue(), 'FunctionUrl'] }, 'graphql/stream']] },
    });
  });

  it('lives up to Lambda’s 15 minutes, then the client reconnects', () => {
    s.template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('server-sent events'),
      Timeout: 900,
    });
  });

  it('only reads the table', () => {
    const statements = dynamoStatements('graphql-stream');
    expect(statements).toHaveLength(1);
    expect(actionsOf(statements[0] as never).sort()).toEqual([...TABLE_READ_ACTIONS].sort());
  });

  it('configures no CORS when no origin is named', () => {
    const plain = synth([], false);
    try {
      plain.template.hasResourceProperties('AWS::Lambda::Url', {
        InvokeMode: 'RESPONSE_STREAM',
        Cors: Match.absent(),
      });
    } finally {
      plain.dispose();
    }
  });
});

describe('the live bus subscriber', () => {
  it('has a bus rule on the live entity types and events that fills the live queue, the function reading it in batches', () => {
    const live = s.stack.changes.busConsumers.find((c) => c.spec.name === 'live');
    if (!live) throw new Error('no live subscriber');
    const queues = s.template.findResources('AWS::SQS::Queue', {
      Properties: {
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [idOf(live.failureQueue), 'Arn'] } },
      },
    });
    const [queueId, queue] = Object.entries(queues)[0] ?? [];
    if (!queueId) throw new Error('no live queue');
    expect(Object.keys(queues)).toHaveLength(1);
    // Two retries: a message goes to the dead-letter queue on its third receive; 6 × the timeout + window.
    expect(queue?.Properties).toMatchObject({
      RedrivePolicy: { maxReceiveCount: 3 },
      VisibilityTimeout: 6 * 10 + LIVE_BATCH.windowSeconds,
      SqsManagedSseEnabled: true,
    });
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: { eventName: [...LIVE_FILTER.events], entityType: [...LIVE_FILTER.entityTypes] },
      }),
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [queueId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 86_400 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [idOf(live.failureQueue), 'Arn'] } },
        }),
      ],
    });
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: idOf(s.stack.functions.get('live')) },
      EventSourceArn: { 'Fn::GetAtt': [queueId, 'Arn'] },
      BatchSize: LIVE_BATCH.size,
      MaximumBatchingWindowInSeconds: LIVE_BATCH.windowSeconds,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(LIVE_BATCH).toEqual({ size: 100, windowSeconds: 1 });
  });

  it('may only put items into inbox partitions', () => {
    const statements = dynamoStatements('live');
    expect(statements).toHaveLength(1);
    expect(statements[0]).toMatchObject({
      Action: 'dynamodb:PutItem',
      Resource: tableArn(),
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [LIVE_INBOX_LEADING_KEYS] } },
    });
    expect(LIVE_INBOX_LEADING_KEYS).toBe('T#*#LIVE#*');
  });

  it('relies on the table’s TTL attribute to expire inbox items', () => {
    s.template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
  });
});
