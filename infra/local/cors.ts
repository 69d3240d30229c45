import type { IncomingMessage, ServerResponse } from 'node:http';

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
    'access-control-allow-methods': 'GET, POST, OPTIONS',
    'access-control-allow-headers': 'authorization, content-type, apollo-require-preflight',
    'access-control-max-age': '3600',
  });
  res.end();
  return true;
}
