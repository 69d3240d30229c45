import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { LiveHub } from '../../functions/shared/live-hub.js';
import { applyLocalCors } from './cors.js';
import { FAVICON_ICO } from './favicon.js';
import { graphiqlPage, IDE_ASSET_PREFIX, IDE_ASSETS } from './graphiql.js';
import { type HttpRoute, invokeRoute, matchRoute, readBody } from './http-adapter.js';
import { type LocalRouteDeps, serveLocalRoute } from './local-routes.js';
import type { SmsRecorder } from './sms-recorder.js';
import type { LocalTokenIssuer } from './token-issuer.js';

/**
 * The local stack's HTTP front door: health, CORS, the token issuer's keys, GraphiQL and its assets,
 * the live-updates stream, the local pages (captured mail and SMS, schedule runs), then the catalog's
 * routes through the API Gateway adapter.
 */

/** The live-updates endpoint over the hub, built after the environment is set (as at a cold start). */
export async function createLocalLiveStream(live: LiveHub): Promise<RequestDeps['liveStream']> {
  const { createLiveStreamHandler } = await import('../../functions/graphql/stream.js');
  const { createServices } = await import('../../functions/modules/services.js');
  const { createTokenVerifier, getRuntime } = await import('../../functions/shared/runtime.js');
  const runtime = getRuntime();
  return createLiveStreamHandler({
    services: createServices(runtime.db, runtime.clock),
    verifier: createTokenVerifier(runtime.env),
    live,
    production: false,
  });
}

export interface RequestDeps {
  routes: HttpRoute[];
  liveStream: (req: IncomingMessage, res: ServerResponse) => Promise<void>;
  /** The catalog's streaming routes, all served by {@link RequestDeps.liveStream}. */
  streamingPaths: ReadonlySet<string>;
  issuer: LocalTokenIssuer;
  sms: SmsRecorder;
  /** Captured mail and SMS pages, and running a schedule now. */
  local: LocalRouteDeps;
  ideToken: string | undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

export async function handleRequest(
  req: IncomingMessage,
  res: ServerResponse,
  deps: RequestDeps,
): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const method = (req.method ?? 'GET').toUpperCase();

  if (applyLocalCors(req, res)) return;
  if (method === 'GET' && url.pathname === '/health') return sendJson(res, 200, { status: 'ok' });
  if (method === 'GET' && url.pathname === '/favicon.ico') {
    res.writeHead(200, { 'content-type': 'image/x-icon', 'cache-control': 'max-age=86400' });
    res.end(FAVICON_ICO);
    return;
  }
  if (deps.streamingPaths.has(url.pathname)) return deps.liveStream(req, res);
  if (method === 'GET' && url.pathname === '/.well-known/jwks.json')
    return sendJson(res, 200, deps.issuer.jwks());
  if (method === 'POST' && url.pathname === '/local/sms') {
    const payload = JSON.parse((await readBody(req)).toString('utf8') || '{}') as Record<string, unknown>;
    return sendJson(res, 201, deps.sms.record(payload));
  }
  if (await serveLocalRoute(req, res, url, deps.local)) return;
  if (method === 'GET' && url.pathname.startsWith(IDE_ASSET_PREFIX)) {
    const asset = IDE_ASSETS[url.pathname.slice(IDE_ASSET_PREFIX.length)];
    if (!asset) return sendJson(res, 404, { message: 'Not Found' });
    res.writeHead(200, { 'content-type': asset.type, 'cache-control': 'max-age=3600' });
    res.end(readFileSync(asset.file));
    return;
  }
  const wantsIde =
    method === 'GET' &&
    url.pathname === '/graphql' &&
    !url.searchParams.has('query') &&
    (req.headers.accept ?? '').includes('text/html');
  if (wantsIde) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end(graphiqlPage(deps.ideToken));
    return;
  }

  for (const route of deps.routes) {
    if (route.method !== method) continue;
    const params = matchRoute(route.path, url.pathname);
    if (params) return invokeRoute(req, res, route, params, () => undefined);
  }
  const pathKnown = deps.routes.some((r) => matchRoute(r.path, url.pathname));
  return sendJson(res, pathKnown ? 405 : 404, { message: pathKnown ? 'Method Not Allowed' : 'Not Found' });
}
