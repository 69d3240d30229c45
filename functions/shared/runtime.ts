import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TokenVerifier } from './auth/token-verifier.js';
import { systemClock } from './clock.js';
import { cursorKeysFromEnv } from './cursor-keys.js';
import { CursorSealer } from './cursor-seal.js';
import { createDocumentClient, Db } from './db.js';
import { type Env, env } from './env.js';
import { createS3Client, type ObjectStore, S3ObjectStore } from './object-store.js';
import { tracer } from './observability.js';

/** What every handler shares in one process: parsed env, one DynamoDB client, the clock. */
export interface Runtime {
  env: Env;
  db: Db;
  clock: typeof systemClock;
  /** S3, created (and its SDK imported) on first use. */
  objects: ObjectStore;
}

let runtime: Runtime | undefined;

/** The process's runtime, created at cold start (first call) and reused by every invocation. */
export function getRuntime(): Runtime {
  if (!runtime) {
    const e = env();
    runtime = {
      env: e,
      // Traced in Lambda (a subsegment per call); the tracer leaves the clients untouched elsewhere.
      db: new Db(
        tracer.captureAWSv3Client(createDocumentClient()),
        e.TABLE_NAME,
        new CursorSealer(cursorKeysFromEnv(e, () => tracer.captureAWSv3Client(new SecretsManagerClient({})))),
      ),
      clock: systemClock,
      objects: new S3ObjectStore(async () =>
        tracer.captureAWSv3Client(await createS3Client(e.S3_FORCE_PATH_STYLE)),
      ),
    };
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
