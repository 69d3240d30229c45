import type { Readable } from 'node:stream';
import type { S3Client } from '@aws-sdk/client-s3';
import { type ClientSource, clientLoader } from './lazy.js';
import { withoutSdkLogging } from './sdk-client.js';

/** The S3 SDK and presigner are imported on first use: most requests never touch a bucket. */
const s3Sdk = () => import('@aws-sdk/client-s3');

/** A streamed upload's part size: S3's minimum, so 4 parts in flight hold ~20 MiB. */
const UPLOAD_PART_BYTES = 5 * 1024 * 1024;

/**
 * Where generated files (reports, exports, invoice PDFs) go: a bucket and key, and an expiring
 * signed link to hand to a user. An interface so services stay free of the AWS SDK and tests can
 * record what was stored.
 */
export interface ObjectStore {
  put(bucket: string, key: string, body: Uint8Array | string, contentType: string): Promise<void>;
  /**
   * Stores a body of unknown length as it is produced (a streamed report), holding only a few parts
   * in memory. Rejects, storing nothing, when the body fails (`destroy(error)`).
   */
  putStream(bucket: string, key: string, body: Readable, contentType: string): Promise<void>;
  signedGetUrl(bucket: string, key: string, expiresInSeconds: number, downloadName?: string): Promise<string>;
  /** Reads an object back (webhook replay reads its archived body); undefined when there is none. */
  get(bucket: string, key: string): Promise<Uint8Array | undefined>;
  /** Removes an object; removing one that is not there is not an error (S3 answers the same). */
  delete(bucket: string, key: string): Promise<void>;
  /** The keys under a prefix, in key order (a data subject's erasure finds their exports by it). */
  list(bucket: string, prefix: string): Promise<string[]>;
}

/**
 * The object exists but cannot be read now: S3 moved it to an archive storage class (the webhook
 * archive's lifecycle sends deliveries to Glacier after 180 days) and it would need a restore first.
 */
export class ObjectArchivedError extends Error {
  constructor(
    readonly key: string,
    options?: { cause?: unknown },
  ) {
    super(`The object ${key} is in an archive storage class and cannot be read without a restore`, options);
    this.name = 'ObjectArchivedError';
  }
}

/**
 * The S3 client for the process. Checksums only when required: the SDK's default would embed the
 * checksum of an empty body in presigned URLs and some S3 emulators mishandle streamed checksums.
 */
export async function createS3Client(forcePathStyle: boolean): Promise<S3Client> {
  const { S3Client } = await s3Sdk();
  return withoutSdkLogging(
    new S3Client({
      forcePathStyle,
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    }),
  );
}

/**
 * The S3-backed store used in the cloud and on the local stack (fauxqs). Takes the client or a
 * loader of it, so a process creates (and imports) S3 only when it first stores or reads a file.
 */
export class S3ObjectStore implements ObjectStore {
  private readonly s3: () => Promise<S3Client>;

  constructor(s3: ClientSource<S3Client>) {
    this.s3 = clientLoader(s3);
  }

  async put(bucket: string, key: string, body: Uint8Array | string, contentType: string): Promise<void> {
    const { PutObjectCommand } = await s3Sdk();
    await (await this.s3()).send(
      new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }),
    );
  }

  /**
   * A multipart upload (lib-storage's `Upload`) of 5 MiB parts, at most 4 in flight, so a 100,000-line
   * report never sits whole in memory; a body shorter than one part goes as one PutObject. A failed
   * body or part aborts the multipart upload, so no half-written object or orphan parts remain.
   */
  async putStream(bucket: string, key: string, body: Readable, contentType: string): Promise<void> {
    const [{ Upload }, client] = await Promise.all([import('@aws-sdk/lib-storage'), this.s3()]);
    await new Upload({
      client,
      params: { Bucket: bucket, Key: key, Body: body, ContentType: contentType },
      partSize: UPLOAD_PART_BYTES,
      queueSize: 4,
    }).done();
  }

  async get(bucket: string, key: string): Promise<Uint8Array | undefined> {
    const { GetObjectCommand, NoSuchKey } = await s3Sdk();
    const s3 = await this.s3();
    try {
      const out = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return out.Body ? await out.Body.transformToByteArray() : undefined;
    } catch (error) {
      if (error instanceof NoSuchKey) return undefined;
      if (error instanceof Error && error.name === 'InvalidObjectState')
        throw new ObjectArchivedError(key, { cause: error });
      throw error;
    }
  }

  async delete(bucket: string, key: string): Promise<void> {
    const { DeleteObjectCommand } = await s3Sdk();
    await (await this.s3()).send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
  }

  async list(bucket: string, prefix: string): Promise<string[]> {
    const { ListObjectsV2Command } = await s3Sdk();
    const s3 = await this.s3();
    const found: string[] = [];
    let token: string | undefined;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key) found.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return found;
  }

  async signedGetUrl(
    bucket: string,
    key: string,
    expiresInSeconds: number,
    downloadName?: string,
  ): Promise<string> {
    const [{ GetObjectCommand }, { getSignedUrl }, s3] = await Promise.all([
      s3Sdk(),
      import('@aws-sdk/s3-request-presigner'),
      this.s3(),
    ]);
    return getSignedUrl(
      s3,
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

  async putStream(bucket: string, key: string, body: Readable, contentType: string): Promise<void> {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    this.objects.set(`${bucket}/${key}`, { body: new Uint8Array(Buffer.concat(chunks)), contentType });
  }

  async get(bucket: string, key: string): Promise<Uint8Array | undefined> {
    const body = this.objects.get(`${bucket}/${key}`)?.body;
    return typeof body === 'string' ? new TextEncoder().encode(body) : body;
  }

  async delete(bucket: string, key: string): Promise<void> {
    this.objects.delete(`${bucket}/${key}`);
  }

  async list(bucket: string, prefix: string): Promise<string[]> {
    const start = `${bucket}/${prefix}`;
    return [...this.objects.keys()]
      .filter((k) => k.startsWith(start))
      .map((k) => k.slice(bucket.length + 1))
      .sort();
  }

  async signedGetUrl(bucket: string, key: string, expiresInSeconds: number): Promise<string> {
    return `memory://${bucket}/${key}?expires=${expiresInSeconds}`;
  }
}
