import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { archiveKeyOf } from '../../../functions/modules/webhooks/delivery.service.js';
import { S3ObjectStore } from '../../../functions/shared/object-store.js';

const s3 = mockClient(S3Client);
afterEach(() => s3.reset());

describe('the webhook archive in S3', () => {
  it('keys a delivery by tenant, insurer, the day of its signed timestamp and its webhook id', () => {
    expect(archiveKeyOf('t-1', 'INS1', new Date('2026-11-29T23:59:59Z'), 'msg_1')).toBe(
      'webhooks/t-1/INS1/2026-11-29/msg_1.json',
    );
  });

  it('puts the raw body as sent, to the bucket and key given', async () => {
    s3.on(PutObjectCommand).resolves({});
    const store = new S3ObjectStore(new S3Client({ region: 'eu-central-1' }));
    await store.put('archive', 'webhooks/t/i/2026-11-29/m.json', '{"a": 1}', 'application/json');
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: 'archive',
      Key: 'webhooks/t/i/2026-11-29/m.json',
      Body: '{"a": 1}',
      ContentType: 'application/json',
    });
  });

  it('reads an archived body back for replay, and says when there is none', async () => {
    // The SDK's streaming body, reduced to the one method the store uses.
    const body = { transformToByteArray: async () => new TextEncoder().encode('{"events":[]}') };
    s3.on(GetObjectCommand, { Bucket: 'archive', Key: 'k1' }).resolves({ Body: body as never });
    s3.on(GetObjectCommand, { Bucket: 'archive', Key: 'gone' }).rejects(
      new NoSuchKey({ message: 'The specified key does not exist.', $metadata: {} }),
    );
    const store = new S3ObjectStore(new S3Client({ region: 'eu-central-1' }));
    expect(Buffer.from((await store.get('archive', 'k1')) ?? []).toString('utf8')).toBe('{"events":[]}');
    expect(await store.get('archive', 'gone')).toBeUndefined();
  });

  it('lets an S3 failure reach the caller, so the delivery is answered 500 and retried', async () => {
    s3.on(PutObjectCommand).rejects(new Error('SlowDown'));
    const store = new S3ObjectStore(new S3Client({ region: 'eu-central-1' }));
    await expect(store.put('archive', 'k', '{}', 'application/json')).rejects.toThrow('SlowDown');
  });
});
