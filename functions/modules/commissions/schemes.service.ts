import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import { NotFoundError, ValidationFailedError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { OrgKind } from '../../shared/table-design.js';
import { parseInput } from '../../shared/validation.js';
import type { CommissionOrgDirectory } from './commission-lookups.js';
import {
  AddSchemeVersionSchema,
  CreateSchemeSchema,
  EditSchemeVersionSchema,
  type SchemeChange,
  type SchemeChangeAction,
  type StoredScheme,
} from './commissions.model.js';
import { type SchemeVersion, schemeIssues } from './engine/index.js';
import { overlapErrors } from './scheme-overlaps.js';
import type { SchemesRepository } from './schemes.repository.js';

/**
 * Commission schemes as data: a sales manager creates them and adds or edits effective-dated
 * versions; each change is logged with its author, and every id a rule names must exist.
 */
export class SchemesService {
  constructor(
    private readonly repo: SchemesRepository,
    private readonly org: CommissionOrgDirectory,
    private readonly clock: Clock,
  ) {}

  private now(): string {
    return this.clock.now().toISOString();
  }

  async list(principal: Principal | null): Promise<StoredScheme[]> {
    const p = authorize(principal, 'commissions:schemes:read');
    return this.repo.listSchemes(p.tenantId);
  }

  async get(principal: Principal | null, id: string): Promise<StoredScheme | null> {
    const p = authorize(principal, 'commissions:schemes:read');
    return (await this.repo.getScheme(p.tenantId, id)) ?? null;
  }

  async changes(principal: Principal | null, schemeId: string): Promise<SchemeChange[]> {
    const p = authorize(principal, 'commissions:schemes:read');
    return this.repo.listSchemeChanges(p.tenantId, schemeId);
  }

  /** Creates a scheme with its first versions (numbered 1, 2…); each version is one change entry. */
  async create(principal: Principal | null, input: unknown): Promise<StoredScheme> {
    const p = authorize(principal, 'commissions:configure');
    const parsed = parseInput(CreateSchemeSchema, input);
    const versions = parsed.versions.map((v, i) => ({ ...v, version: i + 1 }));
    this.assertValid({ versions });
    await this.assertReferencesExist(p.tenantId, versions, (i) => `input.versions.${i}`);
    await this.assertNoOverlap(
      p.tenantId,
      { id: null, currency: parsed.currency },
      versions,
      (i) => `input.versions.${i}`,
    );
    const at = this.now();
    const scheme: StoredScheme = {
      id: newId(),
      name: parsed.name,
      currency: parsed.currency,
      versions,
      version: 1,
      createdBy: p.userId,
      createdAt: at,
      updatedBy: p.userId,
      updatedAt: at,
    };
    await this.repo.insertScheme(p.tenantId, scheme, [
      this.change(scheme.id, 'CREATED', null, p, at),
      ...versions.map((v) => this.change(scheme.id, 'VERSION_ADDED', v, p, at)),
    ]);
    return scheme;
  }

  async addVersion(principal: Principal | null, input: unknown): Promise<StoredScheme> {
    const p = authorize(principal, 'commissions:configure');
    const parsed = parseInput(AddSchemeVersionSchema, input);
    const current = await this.requireScheme(p.tenantId, parsed.schemeId);
    const number = Math.max(0, ...current.versions.map((v) => v.version)) + 1;
    const added: SchemeVersion = { ...parsed.version, version: number };
    await this.assertReferencesExist(p.tenantId, [added], () => 'input.version');
    await this.assertNoOverlap(p.tenantId, current, [added], () => 'input.version');
    return this.saveVersions(
      p,
      current,
      parsed.expectedVersion,
      [...current.versions, added],
      'VERSION_ADDED',
      added,
    );
  }

  async editVersion(principal: Principal | null, input: unknown): Promise<StoredScheme> {
    const p = authorize(principal, 'commissions:configure');
    const parsed = parseInput(EditSchemeVersionSchema, input);
    const current = await this.requireScheme(p.tenantId, parsed.schemeId);
    if (!current.versions.some((v) => v.version === parsed.schemeVersion)) {
      throw new NotFoundError('CommissionSchemeVersion', `${parsed.schemeId} v${parsed.schemeVersion}`);
    }
    const edited: SchemeVersion = { ...parsed.version, version: parsed.schemeVersion };
    await this.assertReferencesExist(p.tenantId, [edited], () => 'input.version');
    await this.assertNoOverlap(p.tenantId, current, [edited], () => 'input.version');
    const versions = current.versions.map((v) => (v.version === parsed.schemeVersion ? edited : v));
    return this.saveVersions(p, current, parsed.expectedVersion, versions, 'VERSION_EDITED', edited);
  }

  private async saveVersions(
    p: Principal,
    current: StoredScheme,
    expectedVersion: number,
    versions: SchemeVersion[],
    action: SchemeChangeAction,
    changed: SchemeVersion,
  ): Promise<StoredScheme> {
    this.assertValid({ versions });
    const at = this.now();
    const next: StoredScheme = { ...current, versions, updatedBy: p.userId, updatedAt: at };
    await this.repo.replaceScheme(
      p.tenantId,
      next,
      expectedVersion,
      this.change(current.id, action, changed, p, at),
    );
    return { ...next, version: expectedVersion + 1 };
  }

  private change(
    schemeId: string,
    action: SchemeChangeAction,
    snapshot: SchemeVersion | null,
    p: Principal,
    at: string,
  ): SchemeChange {
    return {
      id: newId(),
      schemeId,
      action,
      schemeVersion: snapshot?.version ?? null,
      snapshot,
      by: p.userId,
      at,
    };
  }

  /**
   * Every id a rule's match names must exist in the caller's tenant: a typo or another tenant's id
   * would make the rule silently match nothing. Product lines may be named by id or by code.
   * `prefix` is where the versions sit in the input (`input.versions` or `input.version`).
   */
  private async assertReferencesExist(
    tenantId: string,
    versions: Array<Pick<SchemeVersion, 'rules' | 'appliesTo' | 'promotions'>>,
    pathOf: (versionIndex: number) => string,
  ): Promise<void> {
    const kinds = {
      insurerIds: OrgKind.Insurer,
      leadSourceIds: OrgKind.LeadSource,
      rateGroupIds: OrgKind.RateGroup,
      recipientUserId: OrgKind.User,
      partnerId: OrgKind.Partner,
    } as const;
    const named: Array<{ path: string; kind: OrgKind; id: string }> = [];
    const productLines: Array<{ path: string; ref: string }> = [];
    versions.forEach((v, vi) => {
      const scope = `${pathOf(vi)}.appliesTo`;
      (v.appliesTo?.insurerIds ?? []).forEach((id, i) => {
        named.push({ path: `${scope}.insurerIds.${i}`, kind: OrgKind.Insurer, id });
      });
      (v.appliesTo?.branchIds ?? []).forEach((id, i) => {
        named.push({ path: `${scope}.branchIds.${i}`, kind: OrgKind.Branch, id });
      });
      (v.appliesTo?.productLines ?? []).forEach((ref, i) => {
        productLines.push({ path: `${scope}.productLines.${i}`, ref });
      });
      (v.promotions ?? []).forEach((r, ri) => {
        for (const field of ['fromRateGroupId', 'toRateGroupId'] as const)
          named.push({
            path: `${pathOf(vi)}.promotions.${ri}.${field}`,
            kind: OrgKind.RateGroup,
            id: r[field],
          });
      });
      v.rules.forEach((rule, ri) => {
        const at = `${pathOf(vi)}.rules.${ri}.match`;
        for (const [field, kind] of Object.entries(kinds)) {
          const value = rule.match[field as keyof typeof kinds];
          const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
          list.forEach((id, i) => {
            named.push({ path: Array.isArray(value) ? `${at}.${field}.${i}` : `${at}.${field}`, kind, id });
          });
        }
        (rule.match.productLines ?? []).forEach((ref, i) => {
          productLines.push({ path: `${at}.productLines.${i}`, ref });
        });
      });
    });
    if (named.length === 0 && productLines.length === 0) return;
    const found = await this.org.existingRefs(tenantId, named);
    const lines = productLines.length > 0 ? await this.org.productLines(tenantId) : [];
    const known = new Set(lines.flatMap((l) => [l.id, l.code]));
    const fieldErrors = [
      ...named
        .filter((r) => !found.has(`${r.kind}:${r.id}`))
        .map((r) => ({
          path: r.path,
          message: `names no ${r.kind.toLowerCase().replace('_', ' ')} of this brokerage`,
        })),
      ...productLines
        .filter((r) => !known.has(r.ref))
        .map((r) => ({ path: r.path, message: 'names no product line (id or code) of this brokerage' })),
    ];
    if (fieldErrors.length > 0) {
      throw new ValidationFailedError(
        `Invalid input: ${fieldErrors[0]?.path} ${fieldErrors[0]?.message}`,
        fieldErrors,
      );
    }
  }

  /** Refuses versions limited to insurers, product lines or branches that overlap another scheme's. */
  private async assertNoOverlap(
    tenantId: string,
    scheme: { id: string | null; currency: string },
    versions: SchemeVersion[],
    pathOf: (versionIndex: number) => string,
  ): Promise<void> {
    const others = await this.repo.listSchemes(tenantId);
    const limited =
      versions.some((v) => v.appliesTo) || others.some((o) => o.versions.some((v) => v.appliesTo));
    if (!limited) return;
    const lines = await this.org.productLines(tenantId);
    const idOf = new Map(lines.flatMap((l) => [[l.id, l.id] as const, [l.code, l.id] as const]));
    const fieldErrors = overlapErrors(scheme, versions, others, (ref) => idOf.get(ref) ?? ref, pathOf);
    if (fieldErrors.length > 0) {
      throw new ValidationFailedError(
        `Invalid input: ${fieldErrors[0]?.path} ${fieldErrors[0]?.message}`,
        fieldErrors,
      );
    }
  }

  /** The engine's cross-version checks with field paths as the client sent them (`input.versions.1.validFrom`). */
  private assertValid(scheme: { versions: SchemeVersion[] }): void {
    const issues = schemeIssues(scheme);
    if (issues.length === 0) return;
    const fieldErrors = issues.map((i) => ({ path: ['input', ...i.path].join('.'), message: i.message }));
    throw new ValidationFailedError(
      `Invalid input: ${fieldErrors[0]?.path} ${fieldErrors[0]?.message}`,
      fieldErrors,
    );
  }

  private async requireScheme(tenantId: string, id: string): Promise<StoredScheme> {
    const found = await this.repo.getScheme(tenantId, id);
    if (!found) throw new NotFoundError('CommissionScheme', id);
    return found;
  }
}
