import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';

/** A Lambda handler as the catalog's HTTP functions export it. */
export type HttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyResultV2>;

export interface HttpRoute {
  method: string;
  /** API Gateway route path, e.g. `/webhooks/insurers/{insurerId}`. */
  path: string;
  functionName: string;
  timeoutSeconds: number;
  handler: HttpHandler;
}

const TEXT_TYPES =
  /^(text\/|application\/(json|graphql|xml|x-www-form-urlencoded|problem\+json)|[^;]*\+json)/i;

/** Matches a request path against an API Gateway route path; returns its path parameters. */
export function matchRoute(routePath: string, requestPath: string): Record<string, string> | null {
  const routeParts = routePath.split('/');
  const requestParts = requestPath.split('/');
  if (routeParts.length !== requestParts.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < routeParts.length; i++) {
    const r = routeParts[i] ?? '';
    const q = requestParts[i] ?? '';
    const param = /^\{(\w+)\}$/.exec(r);
    if (param?.[1]) {
      if (!q) return null;
      params[param[1]] = decodeURIComponent(q);
    } else if (r !== q) {
      return null;
    }
  }
  return params;
}

/**
 * Turns a Node HTTP request into an API Gateway HTTP API (payload 2.0) event, as the cloud's HTTP
 * API would deliver it: lower-case headers (repeated ones joined by commas), cookies split out,
 * query string parsed, text bodies as UTF-8 and binary bodies as base64.
 */
export function toApiGatewayEvent(
  req: IncomingMessage,
  body: Buffer,
  route: HttpRoute,
  pathParameters: Record<string, string>,
): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined || name === 'cookie') continue;
    headers[name.toLowerCase()] = Array.isArray(value) ? value.join(',') : value;
  }
  const cookies = req.headers.cookie
    ?.split(';')
    .map((c) => c.trim())
    .filter(Boolean);
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const contentType = headers['content-type'] ?? '';
  const isText = body.length === 0 || TEXT_TYPES.test(contentType);
  const now = new Date();
  const method = (req.method ?? 'GET').toUpperCase();
  const routeKey = `${route.method} ${route.path}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.replace(/^\?/, ''),
    ...(cookies && cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(Object.keys(query).length > 0 ? { queryStringParameters: query } : {}),
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: {
        method,
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.length > 0 ? { body: isText ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: !isText,
  };
}

/** A Lambda context for one local invocation, with the catalog function's timeout. */
export function lambdaContext(functionName: string, timeoutSeconds: number): Context {
  const deadline = Date.now() + timeoutSeconds * 1000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-central-1:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** Writes a Lambda proxy result (structured or plain) to the Node response, as API Gateway does. */
export function writeResult(res: ServerResponse, result: APIGatewayProxyResultV2): void {
  if (
    typeof result === 'string' ||
    result === null ||
    result === undefined ||
    !('statusCode' in result || 'body' in result)
  ) {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(typeof result === 'string' ? result : JSON.stringify(result ?? null));
    return;
  }
  const headers: Record<string, string | string[]> = { ...(result.headers as Record<string, string>) };
  if (result.cookies && result.cookies.length > 0) headers['set-cookie'] = result.cookies;
  res.writeHead(result.statusCode ?? 200, headers);
  const body = result.body ?? '';
  res.end(result.isBase64Encoded ? Buffer.from(body, 'base64') : body);
}

export async function readBody(req: IncomingMessage, limitBytes = 10 * 1024 * 1024): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw new PayloadTooLargeError();
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** API Gateway refuses request bodies over 10 MB; so does the adapter. */
export class PayloadTooLargeError extends Error {}

/**
 * Invokes the route's handler with an API Gateway event and writes its result; like API Gateway,
 * answers 504 when the function runs past its timeout and 500 when it throws.
 */
export async function invokeRoute(
  req: IncomingMessage,
  res: ServerResponse,
  route: HttpRoute,
  pathParameters: Record<string, string>,
  onError: (error: unknown) => void,
): Promise<void> {
  let body: Buffer;
  try {
    body = await readBody(req);
  } catch (error) {
    if (error instanceof PayloadTooLargeError) {
      res.writeHead(413, { 'content-type': 'application/json' });
      res.end('{"message":"Request Entity Too Large"}');
      return;
    }
    throw error;
  }
  const event = toApiGatewayEvent(req, body, route, pathParameters);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), route.timeoutSeconds * 1000);
  });
  try {
    const result = await Promise.race([
      route.handler(event, lambdaContext(route.functionName, route.timeoutSeconds)),
      timeout,
    ]);
    if (result === 'timeout') {
      res.writeHead(504, { 'content-type': 'application/json' });
      res.end('{"message":"Endpoint request timed out"}');
      return;
    }
    writeResult(res, result);
  } catch (error) {
    onError(error);
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end('{"message":"Internal Server Error"}');
  } finally {
    clearTimeout(timer);
  }
}
