import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { cursorKeysFromEnv, secretsManagerCursorKeys } from '../../../functions/shared/cursor-keys.js';
import {
  type CursorKeySource,
  CursorSealer,
  staticCursorKeys,
} from '../../../functions/shared/cursor-seal.js';
import { parseEnv } from '../../../functions/shared/env.js';
import { InvalidCursorError } from '../../../functions/shared/errors.js';

const OLD = 'old-cursor-secret-0123456789abcdefghijklmnop';
const NEW = 'new-cursor-secret-0123456789abcdefghijklmnop';
const LIST = 'gsi1|T#tenant-a#OWNER#user-1#CLIENT';
const KEY = { pk: 'T#tenant-a#CLIENT#01J0', sk: 'CLIENT', gsi1sk: 'ACTIVE#Novák#01J0' };

describe('CursorSealer', () => {
  it('reveals no tenant, id or key value and opens to the same key', async () => {
    const sealer = new CursorSealer(staticCursorKeys([NEW]));
    const cursor = await sealer.seal(KEY, LIST);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toMatch(/tenant|CLIENT|01J0|Nov/);
    expect(await sealer.open(cursor, LIST)).toEqual(KEY);
  });

  it('seals the same key differently each time (random IV), so equal cursors leak nothing', async () => {
    const sealer = new CursorSealer(staticCursorKeys([NEW]));
    expect(await sealer.seal(KEY, LIST)).not.toBe(await sealer.seal(KEY, LIST));
  });

  it('still opens a cursor sealed with the previous key after a rotation, and seals with the new one', async () => {
    const before = await new CursorSealer(staticCursorKeys([OLD])).seal(KEY, LIST);
    const rotated = new CursorSealer(staticCursorKeys([NEW, OLD]));
    expect(await rotated.open(before, LIST)).toEqual(KEY);
    const after = await rotated.seal(KEY, LIST);
    await expect(new CursorSealer(staticCursorKeys([OLD])).open(after, LIST)).rejects.toThrow(
      InvalidCursorError,
    );
  });

  it('refuses a cursor once its key has left the list', async () => {
    const before = await new CursorSealer(staticCursorKeys([OLD])).seal(KEY, LIST);
    await expect(new CursorSealer(staticCursorKeys([NEW])).open(before, LIST)).rejects.toThrow(
      InvalidCursorError,
    );
  });

  it.each([0, 5, 20, 40])('refuses a cursor with byte %d flipped', async (index) => {
    const sealer = new CursorSealer(staticCursorKeys([NEW]));
    const raw = Buffer.from(await sealer.seal(KEY, LIST), 'base64url');
    raw[index] = (raw[index] ?? 0) ^ 0x01;
    await expect(sealer.open(raw.toString('base64url'), LIST)).rejects.toThrow(InvalidCursorError);
  });

  it("refuses another tenant's or another list's cursor", async () => {
    const sealer = new CursorSealer(staticCursorKeys([NEW]));
    const cursor = await sealer.seal(KEY, LIST);
    await expect(sealer.open(cursor, 'gsi1|T#tenant-b#OWNER#user-1#CLIENT')).rejects.toThrow(
      InvalidCursorError,
    );
    await expect(sealer.open(cursor, 'gsi2|T#tenant-a#OWNER#user-1#CLIENT')).rejects.toThrow(
      InvalidCursorError,
    );
  });

  it('reads the keys again, at most once a minute, when a cursor opens with none of them', async () => {
    let reads = 0;
    let refreshes = 0;
    // This instance still knows only the old key; the store already holds the new one.
    let known = staticCursorKeys([OLD]);
    const source: CursorKeySource = {
      keys: async (options) => {
        reads++;
        if (options?.refresh) {
          refreshes++;
          known = staticCursorKeys([NEW, OLD]);
        }
        return known.keys();
      },
    };
    let now = 1_000_000;
    const sealer = new CursorSealer(source, () => now);
    const sealedElsewhere = await new CursorSealer(staticCursorKeys([NEW, OLD])).seal(KEY, LIST);
    expect(await sealer.open(sealedElsewhere, LIST)).toEqual(KEY);
    expect(refreshes).toBe(1);
    const forged = `${sealedElsewhere.slice(0, -2)}AA`;
    await expect(sealer.open(forged, LIST)).rejects.toThrow(InvalidCursorError);
    expect(refreshes).toBe(1);
    now += 60_000;
    await expect(sealer.open(forged, LIST)).rejects.toThrow(InvalidCursorError);
    expect(refreshes).toBe(2);
    expect(reads).toBeGreaterThan(refreshes);
  });
});

describe('cursor keys from Secrets Manager', () => {
  const sm = mockClient(SecretsManagerClient);
  const ARN = 'arn:aws:secretsmanager:eu-central-1:123456789012:secret:cursor-abc';

  beforeEach(() => {
    sm.reset();
  });

  it('seals with AWSCURRENT and opens with AWSPREVIOUS, reading each once', async () => {
    sm.on(GetSecretValueCommand, { SecretId: ARN, VersionStage: 'AWSCURRENT' }).resolves({
      SecretString: NEW,
    });
    sm.on(GetSecretValueCommand, { SecretId: ARN, VersionStage: 'AWSPREVIOUS' }).resolves({
      SecretString: OLD,
    });
    const sealer = new CursorSealer(secretsManagerCursorKeys(new SecretsManagerClient({}), ARN));
    const before = await new CursorSealer(staticCursorKeys([OLD])).seal(KEY, LIST);
    expect(await sealer.open(before, LIST)).toEqual(KEY);
    const after = await sealer.seal(KEY, LIST);
    expect(await new CursorSealer(staticCursorKeys([NEW])).open(after, LIST)).toEqual(KEY);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('works with a secret never rotated (no AWSPREVIOUS version)', async () => {
    sm.on(GetSecretValueCommand, { SecretId: ARN, VersionStage: 'AWSCURRENT' }).resolves({
      SecretString: NEW,
    });
    sm.on(GetSecretValueCommand, { SecretId: ARN, VersionStage: 'AWSPREVIOUS' }).rejects(
      Object.assign(new Error('no such version'), { name: 'ResourceNotFoundException' }),
    );
    const keys = await secretsManagerCursorKeys(new SecretsManagerClient({}), ARN).keys();
    expect(keys).toHaveLength(1);
  });

  it('takes CURSOR_KEYS from the environment before the secret', async () => {
    const e = parseEnv({
      TABLE_NAME: 't',
      AUTH_ISSUER: 'i',
      AUTH_AUDIENCE: 'a',
      AUTH_JWKS_JSON: '{"keys":[]}',
      CURSOR_KEYS: `${NEW},${OLD}`,
      CURSOR_SECRET_ARN: ARN,
    });
    const keys = await cursorKeysFromEnv(e, () => new SecretsManagerClient({})).keys();
    expect(keys).toHaveLength(2);
    expect(sm.commandCalls(GetSecretValueCommand)).toHaveLength(0);
  });

  it('refuses a CURSOR_KEYS entry shorter than 32 characters at cold start', () => {
    expect(() =>
      parseEnv({
        TABLE_NAME: 't',
        AUTH_ISSUER: 'i',
        AUTH_AUDIENCE: 'a',
        AUTH_JWKS_JSON: '{}',
        CURSOR_KEYS: 'short',
      }),
    ).toThrow(/CURSOR_KEYS/);
  });
});
