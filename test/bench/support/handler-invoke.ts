import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { lambdaContext } from '../../../infra/local/http-adapter.js';

type GraphQLHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyResultV2>;

/**
 * Calls the GraphQL Lambda handler in this process as API Gateway would: a v2 event for
 * POST /graphql with the caller's bearer token, the result as Lambda returns it. The same module
 * instance the local stack serves, so caches and the DynamoDB client (and its meter) are shared.
 */
export async function graphqlInvoker(
  token: string,
): Promise<(body: string) => Promise<{ statusCode?: number; body?: string }>> {
  const { handler } = (await import('../../../functions/graphql/handler.js')) as unknown as {
    handler: GraphQLHandler;
  };
  return async (body) => {
    const now = Date.now();
    const event = {
      version: '2.0',
      routeKey: 'POST /graphql',
      rawPath: '/graphql',
      rawQueryString: '',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body,
      isBase64Encoded: false,
      requestContext: {
        accountId: '000000000000',
        apiId: 'local',
        domainName: 'localhost',
        domainPrefix: 'localhost',
        http: {
          method: 'POST',
          path: '/graphql',
          protocol: 'HTTP/1.1',
          sourceIp: '127.0.0.1',
          userAgent: 'bench',
        },
        requestId: randomUUID(),
        routeKey: 'POST /graphql',
        stage: '$default',
        time: new Date(now).toISOString(),
        timeEpoch: now,
      },
    } satisfies APIGatewayProxyEventV2;
    const result = await handler(event, lambdaContext('graphql', 29));
    return typeof result === 'string'
      ? { statusCode: 200, body: result }
      : (result as { statusCode?: number; body?: string });
  };
}
