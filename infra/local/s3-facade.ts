import { type Dirent, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, relative, sep } from 'node:path';

/** Beside each persisted object: its content type. */
const META = '.s3meta.json';
/** Multipart parts and streamed puts can be large: the facade takes bodies up to 5 GiB, S3's part limit. */
const MAX_BODY = 5 * 1024 ** 3;
/**
 * fauxqs takes request bodies up to 11 MiB: an object larger than a part (a streamed report) is put
 * back as a multipart upload of parts this size.
 */
const RESTORE_PART = 8 * 1024 ** 2;
/** Hop-by-hop and length headers the facade sets itself. */
const SKIPPED_HEADERS = new Set([
  'host',
  'connection',
  'content-length',
  'transfer-encoding',
  'keep-alive',
  'expect',
]);

/** Puts one persisted object back into fauxqs: one PUT, or a multipart upload when it is large. */
async function putBack(url: string, body: Buffer, contentType: string): Promise<void> {
  const ok = async (response: Response) => {
    if (!response.ok) throw new Error(`fauxqs refused ${url}: HTTP ${response.status}`);
    return response;
  };
  if (body.length <= RESTORE_PART) {
    await ok(await fetch(url, { method: 'PUT', headers: { 'content-type': contentType }, body }));
    return;
  }
  const created = await ok(
    await fetch(`${url}?uploads`, { method: 'POST', headers: { 'content-type': contentType } }),
  );
  const uploadId = /<UploadId>([^<]+)<\/UploadId>/.exec(await created.text())?.[1] ?? '';
  const parts: string[] = [];
  for (let start = 0, n = 1; start < body.length; start += RESTORE_PART, n++) {
    const part = await ok(
      await fetch(`${url}?partNumber=${n}&uploadId=${encodeURIComponent(uploadId)}`, {
        method: 'PUT',
        body: body.subarray(start, start + RESTORE_PART),
      }),
    );
    parts.push(`<Part><PartNumber>${n}</PartNumber><ETag>${part.headers.get('etag') ?? ''}</ETag></Part>`);
  }
  await ok(
    await fetch(`${url}?uploadId=${encodeURIComponent(uploadId)}`, {
      method: 'POST',
      headers: { 'content-type': 'application/xml' },
      body: `<CompleteMultipartUpload>${parts.join('')}</CompleteMultipartUpload>`,
    }),
  );
}

/**
 * Whether a presigned request's time is up: `X-Amz-Date` (`20261201T063000Z`) plus `X-Amz-Expires`
 * seconds is before `now`. False for a request that is not presigned. S3 refuses such a link with
 * 403 AccessDenied; fauxqs checks no signature, so the facade does.
 */
export function presignedExpired(query: URLSearchParams, now: Date): boolean {
  const date = query.get('X-Amz-Date');
  const expires = Number(query.get('X-Amz-Expires'));
  if (!date || !Number.isFinite(expires)) return false;
  const iso = date.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z');
  const signed = Date.parse(iso);
  if (Number.isNaN(signed)) return true;
  return signed + expires * 1000 < now.getTime();
}

/**
 * The local stack's S3 endpoint on the local server's own port: the handlers' S3 client
 * (`AWS_ENDPOINT_URL_S3`) and every presigned download link go through it to fauxqs, so a link names
 * the port the developer knows, which stays the same across restarts (fauxqs's own port does not).
 * With a data dir each stored object is also written to `<dataDir>/s3/<bucket>/<key>` and put back
 * into fauxqs at the next start, so a link handed out before a restart still downloads after it.
 */
export class LocalS3Facade {
  constructor(
    private readonly fauxqs: string,
    private readonly buckets: readonly string[],
    private readonly dir: string | null,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Whether a request path names one of the local buckets (`/<bucket>` or `/<bucket>/<key>`). */
  serves(pathname: string): boolean {
    return this.buckets.includes(decodeURIComponent(pathname.split('/')[1] ?? ''));
  }

  /** Puts every persisted object back into fauxqs (a fresh, empty emulator at each start). */
  async restore(): Promise<number> {
    if (!this.dir) return 0;
    let restored = 0;
    for (const bucket of this.buckets) {
      const root = join(this.dir, bucket);
      for (const file of filesUnder(root)) {
        if (file.endsWith(META)) continue;
        const key = relative(root, file).split(sep).join('/');
        const meta = JSON.parse(readFileSync(`${file}${META}`, 'utf8')) as { contentType: string };
        await putBack(`${this.fauxqs}/${bucket}/${encodeKey(key)}`, readFileSync(file), meta.contentType);
        restored++;
      }
    }
    return restored;
  }

  /** Passes one S3 request to fauxqs and its answer back, persisting what it stored or deleted. */
  async handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    if ((method === 'GET' || method === 'HEAD') && presignedExpired(url.searchParams, this.now())) {
      res.writeHead(403, { 'content-type': 'application/xml' });
      res.end(
        '<?xml version="1.0" encoding="UTF-8"?><Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>',
      );
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(req.headers))
      if (!SKIPPED_HEADERS.has(name) && value !== undefined)
        headers.set(name, Array.isArray(value) ? value.join(', ') : value);
    const body = method === 'GET' || method === 'HEAD' ? undefined : await readAll(req);
    const answer = await fetch(`${this.fauxqs}${url.pathname}${url.search}`, { method, headers, body });
    const payload = Buffer.from(await answer.arrayBuffer());
    if (answer.ok && this.dir) await this.persist(method, url);
    const out: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      if (!SKIPPED_HEADERS.has(name) && name !== 'content-encoding') out[name] = value;
    });
    if (method !== 'HEAD') out['content-length'] = String(payload.length);
    res.writeHead(answer.status, out);
    res.end(method === 'HEAD' ? undefined : payload);
  }

  /**
   * Mirrors a stored object (a put, or a completed multipart upload) to disk by reading it back from
   * fauxqs, so whatever encoding the upload used, the file holds the object's bytes; removes a deleted one.
   */
  private async persist(method: string, url: URL): Promise<void> {
    const [, bucket = '', ...rest] = url.pathname.split('/');
    const key = rest.map(decodeURIComponent).join('/');
    if (!key || !this.dir || key.split('/').some((s) => s === '..' || s === '')) return;
    const file = join(this.dir, decodeURIComponent(bucket), ...key.split('/'));
    const uploadPart = url.searchParams.has('partNumber');
    const completed = method === 'POST' && url.searchParams.has('uploadId');
    if (method === 'DELETE' && !url.searchParams.has('uploadId')) {
      rmSync(file, { force: true });
      rmSync(`${file}${META}`, { force: true });
      return;
    }
    if (!((method === 'PUT' && !uploadPart) || completed)) return;
    const stored = await fetch(`${this.fauxqs}${url.pathname}`);
    if (!stored.ok) return;
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, Buffer.from(await stored.arrayBuffer()));
    const contentType = stored.headers.get('content-type') ?? 'application/octet-stream';
    writeFileSync(`${file}${META}`, JSON.stringify({ contentType }));
  }
}

function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

function filesUnder(root: string): string[] {
  let entries: Dirent[];
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return [];
  }
  return entries.flatMap((e) => (e.isDirectory() ? filesUnder(join(root, e.name)) : [join(root, e.name)]));
}

async function readAll(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('S3 request body over 5 GiB');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
