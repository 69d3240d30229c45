import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';

const context = {
  functionName: 'broker-crm-dev-graphql',
  awsRequestId: 'req-1',
  invokedFunctionArn: 'arn:aws:lambda:eu-central-1:123456789012:function:broker-crm-dev-graphql',
  memoryLimitInMB: '1024',
  getRemainingTimeInMillis: () => 1000,
} as unknown as Context;

describe('observability middlewares', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    vi.resetModules();
  });

  it('flushes a cold-start metric with the function dimension once, in the configured namespace', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    vi.stubEnv('POWERTOOLS_METRICS_NAMESPACE', 'BrokerCrm');
    // Lambda sets this on an on-demand start; Powertools counts a cold start only then.
    vi.stubEnv('AWS_LAMBDA_INITIALIZATION_TYPE', 'on-demand');
    vi.resetModules();
    const lines: string[] = [];
    // Powertools writes EMF through its own Console on process.stdout.
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      return true;
    });
    const { observability, metrics, MetricUnit } = await import('../../../functions/shared/observability.js');
    const handler = middy(async () => {
      metrics.addMetric('policiesWritten', MetricUnit.Count, 2);
      return 'ok';
    }).use(observability('graphql'));

    await handler({}, context);
    await handler({}, context);

    const blobs = lines.filter((l) => l.includes('_aws')).map((l) => JSON.parse(l));
    const coldStarts = blobs.filter((b) => 'ColdStart' in b);
    expect(coldStarts).toHaveLength(1);
    expect(coldStarts[0]._aws.CloudWatchMetrics[0].Namespace).toBe('BrokerCrm');
    const written = blobs.filter((b) => 'policiesWritten' in b);
    expect(written).toHaveLength(2);
    expect(written[0].function).toBe('graphql');
    expect(written[0].service).toBe('broker-crm');
  });

  it('prints nothing when metrics are disabled, as on the local stack', async () => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'true');
    vi.resetModules();
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const { observability, metrics, MetricUnit } = await import('../../../functions/shared/observability.js');
    const handler = middy(async () => {
      metrics.addMetric('policiesWritten', MetricUnit.Count, 1);
      return 'ok';
    }).use(observability('graphql'));

    expect(await handler({}, context)).toBe('ok');
    expect(spy.mock.calls.filter((c) => String(c[0]).includes('_aws'))).toHaveLength(0);
  });

  it('does not warn on an invocation that adds no metric of its own', async () => {
    vi.resetModules();
    const { logger } = await import('../../../functions/shared/logger.js');
    const warn = vi.spyOn(logger, 'warn');
    const { observability } = await import('../../../functions/shared/observability.js');
    const handler = middy(async () => 'ok').use(observability('graphql'));

    await handler({}, context);
    await handler({}, context);

    expect(warn).not.toHaveBeenCalled();
  });
});
