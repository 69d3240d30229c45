import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import type { Page } from '../../shared/db.js';
import { RuleViolationError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { neutraliseFormula } from '../../shared/input.js';
import type { ObjectStore } from '../../shared/object-store.js';
import { OrgKind } from '../../shared/table-design.js';
import { loadExcelJs } from '../../shared/tabular-file.js';
import { parseInput } from '../../shared/validation.js';
import type { Client } from '../clients/index.js';
import type { Insurer } from '../org/index.js';
import type { Policy } from '../policies/index.js';
import {
  EXPORT_LINK_SECONDS,
  ExportBookSchema,
  type ExportResult,
  type FileFormat,
  MAX_EXPORT_ROWS,
} from './book-files.model.js';
import type { BookClients, BookOrgDirectory, BookPolicies } from './ports.js';

/** Where generated files go, when the process has a bucket (the GraphQL function does). */
export interface ReportTarget {
  store: ObjectStore;
  bucket: string;
}

/**
 * Export of any client or policy list to CSV or XLSX behind an expiring link, filtered and scoped as
 * the API lists it.
 */
export class BookExportService {
  constructor(
    private readonly clients: BookClients,
    private readonly policies: BookPolicies,
    private readonly org: BookOrgDirectory,
    private readonly clock: Clock,
    private readonly reports: ReportTarget | null,
  ) {}

  /** Writes a client or policy list, filtered and scoped as the API lists it, to a file behind a signed link. */
  async exportBook(principal: Principal | null, rawInput: unknown): Promise<ExportResult> {
    const p = authorize(principal, 'book:export');
    const input = parseInput(ExportBookSchema, rawInput);
    if (!this.reports)
      throw new RuleViolationError('Exports need a reports bucket, and this deployment has none');
    const { rows, truncated } =
      input.kind === 'CLIENTS'
        ? await collect((page) => this.clients.listClients(p, input.clientFilter ?? {}, page), clientRow)
        : await this.policyRows(p, input.policyFilter ?? {});
    const columns = input.kind === 'CLIENTS' ? CLIENT_COLUMNS : POLICY_COLUMNS;
    const now = this.clock.now();
    const extension = input.format === 'CSV' ? 'csv' : 'xlsx';
    const fileName = `${input.kind.toLowerCase()}-${now.toISOString().slice(0, 10)}.${extension}`;
    const key = `${p.tenantId}/exports/${now.toISOString().slice(0, 10)}/${newId()}.${extension}`;
    const body = await writeFile(input.format, input.kind, columns, rows);
    await this.reports.store.put(
      this.reports.bucket,
      key,
      body,
      input.format === 'CSV'
        ? 'text/csv; charset=utf-8'
        : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
    );
    const url = await this.reports.store.signedGetUrl(
      this.reports.bucket,
      key,
      EXPORT_LINK_SECONDS,
      fileName,
    );
    return {
      url,
      expiresAt: new Date(now.getTime() + EXPORT_LINK_SECONDS * 1000).toISOString(),
      fileName,
      rowCount: rows.length,
      truncated,
    };
  }

  private async policyRows(p: Principal, filter: unknown) {
    const insurers = new Map(
      (await this.org.listAllOrgEntities<Insurer>(p.tenantId, OrgKind.Insurer)).map(
        (i) => [i.id, i.name] as const,
      ),
    );
    return collect(
      (page) => this.policies.listPolicies(p, filter, page),
      (policy: Policy) => policyRow(policy, insurers.get(policy.insurerId) ?? ''),
    );
  }
}

const CLIENT_COLUMNS = [
  'id',
  'externalId',
  'kind',
  'name',
  'status',
  'segment',
  'nationalId',
  'taxId',
  'email',
  'phone',
  'ownerAdvisorId',
  'branchId',
  'inPool',
  'tags',
  'createdAt',
] as const;

const POLICY_COLUMNS = [
  'id',
  'policyNumber',
  'insurer',
  'productLine',
  'clientId',
  'holderName',
  'status',
  'premium',
  'currency',
  'frequency',
  'writtenDate',
  'termStart',
  'termEnd',
  'businessType',
  'renewalYear',
  'sellerId',
  'servicingAdvisorId',
  'branchId',
] as const;

function clientRow(c: Client): Record<string, string> {
  return {
    id: c.id,
    externalId: c.externalId ?? '',
    kind: c.kind,
    name: c.name,
    status: c.status,
    segment: c.segment,
    nationalId: c.nationalId ?? '',
    taxId: c.taxId ?? '',
    email: c.email ?? '',
    phone: c.phone ?? '',
    ownerAdvisorId: c.ownerAdvisorId ?? '',
    branchId: c.branchId,
    inPool: String(c.inPool),
    tags: c.tags.join(';'),
    createdAt: c.createdAt,
  };
}

function policyRow(p: Policy, insurer: string): Record<string, string> {
  return {
    id: p.id,
    policyNumber: p.policyNumber,
    insurer,
    productLine: p.productLineCode,
    clientId: p.clientId,
    holderName: p.holderName,
    status: p.status,
    premium: p.premium.amount,
    currency: p.premium.currency,
    frequency: p.frequency,
    writtenDate: p.writtenDate,
    termStart: p.termStart,
    termEnd: p.termEnd,
    businessType: p.businessType,
    renewalYear: String(p.renewalYear),
    sellerId: p.sellerId,
    servicingAdvisorId: p.servicingAdvisorId ?? '',
    branchId: p.branchId,
  };
}

/** Pages through a list up to the export cap. */
async function collect<T>(
  list: (page: { limit: number; cursor: string | null }) => Promise<Page<T>>,
  toRow: (item: T) => Record<string, string>,
): Promise<{ rows: Array<Record<string, string>>; truncated: boolean }> {
  const rows: Array<Record<string, string>> = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await list({ limit: 100, cursor });
    rows.push(...page.items.map(toRow));
    cursor = page.nextCursor;
  } while (cursor && rows.length < MAX_EXPORT_ROWS);
  return {
    rows: rows.slice(0, MAX_EXPORT_ROWS),
    truncated: cursor !== null || rows.length > MAX_EXPORT_ROWS,
  };
}

async function writeFile(
  format: FileFormat,
  kind: string,
  columns: readonly string[],
  rows: Array<Record<string, string>>,
): Promise<Uint8Array | string> {
  // No cell may run as a formula when the file is opened: client names and notes are user text.
  const safe = rows.map((row) =>
    Object.fromEntries(Object.entries(row).map(([k, v]) => [k, neutraliseFormula(v)])),
  );
  if (format === 'CSV') {
    // Loaded on the first CSV export, not at cold start (decision 0011).
    const { stringify } = await import('csv-stringify/sync');
    return stringify(safe, { header: true, columns: [...columns], bom: true });
  }
  const workbook = new (await loadExcelJs()).Workbook();
  const sheet = workbook.addWorksheet(kind.toLowerCase());
  sheet.columns = columns.map((c) => ({ header: c, key: c, width: 18 }));
  for (const row of safe) sheet.addRow(row);
  sheet.getRow(1).font = { bold: true };
  return new Uint8Array(await workbook.xlsx.writeBuffer());
}
