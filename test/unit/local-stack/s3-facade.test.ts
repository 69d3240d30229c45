import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { buildApp } from 'fauxqs';
import { afterAll, describe, expect, it } from 'vitest';
import { createS3Client, S3ObjectStore } from '../../../functions/shared/object-store.js';
import { LocalS3Facade, presignedExpired } from '../../../infra/local/s3-facade.js';

/**
 * The local stack's S3 endpoint: fauxqs behind the local server's port, objects kept in the data dir
 * and put back at the next start, presigned links refused once expired. In-process, on loopback.
 */
const BUCKET = 'broker-crm-reports';
const dir = mkdtempSync(join(tmpdir(), 'broker-crm-s3-'));
const closers: Array<() => Promise<unknown>> = [];

/** One "start": a fresh (empty) fauxqs and a facade on its own port over the same data dir. */
async function start(): Promise<{ url: string; restored: number }> {
  const fauxqs = buildApp({ logger: false, host: '127.0.0.1' });
  const address = await fauxqs.listen({ port: 0, host: '127.0.0.1' });
  closers.push(() => fauxqs.close());
  await fetch(`${address}/${BUCKET}`, { method: 'PUT' });
  const facade = new LocalS3Facade(address, [BUCKET], dir);
  const restored = await facade.restore();
  const server: Server = createServer((req, res) => {
    void facade.handle(req, res, new URL(req.url ?? '/', 'http://localhost'));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  closers.push(() => new Promise((r) => server.close(r)));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, restored };
}

async function storeAt(url: string): Promise<S3ObjectStore> {
  Object.assign(process.env, {
    AWS_ENDPOINT_URL_S3: url,
    AWS_REGION: 'eu-central-1',
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  });
  return new S3ObjectStore(await createS3Client(true));
}

afterAll(async () => {
  for (const close of closers.reverse()) await close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the local S3 endpoint', () => {
  it('serves a presigned link from its own port, and again after a restart from the data dir', async () => {
    const first = await start();
    const store = await storeAt(first.url);
    await store.put(BUCKET, 't1/reports/a b.csv', new TextEncoder().encode('Name\r\nŘízení\r\n'), 'text/csv');
    const link = await store.signedGetUrl(BUCKET, 't1/reports/a b.csv', 900, 'clients.csv');
    expect(link.startsWith(`${first.url}/${BUCKET}/`)).toBe(true);
    expect(await (await fetch(link)).text()).toBe('Name\r\nŘízení\r\n');

    const second = await start();
    expect(second.restored).toBe(1);
    const again = await fetch(link.replace(first.url, second.url));
    expect(again.status).toBe(200);
    expect(again.headers.get('content-type')).toContain('text/csv');
    expect(await again.text()).toBe('Name\r\nŘízení\r\n');
  });

  it('takes a streamed put of unknown length as a multipart upload and serves it back byte for byte', async () => {
    const { url } = await start();
    const store = await storeAt(url);
    // 12 MiB in 64 KiB chunks: three 5 MiB parts, the last one short.
    const chunk = (i: number) => Buffer.alloc(64 * 1024, i % 251);
    const body = Readable.from(
      (function* () {
        for (let i = 0; i < 192; i++) yield chunk(i);
      })(),
    );
    await store.putStream(BUCKET, 't1/reports/big.xlsx', body, 'application/octet-stream');
    const back = await store.get(BUCKET, 't1/reports/big.xlsx');
    expect(back?.length).toBe(12 * 1024 * 1024);
    expect(
      Buffer.from(back ?? []).equals(Buffer.concat(Array.from({ length: 192 }, (_, i) => chunk(i)))),
    ).toBe(true);
  });

  it('stores nothing when a streamed body fails midway', async () => {
    const { url } = await start();
    const store = await storeAt(url);
    const body = new PassThrough();
    const put = store.putStream(BUCKET, 't1/reports/broken.csv', body, 'text/csv');
    body.write(Buffer.alloc(6 * 1024 * 1024, 1));
    setTimeout(() => body.destroy(new Error('the list refused a page')), 50);
    await expect(put).rejects.toThrow('the list refused a page');
    expect(await store.get(BUCKET, 't1/reports/broken.csv')).toBeUndefined();
  });

  it('lists the keys under a prefix and deletes objects (a data subject erasure), also after a restart', async () => {
    const first = await start();
    const store = await storeAt(first.url);
    await store.put(BUCKET, 't2/data-subjects/c1/a.json', '{}', 'application/json');
    await store.put(BUCKET, 't2/data-subjects/c1/a.pdf', '%PDF-', 'application/pdf');
    await store.put(BUCKET, 't2/data-subjects/c2/b.json', '{}', 'application/json');
    expect(await store.list(BUCKET, 't2/data-subjects/c1/')).toEqual([
      't2/data-subjects/c1/a.json',
      't2/data-subjects/c1/a.pdf',
    ]);
    await store.delete(BUCKET, 't2/data-subjects/c1/a.json');
    await store.delete(BUCKET, 't2/data-subjects/c1/never-there.json');
    expect(await store.get(BUCKET, 't2/data-subjects/c1/a.json')).toBeUndefined();

    const again = await storeAt((await start()).url);
    expect(await again.list(BUCKET, 't2/data-subjects/')).toEqual([
      't2/data-subjects/c1/a.pdf',
      't2/data-subjects/c2/b.json',
    ]);
  });

  it('refuses a presigned request once its X-Amz-Date plus X-Amz-Expires has passed', () => {
    const q = new URLSearchParams({ 'X-Amz-Date': '20261201T060000Z', 'X-Amz-Expires': '900' });
    expect(presignedExpired(q, new Date('2026-12-01T06:14:59Z'))).toBe(false);
    expect(presignedExpired(q, new Date('2026-12-01T06:15:01Z'))).toBe(true);
    expect(presignedExpired(new URLSearchParams(), new Date())).toBe(false);
  });
});
