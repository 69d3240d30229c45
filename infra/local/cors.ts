import type { IncomingMessage, ServerResponse } from 'node:http';
import { CORS_POLICY } from '../cors.js';

/** Front ends in development run on a loopback origin (Vite, Next, Storybook…): only those are allowed. */
const LOOPBACK_ORIGIN = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/;

/**
 * CORS for the local stack, as the cloud stack configures it with `-c corsOrigins=…`: bearer tokens,
 * no cookies, GET/POST/OPTIONS. Sets the headers for a loopback origin and answers a preflight;
 * returns true when the request is fully answered.
 */
export function applyLocalCors(req: IncomingMessage, res: ServerResponse): boolean {
  const origin = req.headers.origin;
  if (!origin || !LOOPBACK_ORIGIN.test(origin)) return false;
  res.setHeader('access-control-allow-origin', origin);
  res.setHeader('vary', 'origin');
  if ((req.method ?? '').toUpperCase() !== 'OPTIONS') return false;
  res.writeHead(204, {
    'access-control-allow-methods': CORS_POLICY.methods.join(', '),
    'access-control-allow-headers': CORS_POLICY.headers.join(', '),
    'access-control-max-age': String(CORS_POLICY.maxAgeSeconds),
  });
  res.end();
  return true;
}
