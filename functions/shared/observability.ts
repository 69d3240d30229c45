// First: decides the X-Ray SDK's mode before the tracer below loads it.
import './xray-mode.js';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type middy from '@middy/core';
import { logger } from './logger.js';

/**
 * Metrics (CloudWatch embedded metric format on stdout) and traces (X-Ray) of every function.
 * Namespace and service come from POWERTOOLS_METRICS_NAMESPACE and POWERTOOLS_SERVICE_NAME, which
 * the cloud stack sets; the tracer is active only inside Lambda, and the local stack and tests set
 * POWERTOOLS_METRICS_DISABLED so EMF lines do not flood their output.
 */
export const metrics = new Metrics({
  serviceName: 'broker-crm',
  // Powertools warns on every invocation that adds no metric of its own (most of ours): noise, not
  // news. Everything else it has to say goes to the structured logger.
  logger: {
    debug: (...args: unknown[]) => logger.debug(String(args[0]), { args: args.slice(1) }),
    info: (...args: unknown[]) => logger.info(String(args[0]), { args: args.slice(1) }),
    warn: (...args: unknown[]) => {
      if (!String(args[0]).startsWith('No application metrics to publish'))
        logger.warn(String(args[0]), { args: args.slice(1) });
    },
    error: (...args: unknown[]) => logger.error(String(args[0]), { args: args.slice(1) }),
  },
});
export const tracer = new Tracer({ serviceName: 'broker-crm' });

export { MetricUnit };

let namedFunction: string | undefined;

/**
 * The middlewares every handler uses, in this order: the Lambda context on every log line, a trace
 * segment around the handler, and metrics flushed at the end with a cold-start metric named after
 * the function.
 */
// biome-ignore lint/suspicious/noExplicitAny: middy's middleware type is generic over any event and result.
export function observability(functionName: string): middy.MiddlewareObj<any, any>[] {
  // One function per Lambda process; the local stack hosts them all in one, where metrics are off.
  if (!namedFunction) metrics.setDefaultDimensions({ function: functionName });
  namedFunction ??= functionName;
  return [
    injectLambdaContext(logger),
    captureLambdaHandler(tracer, { captureResponse: false }),
    logMetrics(metrics, { captureColdStartMetric: true }),
  ];
}
