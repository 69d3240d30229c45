import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createDocumentClient } from '../../../functions/shared/db.js';
import { createS3Client } from '../../../functions/shared/object-store.js';
import '../../../functions/shared/observability.js';

describe('per-request overhead the SDKs add by default', () => {
  it('our DynamoDB and S3 clients carry no logger middleware (it redacts every request and answer for a no-op logger)', async () => {
    const ddb = createDocumentClient({ region: 'eu-central-1' });
    const s3 = await createS3Client(true);
    expect(ddb.middlewareStack.identify().some((m) => m.startsWith('loggerMiddleware'))).toBe(false);
    expect(s3.middlewareStack.identify().some((m) => m.startsWith('loggerMiddleware'))).toBe(false);
    // The rest of the stack is intact: signing and retries still run.
    expect(ddb.middlewareStack.identify().some((m) => m.startsWith('retryMiddleware'))).toBe(true);
  });

  it('outside Lambda the X-Ray SDK starts in manual mode: no async hook on every promise', () => {
    expect(process.env.AWS_EXECUTION_ENV).toBeUndefined();
    expect(process.env.AWS_XRAY_MANUAL_MODE).toBe('true');
    const cls = createRequire(import.meta.url)('cls-hooked/context') as {
      getNamespace(name: string): unknown;
    };
    expect(cls.getNamespace('AWSXRay')).toBeUndefined();
  });
});
