import { beforeAll, describe, expect, it } from 'vitest';
import { MAX_SYNC_IMPORT_ROWS } from '../../../functions/modules/book-files/book-files.model.js';
import type { ImportJob } from '../../../functions/modules/imports/imports.model.js';
import { ImportsRepository } from '../../../functions/modules/imports/imports.repository.js';
import { ImportsService } from '../../../functions/modules/imports/imports.service.js';
import { MAX_SYNC_STATEMENT_ROWS } from '../../../functions/modules/invoices/invoices.model.js';
import type { TableChangeDetail } from '../../../functions/shared/change-event.js';
import { systemClock } from '../../../functions/shared/clock.js';
import { keys } from '../../../functions/shared/table-design.js';
import { createTestApp, errorCode, principalFor } from '../../support/app.js';
import { type Brokerage, createBrokerage, fieldPaths } from '../../support/brokerage.js';
import { changeOf } from '../../support/invoices.js';

const app = createTestApp();
let b: Brokerage;
let other: Brokerage;

/** Runs of at most 3 rows, budget checks every 2 rows, chunks of 2 rows: a 9-row file takes 3 runs and 5 chunks. */
const small = () =>
  new ImportsService(
    new ImportsRepository(app.db),
    app.services.bookFiles.imports,
    app.services.invoices.payments,
    systemClock,
    {
      maxRowsPerRun: 3,
      batchRows: 2,
      chunkBytes: 500,
    },
  );

const HEADER = 'id;first;last;email;kind;acq;owner;segment';
function clientCsv(ids: string[], tenantId: string): string {
  return [
    HEADER,
    ...ids.map((id) =>
      id === 'BAD'
        ? `${id};Bad;Row;not-an-email;PERSON;ADVISOR;adam@${tenantId}.test;INDIVIDUAL`
        : `${id};First ${id};Last;${id.toLowerCase()}@example.com;PERSON;ADVISOR;adam@${tenantId}.test;INDIVIDUAL`,
    ),
  ].join('\n');
}
const bookInput = (csv: string) => ({
  kind: 'CLIENTS',
  format: 'CSV',
  contentBase64: Buffer.from(csv).toString('base64'),
  mapping: [
    { column: 'id', field: 'externalId' },
    { column: 'first', field: 'firstName' },
    { column: 'last', field: 'lastName' },
    { column: 'email', field: 'email' },
    { column: 'kind', field: 'kind' },
    { column: 'acq', field: 'acquisitionType' },
    { column: 'owner', field: 'ownerAdvisorEmail' },
    { column: 'segment', field: 'segment' },
  ],
});

const jobChange = (tenantId: string, id: string, eventName: 'INSERT' | 'MODIFY' = 'MODIFY') =>
  changeOf(app, tenantId, keys.importJob(tenantId, id), eventName);

/** Delivers the job's change to `service` as the bus would, once per checkpoint, until it is finished. */
async function drain(service: ImportsService, tenantId: string, id: string) {
  const events: TableChangeDetail[] = [await jobChange(tenantId, id, 'INSERT')];
  const progress: number[] = [];
  for (let run = 0; run < 50; run++) {
    const result = await service.onChange(events.at(-1) as TableChangeDetail);
    progress.push(result.rowsDone);
    if (result.status === 'SUCCEEDED' || result.status === 'FAILED') break;
    events.push(await jobChange(tenantId, id));
  }
  return { events, progress };
}

const ownerOf = (tenantId: string, externalId: string) =>
  app.services.repositories.clients.ownerOfUnique(tenantId, 'CLIENT_EXTERNAL_ID', externalId);

beforeAll(async () => {
  [b, other] = await Promise.all([createBrokerage(app, 'Import Jobs'), createBrokerage(app, 'Other Jobs')]);
});

describe('import jobs', () => {
  it('resumes a chunked book job across runs, imports every row once and keeps a bad row as a per-row error', async () => {
    const ids = ['J-1', 'J-2', 'BAD', 'J-4', 'J-5', 'J-6', 'J-7', 'J-8', 'J-9'];
    const service = small();
    const job = await service.startBookImport(b.as.manager, bookInput(clientCsv(ids, b.tenantId)));
    expect(job).toMatchObject({ status: 'QUEUED', rowsTotal: 9, rowsDone: 0 });

    const { events, progress } = await drain(service, b.tenantId, job.id);
    expect(progress).toEqual([3, 6, 9]);
    const done = await service.getJob(b.as.manager, job.id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', rowsDone: 9, counts: { CREATED: 8, REJECTED: 1 } });
    expect(done.finishedAt).not.toBeNull();

    const rows = await service.listRows(b.as.manager, done, { limit: 100, cursor: null });
    expect(rows.items.map((r) => [r.row, r.outcome])).toEqual(
      ids.map((id, i) => [i + 2, id === 'BAD' ? 'REJECTED' : 'CREATED']),
    );
    expect(rows.items[2]?.errors[0]).toMatchObject({ column: 'email', field: 'email' });
    for (const r of rows.items.filter((r) => r.outcome === 'CREATED'))
      expect(await ownerOf(b.tenantId, r.externalId as string)).toBe(r.createdId);

    // Replaying every event of the job (its INSERT and each checkpoint) changes nothing.
    for (const event of events) {
      const replay = await service.onChange(event);
      expect(replay).toMatchObject({ imported: 0, checkpointed: false });
    }
    expect(await service.getJob(b.as.manager, job.id)).toEqual(done);
  });

  it('applies each row once when two runs of one job race, and the losing checkpoint is dropped', async () => {
    const ids = ['R-1', 'R-2', 'R-3'];
    const service = small();
    const job = await service.startBookImport(b.as.manager, bookInput(clientCsv(ids, b.tenantId)));
    const insert = await jobChange(b.tenantId, job.id, 'INSERT');
    const [first, second] = await Promise.all([service.onChange(insert), service.onChange(insert)]);
    expect([first.checkpointed, second.checkpointed].sort()).toEqual([false, true]);
    const done = await service.getJob(b.as.manager, job.id);
    expect(done).toMatchObject({ status: 'SUCCEEDED', rowsDone: 3 });
    // Counts come from the one checkpoint that held: three rows, each counted once.
    const counted = Object.values(done.counts).reduce((a, n) => a + (n ?? 0), 0);
    expect(counted).toBe(3);
    const clientIds = await Promise.all(ids.map((id) => ownerOf(b.tenantId, id)));
    expect(new Set(clientIds).size).toBe(3);
  });

  it('runs a statement job: unmatched rows are queued once, and the same statement again is all DUPLICATE', async () => {
    const csv = [
      'date,amount,currency,reference',
      ...Array.from({ length: 5 }, (_, i) => `2026-03-1${i},1${i}.00,EUR,JOB-NOTHING-${i}`),
    ].join('\n');
    const service = small();
    const job = await service.startBankStatementImport(b.as.backoffice, { csv });
    await drain(service, b.tenantId, job.id);
    expect(await service.getJob(b.as.backoffice, job.id)).toMatchObject({
      status: 'SUCCEEDED',
      counts: { UNMATCHED: 5 },
    });
    const rows = await service.listRows(b.as.backoffice, job, { limit: 10, cursor: null });
    expect(rows.items.map((r) => [r.row, r.reason])).toEqual([1, 2, 3, 4, 5].map((n) => [n, 'NO_MATCH']));
    const again = await app.services.invoices.payments.importBankStatement(b.as.backoffice, { csv });
    expect(again.rows.map((r) => r.outcome)).toEqual(Array(5).fill('DUPLICATE'));
  });

  it('refuses a bad file up front with field paths and stores no job', async () => {
    const before = await app.services.imports.jobs.listJobs(other.as.admin, { limit: 100, cursor: null });
    const bad = await app.exec(
      other.as.admin,
      'mutation($i: ImportBookInput!) { startBookImport(input: $i) { id } }',
      {
        i: { ...bookInput('x'), contentBase64: Buffer.from([0xff, 0xfe, 0x00, 0x01]).toString('base64') },
      },
    );
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(fieldPaths(bad)).toEqual(['input.contentBase64']);
    const after = await app.services.imports.jobs.listJobs(other.as.admin, { limit: 100, cursor: null });
    expect(after.items.length).toBe(before.items.length);
  });

  it('answers importBook and importBankStatement above their bounds with BAD_USER_INPUT naming the job mutation', async () => {
    const ids = Array.from({ length: MAX_SYNC_IMPORT_ROWS + 1 }, (_, i) => `B-${i}`);
    const book = await app.exec(
      b.as.manager,
      'mutation($i: ImportBookInput!) { importBook(input: $i) { total } }',
      {
        i: bookInput(clientCsv(ids, b.tenantId)),
      },
    );
    expect(errorCode(book)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(book.errors)).toContain('startBookImport');
    expect(await ownerOf(b.tenantId, 'B-0')).toBeUndefined();
    const csv = [
      'date,amount,currency,reference',
      ...Array.from({ length: MAX_SYNC_STATEMENT_ROWS + 1 }, () => '2026-03-01,1.00,EUR,X'),
    ].join('\n');
    const statement = await app.exec(
      b.as.backoffice,
      'mutation($i: ImportBankStatementInput!) { importBankStatement(input: $i) { matched } }',
      { i: { csv } },
    );
    expect(errorCode(statement)).toBe('BAD_USER_INPUT');
    expect(JSON.stringify(statement.errors)).toContain('startBankStatementImport');
  });

  it('shows a job with progress and per-row results through GraphQL, and to no one outside its reach', async () => {
    const started = await app.exec<{ startBookImport: ImportJob }>(
      b.as.manager,
      'mutation($i: ImportBookInput!) { startBookImport(input: $i) { id kind status rowsTotal rowsDone } }',
      { i: bookInput(clientCsv(['G-1', 'G-2'], b.tenantId)) },
    );
    expect(started.errors).toBeUndefined();
    const id = started.data?.startBookImport.id as string;
    expect(started.data?.startBookImport).toMatchObject({
      kind: 'BOOK',
      status: 'QUEUED',
      rowsTotal: 2,
      rowsDone: 0,
    });
    await drain(app.services.imports.jobs, b.tenantId, id);

    const READ = `query($id: ID!) { importJob(id: $id) { status rowsDone counts { outcome rows }
      rows(first: 1) { edges { node { row outcome externalId createdId } } pageInfo { hasNextPage } } } }`;
    const read = await app.exec(b.as.manager, READ, { id });
    expect(read.data?.importJob).toMatchObject({
      status: 'SUCCEEDED',
      rowsDone: 2,
      counts: [{ outcome: 'CREATED', rows: 2 }],
      rows: {
        edges: [{ node: { row: 2, outcome: 'CREATED', externalId: 'G-1' } }],
        pageInfo: { hasNextPage: true },
      },
    });
    const list = await app.exec<{ importJobs: { edges: Array<{ node: { id: string } }> } }>(
      b.as.admin,
      '{ importJobs(first: 100) { edges { node { id } } } }',
    );
    expect(list.data?.importJobs.edges[0]?.node.id).toBe(id);

    const otherManager = principalFor(b.tenantId, 'manager', {
      userId: 'another-manager',
      scope: 'branch',
      branchId: b.franchiseBranchId,
    });
    for (const outsider of [other.as.admin, otherManager, b.as.advisor]) {
      expect(errorCode(await app.exec(outsider, READ, { id }))).toBe('NOT_FOUND');
    }
    const foreignList = await app.exec<{ importJobs: { edges: Array<{ node: { id: string } }> } }>(
      other.as.admin,
      '{ importJobs(first: 100) { edges { node { id } } } }',
    );
    expect(foreignList.data?.importJobs.edges.map((e) => e.node.id)).not.toContain(id);
  });
});
