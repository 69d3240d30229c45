/**
 * What browser front ends may send, the same on both hosts: the cloud stack's HTTP API allows it
 * for the origins named with `-c corsOrigins`, the local stack for loopback origins. Bearer tokens,
 * never cookies, so credentials stay off.
 */
export const CORS_POLICY = {
  methods: ['GET', 'POST', 'OPTIONS'],
  /**
   * What mainstream clients and tracing send: the bearer token and an API key, Apollo Client's
   * `clientAwareness` and Apollo's CSRF headers, W3C Trace Context. A header missing here fails
   * in the browser as an opaque "Failed to fetch".
   */
  headers: [
    'authorization',
    'content-type',
    'x-api-key',
    'apollo-require-preflight',
    'x-apollo-operation-name',
    'apollographql-client-name',
    'apollographql-client-version',
    'traceparent',
    'tracestate',
  ],
  maxAgeSeconds: 3600,
} as const;
