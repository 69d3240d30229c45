import { createHash } from 'node:crypto';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import {
  AlreadyExistsError,
  isDomainError,
  RuleViolationError,
  ValidationFailedError,
} from '../../shared/errors.js';
import { type Row, readRows } from '../../shared/tabular-file.js';
import { parseInput } from '../../shared/validation.js';
import { type Campaign, memberOf } from './campaigns.model.js';
import type { CampaignsRepository } from './campaigns.repository.js';
import type { CampaignsService } from './campaigns.service.js';
import type {
  CampaignClient,
  CampaignClients,
  CampaignOrg,
  CampaignProspects,
  ProspectMatchField,
} from './ports.js';
import {
  type ImportCampaignProspectsInput,
  ImportCampaignProspectsInputSchema,
  MAX_PROSPECT_ROWS,
  PROSPECT_FIELDS,
  type ProspectField,
  type ProspectFieldError,
  type ProspectImportReport,
} from './prospects.model.js';

/** Lines imported at once: enough to keep DynamoDB busy, few enough to stay polite to its throughput. */
const CONCURRENCY = 4;

type Mapping = Array<{ column: string; field: ProspectField }>;
type LineOutcome =
  | { kind: 'matched' | 'created'; client: CampaignClient }
  | { kind: 'rejected'; errors: ProspectFieldError[] };

/**
 * A DRAFT campaign's members from an imported prospect list (CSV or XLSX, read by the book reader).
 * Each line names an existing client, matched by national id, tax id, then e-mail, or becomes a new
 * POTENTIAL client with the import's lead source; either way the client joins the members. A new
 * client carries the line's reference (`prospects:<file hash>:<line>`) as its external id, so
 * importing the same file again matches every line it created before and creates no second client.
 */
export class ProspectImportService {
  constructor(
    private readonly campaigns: CampaignsService,
    private readonly repo: CampaignsRepository,
    private readonly prospects: CampaignProspects,
    private readonly clients: CampaignClients,
    private readonly org: CampaignOrg,
    private readonly clock: Clock,
  ) {}

  async importProspects(principal: Principal | null, rawInput: unknown): Promise<ProspectImportReport> {
    const p = this.campaigns.manager(principal, 'A campaign');
    const input = parseInput(ImportCampaignProspectsInputSchema, rawInput);
    let campaign = await this.campaigns.requireCampaign(p, input.campaignId);
    if (campaign.status !== 'DRAFT')
      throw new RuleViolationError('Prospects are imported into a DRAFT campaign: a started one is frozen');
    const ownerAdvisorId = await this.ownerOf(p, input, campaign);
    const content = Buffer.from(input.contentBase64, 'base64');
    const rows = await readRows(input.format, content);
    if (rows.length > MAX_PROSPECT_ROWS)
      throw new ValidationFailedError('Too many rows', [
        {
          path: 'input.contentBase64',
          message: `has ${rows.length} rows; import at most ${MAX_PROSPECT_ROWS} at once`,
        },
      ]);
    const mapping = mappingOf(input, rows[0]);
    if (campaign.targetSource !== 'PROSPECT_LIST') {
      await this.repo.transact([
        this.repo.updateCampaignOp(p.tenantId, campaign, {
          targetSource: 'PROSPECT_LIST',
          updatedAt: this.clock.now().toISOString(),
        }),
      ]);
      campaign = { ...campaign, targetSource: 'PROSPECT_LIST', version: campaign.version + 1 };
    }
    const fileRef = createHash('sha256').update(content).digest('hex').slice(0, 16);
    const outcomes = new Array<LineOutcome>(rows.length);
    let next = 0;
    const worker = async () => {
      while (next < rows.length) {
        const i = next++;
        const line = i + 2;
        const values = valuesOf(mapping, rows[i] as Row);
        outcomes[i] = await this.importLine(
          p,
          input,
          mapping,
          values,
          `prospects:${fileRef}:${line}`,
          ownerAdvisorId,
        );
        const outcome = outcomes[i] as LineOutcome;
        if (outcome.kind !== 'rejected')
          await this.repo.addProspectMember(p.tenantId, memberOf(campaign.id, outcome.client));
      }
    };
    await Promise.all(Array.from({ length: Math.min(CONCURRENCY, rows.length) }, worker));
    const report: ProspectImportReport = {
      total: rows.length,
      matched: 0,
      created: 0,
      rejected: 0,
      rejectedLines: [],
    };
    outcomes.forEach((outcome, i) => {
      if (outcome.kind === 'rejected') {
        report.rejected += 1;
        report.rejectedLines.push({ line: i + 2, errors: outcome.errors });
      } else report[outcome.kind] += 1;
    });
    return report;
  }

  /** The owner of new prospects: the one given, else the campaign's owner; an active user who takes clients. */
  private async ownerOf(
    p: Principal,
    input: ImportCampaignProspectsInput,
    campaign: Campaign,
  ): Promise<string> {
    if (!(await this.org.leadSourceExists(p.tenantId, input.leadSourceId)))
      throw new ValidationFailedError('Unknown lead source', [
        { path: 'input.leadSourceId', message: 'is not a lead source of the brokerage' },
      ]);
    const ownerId = input.ownerAdvisorId ?? campaign.ownerId;
    const owner = await this.org.getUser(p.tenantId, ownerId);
    if (!owner?.active || !owner.takesClients)
      throw new ValidationFailedError('The prospects need an owner', [
        {
          path: 'input.ownerAdvisorId',
          message: input.ownerAdvisorId
            ? 'must be an active user who takes clients'
            : "is required: the campaign's owner takes no clients",
        },
      ]);
    return ownerId;
  }

  private async importLine(
    p: Principal,
    input: ImportCampaignProspectsInput,
    mapping: Mapping,
    values: Partial<Record<ProspectField, string>>,
    ref: string,
    ownerAdvisorId: string,
  ): Promise<LineOutcome> {
    const existing = await this.match(p.tenantId, values, ref);
    if (existing) return { kind: 'matched', client: existing };
    try {
      const client = await this.prospects.createClient(p, {
        ...clientInputOf(values),
        acquisitionType: 'OWN_PROMOTION',
        leadSourceId: input.leadSourceId,
        ownerAdvisorId,
        status: 'POTENTIAL',
        externalId: ref,
      });
      return { kind: 'created', client };
    } catch (error) {
      // Another line (or import) claimed the same national id, tax id or e-mail a moment ago.
      if (error instanceof AlreadyExistsError) {
        const raced = await this.match(p.tenantId, values, ref);
        if (raced) return { kind: 'matched', client: raced };
      }
      return { kind: 'rejected', errors: lineErrorsOf(mapping, error) };
    }
  }

  /** The existing client of a line: this file's line imported before, then national id, tax id, e-mail. */
  private async match(
    tenantId: string,
    values: Partial<Record<ProspectField, string>>,
    ref: string,
  ): Promise<CampaignClient | undefined> {
    const tries: Array<[ProspectMatchField, string | undefined]> = [
      ['CLIENT_EXTERNAL_ID', ref],
      ['NATIONAL_ID', values.nationalId],
      ['TAX_ID', values.taxId],
      ['CLIENT_EMAIL', values.email],
    ];
    for (const [field, value] of tries) {
      if (!value) continue;
      const id = await this.prospects.clientHolding(tenantId, field, value);
      if (id) return (await this.clients.getClients(tenantId, [id]))[0];
    }
    return undefined;
  }
}

/** The mapping given, or every column named like a prospect field (case-insensitive). */
function mappingOf(input: ImportCampaignProspectsInput, first: Row | undefined): Mapping {
  const columns = Object.keys(first ?? {});
  if (input.mapping) {
    const missing = input.mapping.filter((m) => first && !columns.includes(m.column));
    if (missing.length > 0)
      throw new ValidationFailedError(
        'Unknown columns',
        missing.map((m) => ({ path: 'input.mapping', message: `column "${m.column}" is not in the file` })),
      );
    return input.mapping;
  }
  const byName = new Map(PROSPECT_FIELDS.map((f) => [f.toLowerCase(), f]));
  const mapping = columns.flatMap((column) => {
    const field = byName.get(column.trim().toLowerCase());
    return field ? [{ column, field }] : [];
  });
  if (first && mapping.length === 0)
    throw new ValidationFailedError('No column names a prospect field', [
      { path: 'input.mapping', message: `is needed: no column is named ${PROSPECT_FIELDS.join(', ')}` },
    ]);
  return mapping;
}

/** A line's values by field, blank cells left out. */
function valuesOf(mapping: Mapping, row: Row): Partial<Record<ProspectField, string>> {
  const values: Partial<Record<ProspectField, string>> = {};
  for (const m of mapping) {
    const value = row[m.column]?.trim();
    if (value) values[m.field] = value;
  }
  return values;
}

/** The clients module's create input from a line: a company when it names one and no last name. */
function clientInputOf(v: Partial<Record<ProspectField, string>>): Record<string, unknown> {
  const kind = v.kind?.toUpperCase() ?? (v.companyName && !v.lastName ? 'COMPANY' : 'PERSON');
  const address =
    v['address.street'] || v['address.city'] || v['address.postalCode'] || v['address.country']
      ? {
          street: v['address.street'],
          city: v['address.city'],
          postalCode: v['address.postalCode'],
          country: v['address.country'],
        }
      : undefined;
  return {
    kind,
    firstName: v.firstName,
    lastName: v.lastName,
    companyName: v.companyName,
    birthDate: v.birthDate,
    nationalId: v.nationalId,
    taxId: v.taxId,
    email: v.email,
    phone: v.phone,
    address,
    segment: v.segment?.toUpperCase() ?? (kind === 'COMPANY' ? 'BUSINESS' : 'INDIVIDUAL'),
    tags: v.tags
      ?.split(';')
      .map((t) => t.trim())
      .filter(Boolean),
  };
}

/** A refusal of the clients module as a line's field errors, each with the column to fix. */
function lineErrorsOf(mapping: Mapping, error: unknown): ProspectFieldError[] {
  const columnOf = (path: string) => mapping.find((m) => m.field === path)?.column ?? null;
  if (error instanceof ValidationFailedError)
    return error.fieldErrors.map((f) => {
      const path = f.path.replace(/^input\./, '');
      return { path, column: columnOf(path), message: f.message };
    });
  if (isDomainError(error)) return [{ path: null, column: null, message: error.message }];
  throw error;
}
