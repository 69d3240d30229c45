import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type Metafile } from 'esbuild';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CLAIMS } from '../../functions/shared/auth/principal.js';
import { bundleSize, esbuildOptions } from '../../infra/cloud/bundling.js';

/**
 * The graphql function bundled as the stack bundles it (code splitting, Apollo's reporting plugins
 * left out by `apolloBundlePlugin`), then imported in a fresh Node process and asked `{ health }`
 * with a signed token, against DynamoDB Local (a request reads its tenant's role permissions): proof
 * that nothing the bundle leaves out is reached on the way.
 */
const ISSUER = 'https://auth.bundle-test.local';
const AUDIENCE = 'bundle-test';
let dir: string;
let metafile: Metafile;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'broker-crm-bundle-'));
  ({ metafile } = await build({
    ...esbuildOptions('functions/graphql/handler.ts', dir),
    logLevel: 'silent',
  }));
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PROBE = `
const { handler } = await import(process.env.BUNDLE_URL);
const event = {
  version: '2.0', routeKey: 'POST /graphql', rawPath: '/graphql', rawQueryString: '',
  headers: { 'content-type': 'application/json', authorization: 'Bearer ' + process.env.TOKEN },
  requestContext: { http: { method: 'POST', path: '/graphql' }, requestId: 'r1' },
  body: JSON.stringify({ query: '{ health }' }), isBase64Encoded: false,
};
const context = { functionName: 'graphql', awsRequestId: 'r1', getRemainingTimeInMillis: () => 10000 };
process.stdout.write(JSON.stringify(await handler(event, context)));
`;

describe('graphql bundle', () => {
  it('answers a query through the split bundle in a fresh process', async () => {
    const { publicKey, privateKey } = await generateKeyPair('RS256');
    const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
    const token = await new SignJWT({
      [CLAIMS.tenantId]: 'tbundle',
      [CLAIMS.userId]: 'ubundle',
      [CLAIMS.role]: 'admin',
      [CLAIMS.scope]: 'all',
    })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('ubundle')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(privateKey);
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE], {
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        PATH: process.env.PATH,
        BUNDLE_URL: pathToFileURL(join(dir, 'index.mjs')).href,
        TOKEN: token,
        TABLE_NAME: inject('tableName'),
        AWS_ENDPOINT_URL_DYNAMODB: inject('dynamoEndpoint'),
        STAGE: 'local',
        AUTH_ISSUER: ISSUER,
        AUTH_AUDIENCE: AUDIENCE,
        AUTH_JWKS_URL: 'http://127.0.0.1:9/.well-known/jwks.json',
        AUTH_JWKS_JSON: JSON.stringify({ keys: [jwk] }),
        CURSOR_KEYS: 'bundle-cursor-secret-0123456789abcdefghijklmnop',
        AWS_REGION: 'eu-central-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        POWERTOOLS_LOG_LEVEL: 'SILENT',
        POWERTOOLS_METRICS_DISABLED: 'true',
      },
    });
    expect(run.stderr).not.toMatch(/not bundled/);
    const response = JSON.parse(run.stdout) as { statusCode: number; body: string };
    expect(response.statusCode, `${response.body}\n${run.stderr}`).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ data: { health: 'ok' } });
  }, 90_000);

  it('holds one copy of Apollo (its ESM build) and no usage-reporting protobuf', () => {
    const inputs = Object.keys(metafile.inputs);
    expect(inputs.some((i) => i.includes('@apollo/server/dist/esm/'))).toBe(true);
    expect(inputs.filter((i) => i.includes('@apollo/server/dist/cjs/'))).toEqual([]);
    expect(inputs.filter((i) => i.includes('usage-reporting-protobuf'))).toEqual([]);
  });

  it('reads less at cold start than the whole bundle', () => {
    const size = bundleSize(metafile);
    expect(size.initialBytes).toBeLessThan(size.totalBytes);
  });
});
