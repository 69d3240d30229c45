import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOG, type FunctionSpec } from '../../infra/catalog.js';
import { BrokerCrmStack } from '../../infra/cloud/broker-crm-stack.js';
import { MAIL_ACTIONS, TABLE_ACTIONS } from '../../infra/cloud/catalog-functions.js';
import { CHANGE_EVENT } from '../../infra/cloud/triggers.js';
import { actionsOf, idOf, type SynthesizedStack, statementsOfRole, synthesize } from './fixtures/synth.js';

const FIXTURE = 'test/infra/fixtures/handler.ts';

/**
 * A catalog with the trigger kinds the real catalog does not use yet: one direct stream reader, two
 * bus subscribers (one with no event list: every change of its type), and a schedule.
 */
const TEST_CATALOG: FunctionSpec[] = [
  {
    name: 'ledger',
    description: 'stream reader fixture',
    entry: FIXTURE,
    trigger: {
      kind: 'stream',
      filter: { entityTypes: ['Policy', 'Payment'], events: ['INSERT', 'MODIFY', 'REMOVE'] },
      batchSize: 25,
      maxRetries: 5,
      maxRecordAgeSeconds: 3600,
    },
    needs: ['table'],
    memoryMb: 512,
    timeoutSeconds: 60,
    reservedConcurrency: 3,
  },
  {
    name: 'notices',
    description: 'bus subscriber fixture',
    entry: FIXTURE,
    trigger: { kind: 'bus', filter: { entityTypes: ['Invoice'], events: ['MODIFY'] }, maxRetries: 4 },
    needs: ['table', 'mail', 'sms'],
    memoryMb: 256,
    timeoutSeconds: 30,
  },
  {
    name: 'cleanup',
    description: 'bus subscriber fixture with removals',
    entry: FIXTURE,
    trigger: {
      kind: 'bus',
      filter: { entityTypes: ['ReportJob'], events: ['INSERT', 'REMOVE'] },
      maxRetries: 2,
    },
    needs: ['reportsBucket'],
    memoryMb: 256,
    timeoutSeconds: 30,
  },
  {
    name: 'nightly',
    description: 'schedule fixture',
    entry: FIXTURE,
    trigger: { kind: 'schedule', expression: 'cron(0 2 * * ? *)' },
    needs: ['table', 'reportsBucket'],
    memoryMb: 256,
    timeoutSeconds: 300,
  },
];

let s: SynthesizedStack;
beforeAll(() => {
  s = synthesize({ stage: 'dev', catalog: TEST_CATALOG, mailFrom: 'crm@mail.example.com' });
});
afterAll(() => s?.dispose());

const fnId = (name: string) => idOf(s.stack.functions.get(name));
const roleId = (name: string) => {
  const role = s.stack.functions.get(name).role;
  if (!role) throw new Error('no role');
  return idOf(role);
};
const queueId = (name: string) => {
  const all = [...s.stack.changes.streamReaders, ...s.stack.changes.busConsumers, ...s.stack.schedules.jobs];
  const found = all.find((f) => f.spec.name === name);
  if (!found) throw new Error(`no queue for ${name}`);
  return idOf(found.failureQueue);
};
const arn = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });
const resources = () =>
  s.template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;

describe('reserved concurrency (docs/scale.md, section 5)', () => {
  it('reserves the catalog entry’s concurrency for its function and leaves the others in the unreserved pool', () => {
    const props = (name: string) => resources()[fnId(name)]?.Properties ?? {};
    expect(props('ledger').ReservedConcurrentExecutions).toBe(3);
    expect(props('notices').ReservedConcurrentExecutions).toBeUndefined();
  });
});

describe('direct stream reader', () => {
  it('reads the table stream with the catalog filter, partial failures, bisect, bounded retries and a failure queue', () => {
    s.template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    s.template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      FunctionName: { Ref: fnId('ledger') },
      EventSourceArn: { 'Fn::GetAtt': [idOf(s.stack.storage.table), 'StreamArn'] },
      StartingPosition: 'TRIM_HORIZON',
      BatchSize: 25,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      MaximumRecordAgeInSeconds: 3600,
      DestinationConfig: { OnFailure: { Destination: arn(queueId('ledger')) } },
      FilterCriteria: {
        Filters: [
          {
            Pattern: JSON.stringify({
              eventName: ['INSERT', 'MODIFY'],
              dynamodb: { NewImage: { type: { S: ['Policy', 'Payment'] } } },
            }),
          },
          {
            Pattern: JSON.stringify({
              eventName: ['REMOVE'],
              dynamodb: { OldImage: { type: { S: ['Policy', 'Payment'] } } },
            }),
          },
        ],
      },
    });
  });

  it('alarms on iterator age, on a non-empty failure queue and on a failure left there over an hour', () => {
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'IteratorAge',
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: fnId('ledger') } }],
      ComparisonOperator: 'GreaterThanThreshold',
    });
    for (const name of ['ledger', 'notices', 'cleanup', 'nightly']) {
      s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId(name), 'QueueName'] } }],
        Threshold: 0,
        ComparisonOperator: 'GreaterThanThreshold',
      });
      s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        MetricName: 'ApproximateAgeOfOldestMessage',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [queueId(name), 'QueueName'] } }],
        Threshold: 3600,
        ComparisonOperator: 'GreaterThanThreshold',
      });
    }
  });
});

describe('change pipe and bus', () => {
  it('pipes the table stream to the change bus, with its own retries and dead-letter queue', () => {
    const bus = s.stack.changes.bus;
    const pipeQueue = s.stack.changes.pipeFailureQueue;
    if (!bus || !pipeQueue) throw new Error('no bus');
    s.template.resourceCountIs('AWS::Pipes::Pipe', 1);
    s.template.hasResourceProperties('AWS::Pipes::Pipe', {
      Source: { 'Fn::GetAtt': [idOf(s.stack.storage.table), 'StreamArn'] },
      Target: arn(idOf(bus)),
      SourceParameters: {
        DynamoDBStreamParameters: Match.objectLike({
          StartingPosition: 'TRIM_HORIZON',
          MaximumRetryAttempts: 10,
          DeadLetterConfig: { Arn: arn(idOf(pipeQueue)) },
        }),
      },
      TargetParameters: {
        EventBridgeEventBusParameters: { Source: CHANGE_EVENT.source, DetailType: CHANGE_EVENT.detailType },
      },
    });
    s.template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [idOf(pipeQueue), 'QueueName'] } }],
    });
  });

  it('lets the pipe read only the stream, put only on the bus and send only to its queue', () => {
    const pipe = Object.values(resources()).find((r) => r.Type === 'AWS::Pipes::Pipe');
    if (!pipe) throw new Error('no pipe');
    const roleLogicalId = (pipe.Properties.RoleArn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const statements = statementsOfRole(s.template, roleLogicalId);
    const bus = s.stack.changes.bus;
    const pipeQueue = s.stack.changes.pipeFailureQueue;
    const enrichment = s.stack.changes.enrichment;
    if (!bus || !pipeQueue || !enrichment) throw new Error('no bus');
    expect(statements).toEqual([
      expect.objectContaining({
        Action: [
          'dynamodb:DescribeStream',
          'dynamodb:GetRecords',
          'dynamodb:GetShardIterator',
          'dynamodb:ListStreams',
        ],
        Resource: { 'Fn::GetAtt': [idOf(s.stack.storage.table), 'StreamArn'] },
      }),
      expect.objectContaining({ Action: 'events:PutEvents', Resource: arn(idOf(bus)) }),
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        Resource: arn(idOf(enrichment)),
      }),
      expect.objectContaining({ Resource: arn(idOf(pipeQueue)) }),
    ]);
  });

  it('gives each bus subscriber a rule with its filter and a target with retries and a dead-letter queue', () => {
    const bus = s.stack.changes.bus;
    if (!bus) throw new Error('no bus');
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: idOf(bus) },
      EventPattern: {
        source: [CHANGE_EVENT.source],
        'detail-type': [CHANGE_EVENT.detailType],
        detail: { eventName: ['MODIFY'], entityType: ['Invoice'] },
      },
      Targets: [
        Match.objectLike({
          Arn: arn(fnId('notices')),
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 86_400 },
          DeadLetterConfig: { Arn: arn(queueId('notices')) },
        }),
      ],
    });
    s.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: [CHANGE_EVENT.source],
        'detail-type': [CHANGE_EVENT.detailType],
        detail: { entityType: ['ReportJob'] },
      },
      Targets: [
        Match.objectLike({
          Arn: arn(fnId('cleanup')),
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }),
          DeadLetterConfig: { Arn: arn(queueId('cleanup')) },
        }),
      ],
    });
  });

  it('enriches records into the change detail the local bus builds, with a function that has no data access', () => {
    const enrichment = s.stack.changes.enrichment;
    if (!enrichment) throw new Error('no enrichment');
    s.template.hasResourceProperties('AWS::Pipes::Pipe', { Enrichment: arn(idOf(enrichment)) });
    const role = enrichment.role;
    if (!role) throw new Error('no role');
    const actions = statementsOfRole(s.template, idOf(role)).flatMap(actionsOf);
    expect(actions.every((a) => a.startsWith('logs:') || a.startsWith('xray:'))).toBe(true);
  });

  it('lets the bus deliver to each dead-letter queue', () => {
    s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      Queues: [{ Ref: queueId('notices') }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' } }),
        ]),
      },
    });
  });
});

describe('schedule', () => {
  it('runs the scheduled function with the catalog expression, retries and a dead-letter queue', () => {
    s.template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 2 * * ? *)',
      State: 'ENABLED',
      Target: Match.objectLike({
        Arn: arn(fnId('nightly')),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        DeadLetterConfig: { Arn: arn(queueId('nightly')) },
      }),
    });
  });
});

describe('least privilege from needs', () => {
  const own = (name: string) =>
    statementsOfRole(s.template, roleId(name)).filter(
      (st) => !actionsOf(st).every((a) => a.startsWith('logs:') || a.startsWith('xray:')),
    );
  const tableStatement = () => ({
    Effect: 'Allow',
    Action: [...TABLE_ACTIONS],
    Resource: [
      arn(idOf(s.stack.storage.table)),
      { 'Fn::Join': ['', [arn(idOf(s.stack.storage.table)), '/index/*']] },
    ],
  });
  const reportsObjects = () => ({
    Effect: 'Allow',
    Action: ['s3:GetObject', 's3:PutObject'],
    Resource: { 'Fn::Join': ['', [arn(idOf(s.stack.storage.reportsBucket)), '/*']] },
  });

  it('gives the stream reader its table and the stream read the event source needs, nothing else', () => {
    const statements = own('ledger');
    expect(statements).toContainEqual(tableStatement());
    const streamActions = statements.filter(
      (st) => st !== undefined && actionsOf(st).some((a) => a.includes('Stream')),
    );
    for (const st of streamActions) {
      expect(
        actionsOf(st).every((a) =>
          /^dynamodb:(DescribeStream|GetRecords|GetShardIterator|ListStreams)$/.test(a),
        ),
      ).toBe(true);
    }
    expect(statements.flatMap(actionsOf).filter((a) => a.startsWith('s3:') || a.startsWith('ses:'))).toEqual(
      [],
    );
  });

  it('gives mail and SMS to the notices function only: SES on its identity, SNS Publish to phone numbers only', () => {
    const statements = own('notices');
    expect(statements).toContainEqual(tableStatement());
    const ses = statements.find((st) => actionsOf(st).includes('ses:SendEmail'));
    expect(ses?.Action).toEqual([...MAIL_ACTIONS]);
    const sesResources = JSON.stringify(ses?.Resource);
    expect(sesResources).toContain(':identity/crm@mail.example.com');
    expect(sesResources).toContain(':identity/mail.example.com');
    expect(statements).toContainEqual({
      Effect: 'Allow',
      Action: 'sns:Publish',
      NotResource: 'arn:aws:sns:*:*:*',
    });
    const env = resources()[fnId('notices')]?.Properties.Environment as {
      Variables: Record<string, unknown>;
    };
    expect(env.Variables.MAIL_FROM).toBe('crm@mail.example.com');
    for (const other of ['ledger', 'cleanup', 'nightly']) {
      expect(
        own(other)
          .flatMap(actionsOf)
          .filter((a) => a.startsWith('ses:') || a.startsWith('sns:')),
      ).toEqual([]);
    }
  });

  it('gives the bucket-only function its bucket objects and no table', () => {
    expect(own('cleanup')).toEqual([reportsObjects()]);
    const env = resources()[fnId('cleanup')]?.Properties.Environment as {
      Variables: Record<string, unknown>;
    };
    expect(env.Variables.REPORTS_BUCKET).toEqual({ Ref: idOf(s.stack.storage.reportsBucket) });
    expect(env.Variables.TABLE_NAME).toBeUndefined();
  });

  it('gives the scheduled function its table and the reports bucket', () => {
    expect(own('nightly')).toEqual([tableStatement(), reportsObjects()]);
  });
});

describe('dev stage', () => {
  it('destroys data with the stack and keeps MFA optional', () => {
    s.template.hasResource('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Delete',
      Properties: Match.objectLike({ DeletionProtectionEnabled: false }),
    });
    s.template.hasResourceProperties('AWS::Cognito::UserPool', { MfaConfiguration: 'OPTIONAL' });
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: { ThrottlingRateLimit: 20, ThrottlingBurstLimit: 40 },
    });
  });
});

describe('catalog checks at synth', () => {
  const build = (catalog: FunctionSpec[], mailFrom?: string) => () =>
    new BrokerCrmStack(new App(), 'check', { stage: 'dev', catalog, mailFrom });
  const reader = (name: string): FunctionSpec => ({ ...(TEST_CATALOG[0] as FunctionSpec), name });

  it('refuses a second direct stream reader, naming both', () => {
    expect(build([reader('a'), reader('b')])).toThrow(/2 direct stream readers \(a, b\); at most one/);
  });

  it('asks for the sender at deploy when synth is given none: a MailFrom parameter without default feeds MAIL_FROM and the SES grant', () => {
    const stack = build([TEST_CATALOG[1] as FunctionSpec])();
    const template = Template.fromStack(stack);
    const parameter = template.findParameters('MailFrom');
    expect(parameter.MailFrom).toMatchObject({
      Type: 'String',
      AllowedPattern: expect.stringContaining('@'),
    });
    expect(parameter.MailFrom).not.toHaveProperty('Default');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ MAIL_FROM: { Ref: 'MailFrom' } }) },
    });
    const ses = JSON.stringify(
      Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
        JSON.stringify(p).includes('ses:SendEmail'),
      ),
    );
    expect(ses).toContain('{"Fn::Split":["@",{"Ref":"MailFrom"}]}');
  });

  it('takes a literal sender from -c mailFrom, without a parameter', () => {
    expect(s.template.findParameters('MailFrom')).toEqual({});
  });

  it('refuses duplicate and non-kebab-case names', () => {
    expect(build([reader('a'), { ...(TEST_CATALOG[3] as FunctionSpec), name: 'a' }])).toThrow(
      /appears twice/,
    );
    expect(build([reader('Ledger')])).toThrow(/kebab-case/);
  });
});

describe('a catalog without change subscribers', () => {
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
});
