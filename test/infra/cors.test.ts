import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CATALOG } from '../../infra/catalog.js';
import { BrokerCrmStack } from '../../infra/cloud/broker-crm-stack.js';
import { CORS_POLICY } from '../../infra/cors.js';

/** The HTTP API's CORS configuration (bundling skipped: only the API resource matters here). */
function httpApi(corsOrigins?: string[]): Record<string, unknown> {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new BrokerCrmStack(app, 'cors', {
    stage: 'dev',
    catalog: CATALOG.filter((spec) => spec.trigger.kind === 'http'),
    mailFrom: 'crm@mail.example.com',
    corsOrigins,
  });
  const apis = Template.fromStack(stack).findResources('AWS::ApiGatewayV2::Api');
  const [api] = Object.values(apis);
  if (!api) throw new Error('no HTTP API');
  return api.Properties as Record<string, unknown>;
}

describe('CORS for browser front ends', () => {
  it('allows the headers mainstream clients and tracing send', () => {
    expect(CORS_POLICY.headers).toEqual(
      expect.arrayContaining([
        'authorization',
        'content-type',
        'x-api-key',
        'apollographql-client-name',
        'apollographql-client-version',
        'x-apollo-operation-name',
        'traceparent',
        'tracestate',
      ]),
    );
  });

  it('trusts no origin unless one is named', () => {
    expect(httpApi().CorsConfiguration).toBeUndefined();
  });

  it('allows exactly the named origins, bearer tokens and no cookies', () => {
    const props = httpApi(['https://app.example.com', 'https://partners.example.com']);
    expect(props.CorsConfiguration).toEqual({
      AllowOrigins: ['https://app.example.com', 'https://partners.example.com'],
      AllowMethods: ['GET', 'POST', 'OPTIONS'],
      AllowHeaders: [...CORS_POLICY.headers],
      MaxAge: 3600,
    });
  });
});
