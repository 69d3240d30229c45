import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import { AlreadyExistsError, isDomainError, ValidationFailedError } from '../../shared/errors.js';
import { mapLimit } from '../../shared/map-limit.js';
import { OrgKind } from '../../shared/table-design.js';
import { type Row, readRows } from '../../shared/tabular-file.js';
import { parseInput } from '../../shared/validation.js';
import { normaliseId } from '../clients/index.js';
import type { Insurer, ProductLine, User } from '../org/index.js';
import { OBJECTS_BY_PRODUCT } from '../policies/index.js';
import {
  type ImportBookInput,
  ImportBookSchema,
  type ImportReport,
  MAX_IMPORT_ROWS,
  MAX_SYNC_IMPORT_ROWS,
  type RejectedRow,
  type RowError,
} from './book-files.model.js';
import type { BookClients, BookOrgDirectory, BookPolicies } from './ports.js';

/** Lookups an import resolves names against (users by e-mail, insurers by name, product lines). */
export type ImportRefs = {
  usersByEmail: Map<string, User>;
  insurersByName: Map<string, Insurer>;
  productLines: ProductLine[];
  baseCurrency: string;
};

/** Rows processed at once: enough to keep DynamoDB busy, few enough to stay polite to its throughput. */
export const IMPORT_CONCURRENCY = 6;

/**
 * Import of clients and policies from CSV or XLSX with a column mapping. Every imported row goes
 * through the same services as the API (validation, uniqueness, scope), each in its own
 * transaction: an accepted row is written whole, a rejected row not at all, and a row whose external
 * id was imported before is skipped, so re-importing a file creates nothing new.
 */
export class BookImportService {
  constructor(
    private readonly clients: BookClients,
    private readonly policies: BookPolicies,
    private readonly org: BookOrgDirectory,
  ) {}

  async importBook(principal: Principal | null, rawInput: unknown): Promise<ImportReport> {
    const { p, input, rows } = await this.prepareBookImport(principal, rawInput);
    if (rows.length > MAX_SYNC_IMPORT_ROWS) {
      throw new ValidationFailedError('Too many rows to import within one request', [
        {
          path: 'input.contentBase64',
          message: `has ${rows.length} rows; importBook takes at most ${MAX_SYNC_IMPORT_ROWS}: start a job with startBookImport (up to ${MAX_IMPORT_ROWS} rows)`,
        },
      ]);
    }
    const refs = await this.importReferences(p);
    const outcomes = await mapLimit(rows, IMPORT_CONCURRENCY, (row, i) =>
      this.importBookRow(p, input, row, i, refs),
    );
    const report: ImportReport = {
      total: rows.length,
      created: 0,
      duplicates: 0,
      rejected: [],
      createdIds: [],
    };
    outcomes.forEach((outcome, i) => {
      if (outcome.outcome === 'CREATED' && outcome.createdId) {
        report.created++;
        report.createdIds.push(outcome.createdId);
      } else if (outcome.outcome === 'DUPLICATE') report.duplicates++;
      else report.rejected.push({ row: i + 2, externalId: outcome.externalId, errors: outcome.errors });
    });
    return report;
  }

  /**
   * Checks a book file as a whole (role, input, format, row cap, mapped columns) before anything is
   * written, and returns its data rows reduced to the mapped columns, each with the earlier row whose
   * unique value it repeats. Rows run concurrently (and, in a job, in separate runs), so two rows of
   * one file claiming the same unique value would race: the earlier row wins by rule, decided here.
   */
  async prepareBookImport(
    principal: Principal | null,
    rawInput: unknown,
  ): Promise<{ p: Principal; input: ImportBookInput; rows: BookRow[] }> {
    const p = authorize(principal, 'book:import');
    const input = parseInput(ImportBookSchema, rawInput);
    const rows = await readRows(input.format, Buffer.from(input.contentBase64, 'base64'));
    if (rows.length > MAX_IMPORT_ROWS) {
      throw new ValidationFailedError('Too many rows', [
        {
          path: 'input.contentBase64',
          message: `has ${rows.length} rows; import at most ${MAX_IMPORT_ROWS} at once`,
        },
      ]);
    }
    const missing = input.mapping.filter((m) => rows.length > 0 && !(m.column in (rows[0] ?? {})));
    if (missing.length > 0) {
      throw new ValidationFailedError(
        'Unknown columns',
        missing.map((m) => ({ path: 'input.mapping', message: `column "${m.column}" is not in the file` })),
      );
    }
    const repeats = duplicatesWithinFile(input, rows);
    const columns = new Set(input.mapping.map((m) => m.column));
    return {
      p,
      input,
      rows: rows.map((row, i) => ({
        values: Object.fromEntries(Object.entries(row).filter(([column]) => columns.has(column))),
        repeats: repeats.get(i) ?? null,
      })),
    };
  }

  /**
   * Imports one prepared row (0-based `index`) through the same services as the API. Idempotent: a
   * row whose external id was imported before is a DUPLICATE and writes nothing.
   */
  async importBookRow(
    p: Principal,
    input: ImportBookInput,
    row: BookRow,
    index: number,
    refs: ImportRefs,
  ): Promise<BookRowResult> {
    const externalId = mapRow(input, row.values).externalId ?? null;
    if (row.repeats) {
      return {
        outcome: 'REJECTED',
        externalId,
        createdId: null,
        errors: [rowError(input, row.repeats.field, `repeats row ${row.repeats.row} of this file`)],
      };
    }
    const outcome =
      input.kind === 'CLIENTS'
        ? await this.importClient(p, input, row.values, index + 2, refs)
        : await this.importPolicy(p, input, row.values, index + 2, refs);
    if (outcome.kind === 'created')
      return { outcome: 'CREATED', externalId, createdId: outcome.id, errors: [] };
    if (outcome.kind === 'duplicate')
      return { outcome: 'DUPLICATE', externalId, createdId: null, errors: [] };
    return { outcome: 'REJECTED', externalId, createdId: null, errors: outcome.rejected.errors };
  }

  /** The tenant's users, insurers and product lines that rows name, read once per import (or job run). */
  async importReferences(p: Principal): Promise<ImportRefs> {
    const [users, insurers, productLines, tenant] = await Promise.all([
      this.org.listAllOrgEntities<User>(p.tenantId, OrgKind.User),
      this.org.listAllOrgEntities<Insurer>(p.tenantId, OrgKind.Insurer),
      this.org.listAllOrgEntities<ProductLine>(p.tenantId, OrgKind.ProductLine),
      this.org.getTenantSettings(p.tenantId),
    ]);
    return {
      usersByEmail: new Map(users.map((u) => [u.email.toLowerCase(), u])),
      insurersByName: new Map(insurers.map((i) => [i.name.trim().toLowerCase(), i])),
      productLines,
      baseCurrency: tenant?.baseCurrency ?? 'EUR',
    };
  }

  private async importClient(
    p: Principal,
    input: ImportBookInput,
    row: Row,
    rowNumber: number,
    refs: ImportRefs,
  ): Promise<Outcome> {
    const values = mapRow(input, row);
    const externalId = values.externalId ?? null;
    const reject = (errors: RowError[]): Outcome => ({
      kind: 'rejected',
      rejected: { row: rowNumber, externalId, errors },
    });
    if (!externalId) return reject([rowError(input, 'externalId', 'is required')]);
    if (await this.clients.ownerOfUnique(p.tenantId, 'CLIENT_EXTERNAL_ID', externalId))
      return { kind: 'duplicate' };
    const data: Record<string, unknown> = nest(values);
    const ownerEmail = values.ownerAdvisorEmail;
    delete data.ownerAdvisorEmail;
    if (ownerEmail) {
      const owner = refs.usersByEmail.get(ownerEmail.toLowerCase());
      if (!owner)
        return reject([
          rowError(input, 'ownerAdvisorEmail', 'is not the e-mail of a user of this brokerage'),
        ]);
      data.ownerAdvisorId = owner.id;
    }
    if (typeof data.tags === 'string')
      data.tags = data.tags
        .split(';')
        .map((t) => t.trim())
        .filter(Boolean);
    try {
      const client = await this.clients.createClient(p, data, { source: 'import' });
      return { kind: 'created', id: client.id };
    } catch (error) {
      if (error instanceof AlreadyExistsError && error.details?.field === 'externalId')
        return { kind: 'duplicate' };
      return reject(rowErrorsOf(input, error));
    }
  }

  private async importPolicy(
    p: Principal,
    input: ImportBookInput,
    row: Row,
    rowNumber: number,
    refs: ImportRefs,
  ): Promise<Outcome> {
    const v = mapRow(input, row);
    const externalId = v.externalId ?? null;
    const reject = (errors: RowError[]): Outcome => ({
      kind: 'rejected',
      rejected: { row: rowNumber, externalId, errors },
    });
    const errors: RowError[] = [];
    if (!externalId) errors.push(rowError(input, 'externalId', 'is required'));
    const clientId = v.clientExternalId
      ? await this.clients.ownerOfUnique(p.tenantId, 'CLIENT_EXTERNAL_ID', v.clientExternalId)
      : v.clientNationalId
        ? await this.clients.ownerOfUnique(p.tenantId, 'NATIONAL_ID', normaliseId(v.clientNationalId))
        : undefined;
    if (!clientId)
      errors.push(
        rowError(
          input,
          v.clientExternalId ? 'clientExternalId' : 'clientNationalId',
          'names no client of this brokerage',
        ),
      );
    const insurerId =
      v.insurerId ??
      (v.insurerName ? refs.insurersByName.get(v.insurerName.trim().toLowerCase())?.id : undefined);
    if (!insurerId)
      errors.push(
        rowError(input, v.insurerName ? 'insurerName' : 'insurerId', 'names no insurer of this brokerage'),
      );
    const productLine = refs.productLines.find(
      (l) =>
        l.id === v.productLineId ||
        (v.productLineCode !== undefined && l.code.toUpperCase() === v.productLineCode.trim().toUpperCase()),
    );
    if (!productLine)
      errors.push(
        rowError(
          input,
          v.productLineCode ? 'productLineCode' : 'productLineId',
          'names no product line of this brokerage',
        ),
      );
    let sellerId = v.sellerId;
    if (!sellerId && v.sellerEmail) {
      sellerId = refs.usersByEmail.get(v.sellerEmail.toLowerCase())?.id;
      if (!sellerId)
        errors.push(rowError(input, 'sellerEmail', 'is not the e-mail of a user of this brokerage'));
    }
    if (errors.length > 0 || !externalId || !insurerId || !productLine) return reject(errors);
    const existing = await this.policies.existingByExternalId(p.tenantId, insurerId, externalId);
    if (existing) return { kind: 'duplicate' };
    const data = {
      clientId,
      insurerId,
      productLineId: productLine.id,
      policyNumber: v.policyNumber,
      insuredObjects: insuredObjectsOf(productLine, v),
      premium: { amount: v['premium.amount'], currency: v['premium.currency'] ?? refs.baseCurrency },
      frequency: v.frequency,
      writtenDate: v.writtenDate,
      termStart: v.termStart,
      termEnd: v.termEnd,
      status: v.status,
      sellerId,
      externalId,
    };
    try {
      const policy = await this.policies.writePolicy(p, data, { source: 'IMPORT' });
      return { kind: 'created', id: policy.id };
    } catch (error) {
      // Another import of the same file won the race for this external id.
      if (error instanceof AlreadyExistsError && error.details?.field === 'externalId')
        return { kind: 'duplicate' };
      return reject(rowErrorsOf(input, error));
    }
  }
}

/** A data row of a book import: its mapped columns, and the earlier row whose unique value it repeats. */
export interface BookRow {
  values: Record<string, string>;
  repeats: { row: number; field: string } | null;
}

/** What one book row did; `errors` lists every reason of a REJECTED row. */
export interface BookRowResult {
  outcome: 'CREATED' | 'DUPLICATE' | 'REJECTED';
  externalId: string | null;
  createdId: string | null;
  errors: RowError[];
}

type Outcome =
  | { kind: 'created'; id: string }
  | { kind: 'duplicate' }
  | { kind: 'rejected'; rejected: RejectedRow };

/** Fields whose values must be unique, in the form the services compare them. */
const UNIQUE_IMPORT_FIELDS: Record<string, Array<{ field: string; normalise: (v: string) => string }>> = {
  CLIENTS: [
    { field: 'externalId', normalise: (v) => v },
    { field: 'nationalId', normalise: normaliseId },
    { field: 'taxId', normalise: normaliseId },
    { field: 'email', normalise: (v) => v.toLowerCase() },
  ],
  POLICIES: [{ field: 'externalId', normalise: (v) => v }],
};

/** For each row (by index) that repeats a unique value of an earlier row: that row and the field. */
function duplicatesWithinFile(
  input: ImportBookInput,
  rows: Row[],
): Map<number, { row: number; field: string }> {
  const repeats = new Map<number, { row: number; field: string }>();
  for (const { field, normalise } of UNIQUE_IMPORT_FIELDS[input.kind] ?? []) {
    const firstSeen = new Map<string, number>();
    rows.forEach((row, i) => {
      const value = mapRow(input, row)[field];
      if (!value || repeats.has(i)) return;
      const key = normalise(value);
      const first = firstSeen.get(key);
      if (first === undefined) firstSeen.set(key, i);
      else repeats.set(i, { row: first + 2, field });
    });
  }
  return repeats;
}

/** The row's values by our field names, blank cells left out. */
function mapRow(input: ImportBookInput, row: Row): Record<string, string> {
  const values: Record<string, string> = {};
  for (const m of input.mapping) {
    const value = row[m.column]?.trim();
    if (value) values[m.field] = value;
  }
  return values;
}

/** Turns dotted field names into nested objects (`address.city` → `{ address: { city } }`). */
function nest(values: Record<string, string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [path, value] of Object.entries(values)) {
    const parts = path.split('.');
    let target = out;
    for (const part of parts.slice(0, -1)) {
      target[part] = (target[part] as Record<string, unknown> | undefined) ?? {};
      target = target[part] as Record<string, unknown>;
    }
    target[parts.at(-1) as string] = value;
  }
  return out;
}

function insuredObjectsOf(productLine: ProductLine, v: Record<string, string>) {
  const kind = OBJECTS_BY_PRODUCT[productLine.code.toUpperCase()];
  const pick = (prefix: string) =>
    Object.fromEntries(
      Object.entries(v)
        .filter(([k]) => k.startsWith(`${prefix}.`))
        .map(([k, value]) => [k.slice(prefix.length + 1), value]),
    );
  if (kind === 'VEHICLE') return [{ kind, attributes: pick('vehicle') }];
  if (kind === 'PROPERTY') return [{ kind, attributes: pick('property') }];
  if (kind === 'PERSON' || kind === 'TRAVELLER') return [{ kind, attributes: pick('person') }];
  return v['object.description']
    ? [{ kind: 'OTHER', description: v['object.description'], attributes: {} }]
    : [];
}

function rowError(input: ImportBookInput, field: string, message: string): RowError {
  return { column: input.mapping.find((m) => m.field === field)?.column ?? null, field, message };
}

/** A service refusal as row errors, each naming the column the user can fix. */
function rowErrorsOf(input: ImportBookInput, error: unknown): RowError[] {
  if (error instanceof ValidationFailedError) {
    return error.fieldErrors.map((f) => {
      const field = importFieldOf(f.path);
      return rowError(input, field, f.message);
    });
  }
  if (error instanceof AlreadyExistsError) {
    const field = String(error.details?.field ?? '');
    return [rowError(input, field, `is already used by another record (${error.message})`)];
  }
  if (isDomainError(error)) return [{ column: null, field: null, message: error.message }];
  throw error;
}

/** Maps a service field path (`input.insuredObjects.0.attributes.vin`) back to an import field. */
function importFieldOf(path: string): string {
  const field = path.replace(/^input\./, '');
  const vehicle = /^insuredObjects\.\d+\.attributes\.(.+)$/.exec(field);
  if (vehicle) return `vehicle.${vehicle[1]}`;
  if (field === 'premium.amount' || field === 'premium.currency') return field;
  if (field.startsWith('premium')) return 'premium.amount';
  return field.replace(/^ownerAdvisorId$/, 'ownerAdvisorEmail');
}
