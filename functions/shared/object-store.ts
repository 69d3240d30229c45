import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';

/**
 * Where generated files (reports, exports, invoice PDFs) go: a bucket and key, and an expiring
 * signed link to hand to a user. An interface so services stay free of the AWS SDK and tests can
 * record what was stored.
 */
export interface ObjectStore {
  put(bucket: string, key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  signedGetUrl(bucket: string, key: string, expiresInSeconds: number, downloadName?: string): Promise<string>;
  /** Reads an object back (webhook replay reads its archived body); undefined when there is none. */
  get(bucket: string, key: string): Promise<Uint8Array | undefined>;
}

/**
 * The S3 client for the process. Checksums only when required: the SDK's default would embed the
 * checksum of an empty body in presigned URLs and some S3 emulators mishandle streamed checksums.
 */
export function createS3Client(forcePathStyle: boolean): S3Client {
  return new S3Client({
    forcePathStyle,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** The S3-backed store used in the cloud and on the local stack (fauxqs). */
export class S3ObjectStore implements ObjectStore {
  constructor(private readonly s3: S3Client) {}

  async put(bucket: string, key: string, body: Uint8Array | string, contentType: string): Promise<void> {
    await this.s3.send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  async get(bucket: string, key: string): Promise<Uint8Array | undefined> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return out.Body ? await out.Body.transformToByteArray() : undefined;
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      throw error;
    }
  }

  signedGetUrl(
    bucket: string,
    key: string,
    expiresInSeconds: number,
    downloadName?: string,
  ): Promise<string> {
    return getSignedUrl(
      this.s3,
      new GetObjectCommand({
        Bucket: bucket,
        Key: key,
        ...(downloadName ? { ResponseContentDisposition: `attachment; filename="${downloadName}"` } : {}),
      }),
      { expiresIn: expiresInSeconds },
    );
  }
}

/** Keeps objects in memory: for tests and for running the services without a bucket. */
export class MemoryObjectStore implements ObjectStore {
  readonly objects = new Map<string, { body: Uint8Array | string; contentType: string }>();

  async put(bucket: string, key: string, body: Uint8Array | string, contentType: string): Promise<void> {
    this.objects.set(`${bucket}/${key}`, { body, contentType });
  }

  async get(bucket: string, key: string): Promise<Uint8Array | undefined> {
    const body = this.objects.get(`${bucket}/${key}`)?.body;
    return typeof body === 'string' ? new TextEncoder().encode(body) : body;
  }

  async signedGetUrl(bucket: string, key: string, expiresInSeconds: number): Promise<string> {
    return `memory://${bucket}/${key}?expires=${expiresInSeconds}`;
  }
}
