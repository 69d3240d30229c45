import { type CfnElement, Stack, Validations } from 'aws-cdk-lib';
import { CfnRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IConstruct } from 'constructs';
import type { CatalogFunctions, Stage } from './catalog-functions.js';
import type { Identity } from './identity.js';
import type { Storage } from './storage.js';
import type { ChangeConsumers, HttpEndpoints, ScheduledJobs } from './triggers.js';

/** The parts of the stack whose findings are acknowledged (the stack itself passes `this`). */
export interface NaggedStack extends Stack {
  readonly stage: Stage;
  readonly storage: Storage;
  readonly identity: Identity;
  readonly functions: CatalogFunctions;
  readonly http: HttpEndpoints;
  readonly changes: ChangeConsumers;
  readonly schedules: ScheduledJobs;
}

/** How cdk-nag 3 names a finding of the AwsSolutions pack in an acknowledgement. */
const finding = (rule: string): string => `AwsSolutions::AwsSolutions-${rule}`;

/** How cdk-nag prints a resource ARN token: `<LogicalId.Arn>`. */
const arnToken = (construct: IConstruct): string => {
  const element = construct.node.defaultChild as CfnElement;
  return `<${Stack.of(construct).getLogicalId(element)}.Arn>`;
};

/**
 * Every cdk-nag AwsSolutions finding this stack accepts, each on the narrowest construct and with its
 * reason. Anything not listed here fails `cdk synth` and the infra tests.
 */
export function acknowledgeNagFindings(stack: NaggedStack): void {
  const ack = (scope: IConstruct, rule: string, reason: string): void =>
    Validations.of(scope).acknowledge({ id: finding(rule), reason });

  for (const { spec, fn } of stack.functions.allFunctions) {
    ack(
      fn,
      'L1',
      'Node.js 22 is the runtime the project targets and tests (package engines, lockfile); moving to a newer runtime is a deliberate upgrade, not a default.',
    );
    const role = fn.role;
    if (!role) continue;
    ack(
      role,
      'IAM5[Resource::*]',
      'X-Ray PutTraceSegments/PutTelemetryRecords (active tracing) and DynamoDB ListStreams (stream event source) support no resource-level permissions.',
    );
    if (spec.needs.includes('table') || spec.needs.includes('tableRead')) {
      ack(
        role,
        `IAM5[Resource::${arnToken(stack.storage.table)}/index/*]`,
        'The indexes of the one table the function needs; they are planned for the whole product and used by every module.',
      );
    }
    if (spec.needs.includes('reportsBucket')) {
      ack(
        role,
        `IAM5[Resource::${arnToken(stack.storage.reportsBucket)}/*]`,
        'Objects of the reports bucket only (get/put); keys are generated per report job.',
      );
    }
    if (spec.needs.includes('archiveBucket')) {
      ack(
        role,
        `IAM5[Resource::${arnToken(stack.storage.archiveBucket)}/*]`,
        'Objects of the webhook archive bucket only (get/put); keys are generated per delivery.',
      );
    }
  }

  ack(
    stack.storage.cursorSecret,
    'SMG4',
    'Rotation is putting a new random value (README, Deploy): the previous version stays readable as AWSPREVIOUS and keeps cursors valid; a rotation Lambda would add a function for a value nothing else depends on.',
  );

  for (const route of stack.http.api.node.findAll().filter((c) => c instanceof CfnRoute)) {
    ack(
      route,
      'APIG4',
      'The graphql function verifies Cognito ID tokens itself (issuer, audience, JWKS) because some fields answer without a token, and webhooks are authenticated by their signature: an API Gateway authorizer would reject legitimate requests.',
    );
  }

  for (const bucket of [stack.storage.reportsBucket, stack.storage.archiveBucket]) {
    ack(
      bucket,
      'S1',
      'Functions are the only writers and readers (IAM, TLS only, no public access); object-level access is audited with CloudTrail data events when an account enables them, without a third log bucket per stage.',
    );
  }

  const queues = [...stack.changes.streamReaders, ...stack.changes.busConsumers, ...stack.schedules.jobs].map(
    (f) => f.failureQueue,
  );
  if (stack.changes.pipeFailureQueue) queues.push(stack.changes.pipeFailureQueue);
  for (const queue of queues) {
    ack(
      queue,
      'SQS3',
      'This queue is itself the last stop (the on-failure destination or dead-letter queue of a trigger); its depth raises an alarm and an operator redrives it.',
    );
  }
  for (const job of stack.schedules.jobs) {
    ack(
      job.role,
      `IAM5[Resource::${arnToken(job.fn)}:*]`,
      'Invoking the versions and aliases of this one scheduled function (lambda:InvokeFunction as granted by grantInvoke).',
    );
  }

  const pool = stack.identity.userPool;
  ack(
    pool,
    'COG8',
    'The Plus feature plan (threat protection) is billed per active user; the Essentials plan with a strong password policy and MFA is the chosen baseline. Revisit when tenants ask for adaptive authentication.',
  );
  if (stack.stage !== 'prod') {
    ack(pool, 'COG2', 'MFA is optional only in dev so test users are quick to create; prod requires it.');
  }
}
