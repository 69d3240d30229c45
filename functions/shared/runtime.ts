import { TokenVerifier } from './auth/token-verifier.js';
import { systemClock } from './clock.js';
import { createDocumentClient, Db } from './db.js';
import { type Env, env } from './env.js';

/** What every handler shares in one process: parsed env, one DynamoDB client, the clock. */
export interface Runtime {
  env: Env;
  db: Db;
  clock: typeof systemClock;
}

let runtime: Runtime | undefined;

/** The process's runtime, created at cold start (first call) and reused by every invocation. */
export function getRuntime(): Runtime {
  if (!runtime) {
    const e = env();
    runtime = { env: e, db: new Db(createDocumentClient(), e.TABLE_NAME), clock: systemClock };
  }
  return runtime;
}

/** The token verifier for this process's issuer and key set. */
export function createTokenVerifier(e: Env): TokenVerifier {
  return new TokenVerifier({
    issuer: e.AUTH_ISSUER,
    audience: e.AUTH_AUDIENCE,
    jwksUrl: e.AUTH_JWKS_URL,
    jwks: e.AUTH_JWKS_JSON ? JSON.parse(e.AUTH_JWKS_JSON) : undefined,
  });
}
