import { afterEach, describe, expect, it, vi } from 'vitest';
import { env, parseEnv, resetEnvForTests } from '../../../functions/shared/env.js';

const valid = {
  TABLE_NAME: 'broker-crm',
  AUTH_ISSUER: 'https://issuer.example',
  AUTH_AUDIENCE: 'broker-crm',
  AUTH_JWKS_URL: 'https://issuer.example/.well-known/jwks.json',
};

describe('parseEnv', () => {
  it('parses a complete environment with defaults for STAGE and S3_FORCE_PATH_STYLE', () => {
    expect(parseEnv(valid)).toMatchObject({
      TABLE_NAME: 'broker-crm',
      STAGE: 'local',
      S3_FORCE_PATH_STYLE: false,
    });
    expect(parseEnv({ ...valid, S3_FORCE_PATH_STYLE: 'true' }).S3_FORCE_PATH_STYLE).toBe(true);
  });

  it('reads the failure drain routes by queue ARN, and none when FAILURE_QUEUES is unset', () => {
    const routes = [{ consumer: 'debtors', filter: { entityTypes: ['Invoice'], events: ['MODIFY'] } }];
    const parsed = parseEnv({ ...valid, FAILURE_QUEUES: JSON.stringify([{ queueArn: 'arn:q1', routes }]) });
    expect(parsed.FAILURE_QUEUES).toEqual({ 'arn:q1': routes });
    expect(parseEnv(valid).FAILURE_QUEUES).toEqual({});
  });

  it('fails the cold start on FAILURE_QUEUES that are not JSON routes, naming the variable', () => {
    expect(() => parseEnv({ ...valid, FAILURE_QUEUES: '{not json' })).toThrow(/FAILURE_QUEUES: must be JSON/);
    const unknownEvent = [
      { queueArn: 'q', routes: [{ consumer: 'c', filter: { entityTypes: [], events: ['PUT'] } }] },
    ];
    expect(() => parseEnv({ ...valid, FAILURE_QUEUES: JSON.stringify(unknownEvent) })).toThrow(
      /FAILURE_QUEUES/,
    );
  });

  it('fails with a message naming TABLE_NAME when it is missing', () => {
    const { TABLE_NAME: _omitted, ...rest } = valid;
    expect(() => parseEnv(rest)).toThrow(/^Invalid environment: TABLE_NAME: /);
  });

  it('fails when TABLE_NAME is empty', () => {
    expect(() => parseEnv({ ...valid, TABLE_NAME: '' })).toThrow(/TABLE_NAME/);
  });

  it('names every invalid variable at once', () => {
    expect(() => parseEnv({ ...valid, STAGE: 'qa', AUTH_JWKS_URL: 'not a url' })).toThrow(
      /STAGE: .*; AUTH_JWKS_URL: /,
    );
  });

  it('needs a JWKS, either as a URL or as inline JSON', () => {
    const { AUTH_JWKS_URL: _omitted, ...rest } = valid;
    expect(() => parseEnv(rest)).toThrow('Invalid environment: AUTH_JWKS_URL or AUTH_JWKS_JSON must be set');
    expect(parseEnv({ ...rest, AUTH_JWKS_JSON: '{"keys":[]}' }).AUTH_JWKS_JSON).toBe('{"keys":[]}');
  });
});

describe('env', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    resetEnvForTests();
  });

  it('reads process.env once and keeps the result for the life of the process', () => {
    for (const [k, v] of Object.entries(valid)) vi.stubEnv(k, v);
    resetEnvForTests();
    expect(env().TABLE_NAME).toBe('broker-crm');
    vi.stubEnv('TABLE_NAME', 'other');
    expect(env().TABLE_NAME).toBe('broker-crm');
  });

  it('fails the first read when TABLE_NAME is missing from process.env', () => {
    for (const [k, v] of Object.entries(valid)) vi.stubEnv(k, v);
    vi.stubEnv('TABLE_NAME', undefined);
    resetEnvForTests();
    expect(() => env()).toThrow(/TABLE_NAME/);
  });
});
