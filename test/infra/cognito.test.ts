import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CLAIMS } from '../../functions/shared/auth/principal.js';
import { BrokerCrmStack } from '../../infra/cloud/broker-crm-stack.js';
import { idOf } from './fixtures/synth.js';

/** The user pool and its client, from the prod stack synthesized without bundles (not needed here). */
const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
const stack = new BrokerCrmStack(app, 'cognito', { stage: 'prod', mailFrom: 'crm@mail.example.com' });
const template = Template.fromStack(stack);

describe('Cognito', () => {
  it('declares a custom attribute for every claim the API reads; tenant and user id are immutable', () => {
    const schema = Object.values(CLAIMS).map((claim) => ({
      Name: claim.replace('custom:', ''),
      AttributeDataType: 'String',
      Mutable: !['custom:tenantId', 'custom:userId'].includes(claim),
    }));
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      Schema: Match.arrayWith(schema.map((a) => Match.objectLike(a))),
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      MfaConfiguration: 'ON',
      UserPoolName: Match.absent(),
    });
  });

  it('lets the client read the claims but never write them', () => {
    const client = template.toJSON().Resources[idOf(stack.identity.client)].Properties;
    expect(client.GenerateSecret).toBe(false);
    expect(client.ReadAttributes).toEqual(expect.arrayContaining([...Object.values(CLAIMS)]));
    expect(client.WriteAttributes).toEqual(['name']);
  });
});
