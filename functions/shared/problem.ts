import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/** An RFC 9457 problem details body. `code` is our stable error code (README's table). */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  code: string;
  [extension: string]: unknown;
}

/** Builds an HTTP API response carrying problem details (`application/problem+json`). */
export function problemResponse(problem: Problem): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: { 'content-type': 'application/problem+json' },
    body: JSON.stringify(problem),
  };
}
