import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { createServices } from '../modules/services.js';
import { InboxLiveEvents, LiveInbox } from '../shared/live-inbox.js';
import { observability } from '../shared/observability.js';
import { createTokenVerifier, getRuntime } from '../shared/runtime.js';
import { createLiveFetchHandler } from './stream.js';

/**
 * Whether Lambda's Node.js runtime is running this module. Its `awslambda` global (typed by
 * @types/aws-lambda as if always present) carries `streamifyResponse`, which middy's
 * `streamifyResponse` mode calls when the handler is built; nothing else provides it.
 */
export function inLambdaStreamingRuntime(): boolean {
  return typeof awslambda !== 'undefined' && typeof awslambda.streamifyResponse === 'function';
}

/** A stream ends this long before the function's timeout, so the client reconnects cleanly. */
const END_BEFORE_TIMEOUT_MS = 5000;

/** What a streamed function URL handler returns to middy: metadata, then the body piped as it comes. */
export interface StreamedResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: Readable | string;
}

/** A function URL event (payload format 2.0) as a fetch Request, aborted by `signal`. */
export function functionUrlRequest(event: APIGatewayProxyEventV2, signal: AbortSignal): Request {
  const { http, domainName } = event.requestContext;
  const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
  const headers = new Headers();
  for (const [name, value] of Object.entries(event.headers ?? {})) {
    if (value !== undefined) headers.set(name, value);
  }
  const hasBody = http.method !== 'GET' && http.method !== 'HEAD' && event.body !== undefined;
  return new Request(`https://${domainName}${event.rawPath}${query}`, {
    method: http.method,
    headers,
    body: hasBody ? (event.isBase64Encoded ? Buffer.from(event.body ?? '', 'base64') : event.body) : null,
    signal,
  });
}

/**
 * Serves one function URL request with a fetch handler and hands middy the response to stream. The
 * request aborts shortly before the function's timeout: graphql-sse then ends the stream, and the
 * client's reconnect opens a fresh one (decision 0007: a stream lives at most 15 minutes).
 */
export function streamedHandler(fetchHandler: (req: Request) => Promise<Response>) {
  return async (event: APIGatewayProxyEventV2, context: Context): Promise<StreamedResponse> => {
    const lifetime = Math.max(1000, context.getRemainingTimeInMillis() - END_BEFORE_TIMEOUT_MS);
    const response = await fetchHandler(functionUrlRequest(event, AbortSignal.timeout(lifetime)));
    return {
      statusCode: response.status,
      headers: Object.fromEntries(response.headers),
      body: response.body ? Readable.fromWeb(response.body as NodeReadableStream) : '',
    };
  };
}

const runtime = getRuntime();
const fetchHandler = createLiveFetchHandler({
  services: createServices(runtime.db, runtime.clock),
  verifier: createTokenVerifier(runtime.env),
  live: new InboxLiveEvents({ inbox: new LiveInbox(runtime.db, runtime.clock) }),
  production: runtime.env.STAGE === 'prod',
});

/**
 * The live-updates stream behind a Lambda function URL (invoke mode RESPONSE_STREAM): middy's
 * `streamifyResponse` mode wraps it in `awslambda.streamifyResponse`, which exists only in Lambda's
 * runtime; anywhere else (the local stack serves `/graphql/stream` itself) the handler refuses.
 */
export const handler = inLambdaStreamingRuntime()
  ? middy(streamedHandler(fetchHandler), { streamifyResponse: true }).use(observability('graphql-stream'))
  : () => {
      throw new Error('The streaming entry runs in AWS Lambda only (awslambda.streamifyResponse)');
    };
