import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BrokerCrmStack } from './broker-crm-stack.js';
import type { Stage } from './catalog-functions.js';

/**
 * The CDK app: one stack per stage (`-c stage=dev|prod`, default dev). cdk-nag's AwsSolutions pack
 * runs on every synth, so a finding without a reasoned acknowledgement stops the deploy.
 */
const app = new App();
const stage = String(app.node.tryGetContext('stage') ?? 'dev');
if (stage !== 'dev' && stage !== 'prod')
  throw new Error(`Unknown stage "${stage}": use -c stage=dev or -c stage=prod`);
const context = (key: string): string | undefined => {
  const value: unknown = app.node.tryGetContext(key);
  return typeof value === 'string' && value.length > 0 ? value : undefined;
};

new BrokerCrmStack(app, `broker-crm-${stage}`, {
  stage: stage satisfies Stage,
  mailFrom: context('mailFrom'),
  alarmEmail: context('alarmEmail'),
  corsOrigins: context('corsOrigins')
    ?.split(',')
    .map((o) => o.trim())
    .filter(Boolean),
  env: { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION },
  description: `Broker CRM (${stage})`,
  tags: { app: 'broker-crm', stage },
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
