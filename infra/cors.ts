/**
 * What browser front ends may send, the same on both hosts: the cloud stack's HTTP API allows it
 * for the origins named with `-c corsOrigins`, the local stack for loopback origins. Bearer tokens,
 * never cookies, so credentials stay off.
 */
export const CORS_POLICY = {
  methods: ['GET', 'POST', 'OPTIONS'],
  headers: ['authorization', 'content-type', 'apollo-require-preflight'],
  maxAgeSeconds: 3600,
} as const;
