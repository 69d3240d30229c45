import {
  assertTenantWide,
  authorize,
  canReach,
  canReadCommissionsOf,
  may,
  policyReach,
  readsOwnCommissionsOnly,
} from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { TableChangeDetail } from '../../shared/change-event.js';
import { type Clock, isoDateInZone } from '../../shared/clock.js';
import type { Page, TransactOp } from '../../shared/db.js';
import {
  ForbiddenError,
  NotFoundError,
  RuleViolationError,
  ValidationFailedError,
} from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { AmountSchema, fitsCurrencyScale, scaleMessage } from '../../shared/input.js';
import { readOnce } from '../../shared/memoized-reads.js';
import { Dec, type Money, money } from '../../shared/money.js';
import { keepInPage } from '../../shared/pagination.js';
import { EntityType, OrgKind } from '../../shared/table-design.js';
import { parseInput } from '../../shared/validation.js';
import { readRows } from '../book-files/book-files.service.js';
import type { Client } from '../clients/clients.model.js';
import type { ClientsRepository } from '../clients/clients.repository.js';
import type { Payment } from '../invoices/invoices.model.js';
import type { Branch, User } from '../org/org.model.js';
import type { OrgRepository } from '../org/org.repository.js';
import type { Policy } from '../policies/policies.model.js';
import type { PoliciesRepository } from '../policies/policies.repository.js';
import { classifyPolicyChange, paymentEventId, policyFacts, toEngineEvent } from './commission-events.js';
import {
  AccrualQuerySchema,
  AddSchemeVersionSchema,
  AdjustLineSchema,
  type CommissionDispute,
  type CommissionPeriod,
  CreateSchemeSchema,
  DisputeLineSchema,
  EditSchemeVersionSchema,
  ImportStatementSchema,
  LineFilterSchema,
  nextPeriod,
  PeriodActionSchema,
  PeriodSchema,
  type ReconciliationRow,
  ResolveDisputeSchema,
  recipientKey,
  type SchemeChange,
  type SchemeChangeAction,
  SimulateSchema,
  type StoredAccrual,
  type StoredLine,
  type StoredScheme,
  statementNumberKey,
} from './commissions.model.js';
import {
  type CommissionsRepository,
  fromMinor,
  LineAlreadyWrittenError,
  PeriodLockedError,
} from './commissions.repository.js';
import {
  BROKERAGE_ID,
  type CommissionEvent,
  type CommissionLine,
  computeCommissionLines,
  lineId,
  type PeriodTotal,
  type Recipient,
  type Scheme,
  type SchemeVersion,
  schemeIssues,
} from './engine/index.js';

type PageRequest = { limit: number; cursor: string | null };

/** A recipient's month as the API shows it: exact Money from integer minor units. */
export interface Accrual {
  recipient: Recipient;
  period: string;
  accrued: Money;
  clawedBack: Money;
  adjusted: Money;
  /** accrued + clawed back + adjusted. */
  total: Money;
  approved: Money | null;
  paid: Money | null;
  lineCount: number;
}

/** A line as the API shows it: with the period's status deciding whether it is approved. */
export interface LineView extends StoredLine {
  approvedAmount: string | null;
}

/** What the stream consumer did with one change, for logs and tests. */
export interface ChangeOutcome {
  eventId: string | null;
  written: number;
  duplicates: number;
}

const MAX_PERIOD_RETRIES = 3;

/**
 * What the records of one stream batch share: each tenant's schemes, read once per batch rather
 * than once per record. A batch is a few seconds of changes; an edit to a scheme during it applies
 * from the next batch, as if the edit had come a moment later.
 */
export class ChangeBatch {
  private readonly schemesOf = new Map<string, Promise<StoredScheme[]>>();

  schemes(tenantId: string, read: () => Promise<StoredScheme[]>): Promise<StoredScheme[]> {
    return readOnce(this.schemesOf, tenantId, read);
  }
}

/** The policy facts a line carries for statement matching. */
interface PolicyRef {
  insurerId: string | null;
  policyNumber: string | null;
}

const refOf = (line: StoredLine): PolicyRef => ({
  insurerId: line.insurerId ?? null,
  policyNumber: line.policyNumber ?? null,
});

/** An engine event with the date its lines land by and the policy it is about. */
interface BuiltEvent {
  event: CommissionEvent;
  date: string;
  policy: Policy;
}

function toAccrual(a: StoredAccrual): Accrual {
  const m = (minor: number | undefined) => ({
    amount: fromMinor(minor ?? 0, a.currency),
    currency: a.currency,
  });
  return {
    recipient: a.recipient,
    period: a.period,
    accrued: m(a.accruedMinor),
    clawedBack: m(a.clawedBackMinor),
    adjusted: m(a.adjustedMinor),
    total: m((a.accruedMinor ?? 0) + (a.clawedBackMinor ?? 0) + (a.adjustedMinor ?? 0)),
    approved: a.approvedMinor === undefined ? null : m(a.approvedMinor),
    paid: a.paidMinor === undefined ? null : m(a.paidMinor),
    lineCount: a.lineCount ?? 0,
  };
}

/** The engine's scheme inside a stored one (the engine ignores the bookkeeping fields). */
function engineSchemes(stored: StoredScheme[]): Scheme[] {
  return stored;
}

/**
 * The commission ledger: schemes as data, the stream consumer that turns policy and payment writes
 * into ledger lines and accruals, reads scoped to the caller, periods, corrections and disputes,
 * and what-if simulation. The arithmetic is the engine's; this service decides what to feed it,
 * where its lines land and who may see them.
 */
export class CommissionsService {
  constructor(
    private readonly repo: CommissionsRepository,
    private readonly policies: PoliciesRepository,
    private readonly clients: ClientsRepository,
    private readonly org: OrgRepository,
    private readonly clock: Clock,
    private readonly freeze: (
      tenantId: string,
      sellerId: string,
      date: string,
      path: string,
    ) => Promise<{ branch: Branch; hierarchy: Policy['hierarchy'] }>,
  ) {}

  private now(): string {
    return this.clock.now().toISOString();
  }

  /** Today in the tenant's time zone: periods are calendar months there. */
  private async today(tenantId: string): Promise<string> {
    const settings = await this.org.getTenantSettings(tenantId);
    return isoDateInZone(this.clock.now(), settings?.timeZone ?? 'UTC');
  }

  // ---- schemes ------------------------------------------------------------------------------

  async schemes(principal: Principal | null): Promise<StoredScheme[]> {
    const p = authorize(principal, 'commissions:schemes:read');
    return this.repo.listSchemes(p.tenantId);
  }

  async scheme(principal: Principal | null, id: string): Promise<StoredScheme | null> {
    const p = authorize(principal, 'commissions:schemes:read');
    return (await this.repo.getScheme(p.tenantId, id)) ?? null;
  }

  async schemeChanges(principal: Principal | null, schemeId: string): Promise<SchemeChange[]> {
    const p = authorize(principal, 'commissions:schemes:read');
    return this.repo.listSchemeChanges(p.tenantId, schemeId);
  }

  /** Creates a scheme with its first versions (numbered 1, 2…); each version is one change entry. */
  async createScheme(principal: Principal | null, input: unknown): Promise<StoredScheme> {
    const p = authorize(principal, 'commissions:configure');
    const parsed = parseInput(CreateSchemeSchema, input);
    const versions = parsed.versions.map((v, i) => ({ ...v, version: i + 1 }));
    this.assertValid({ versions });
    await this.assertReferencesExist(p.tenantId, versions, (i) => `input.versions.${i}`);
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

  async addSchemeVersion(principal: Principal | null, input: unknown): Promise<StoredScheme> {
    const p = authorize(principal, 'commissions:configure');
    const parsed = parseInput(AddSchemeVersionSchema, input);
    const current = await this.requireScheme(p.tenantId, parsed.schemeId);
    const number = Math.max(0, ...current.versions.map((v) => v.version)) + 1;
    const added: SchemeVersion = { ...parsed.version, version: number };
    await this.assertReferencesExist(p.tenantId, [added], () => 'input.version');
    return this.saveVersions(
      p,
      current,
      parsed.expectedVersion,
      [...current.versions, added],
      'VERSION_ADDED',
      added,
    );
  }

  async editSchemeVersion(principal: Principal | null, input: unknown): Promise<StoredScheme> {
    const p = authorize(principal, 'commissions:configure');
    const parsed = parseInput(EditSchemeVersionSchema, input);
    const current = await this.requireScheme(p.tenantId, parsed.schemeId);
    if (!current.versions.some((v) => v.version === parsed.schemeVersion)) {
      throw new NotFoundError('CommissionSchemeVersion', `${parsed.schemeId} v${parsed.schemeVersion}`);
    }
    const edited: SchemeVersion = { ...parsed.version, version: parsed.schemeVersion };
    await this.assertReferencesExist(p.tenantId, [edited], () => 'input.version');
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
    versions: Array<{ rules: SchemeVersion['rules'] }>,
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
    const found = await this.org.getOrgEntitiesByRef(tenantId, named);
    const lines =
      productLines.length > 0
        ? await this.org.listAllOrgEntities<{ id: string; code: string }>(tenantId, OrgKind.ProductLine)
        : [];
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

  // ---- the stream consumer --------------------------------------------------------------------

  /**
   * Handles one table change (Policy or Payment). Derives the engine event, computes the lines and
   * appends each with its accrual in one transaction on an absent id: a replay finds every id taken
   * and changes nothing.
   */
  async onChange(detail: TableChangeDetail, batch: ChangeBatch = new ChangeBatch()): Promise<ChangeOutcome> {
    const tenantId = detail.tenantId;
    if (!tenantId || !detail.newImage) return { eventId: null, written: 0, duplicates: 0 };
    const built =
      detail.entityType === EntityType.Payment
        ? await this.paymentEvent(tenantId, detail.newImage as unknown as Payment, detail.eventName)
        : detail.entityType === EntityType.Policy
          ? await this.policyEvent(
              tenantId,
              detail.oldImage as unknown as Policy | undefined,
              detail.newImage as unknown as Policy,
            )
          : null;
    if (!built) return { eventId: null, written: 0, duplicates: 0 };
    const schemes = engineSchemes(await batch.schemes(tenantId, () => this.repo.listSchemes(tenantId)));
    const periods = await this.repo.listPeriods(tenantId);
    const periodTotals = await this.periodTotals(
      tenantId,
      built.event,
      schemes,
      this.firstOpen(built.date.slice(0, 7), periods),
    );
    const lines = computeCommissionLines({ event: built.event, schemes, periodTotals });
    const outcome = await this.appendAll(tenantId, lines, built.date, {
      adjustment: null,
      ref: { insurerId: built.policy.insurerId, policyNumber: built.policy.policyNumber },
      periods,
    });
    return { eventId: built.event.eventId, ...outcome };
  }

  /**
   * The open period's standings of the recipients a PERIOD_TOTAL rule could pay for this event (the
   * brokerage, the seller, the referring partner), read only when some scheme has such a rule.
   */
  private async periodTotals(
    tenantId: string,
    event: CommissionEvent,
    schemes: Scheme[],
    period: string,
  ): Promise<PeriodTotal[]> {
    const usesPeriodTotals = schemes.some((s) =>
      s.versions.some((v) =>
        v.rules.some((r) => r.computation.type === 'TIERED' && r.computation.table.volume === 'PERIOD_TOTAL'),
      ),
    );
    if (!usesPeriodTotals) return [];
    const policy = event.policy;
    const seller = policy.hierarchy.find((h) => h.level === 0)?.userId ?? policy.sellerId;
    const recipients: Recipient[] = [
      { kind: 'BROKERAGE', id: BROKERAGE_ID },
      { kind: 'USER', id: seller },
      ...(policy.referringPartnerId ? [{ kind: 'PARTNER' as const, id: policy.referringPartnerId }] : []),
    ];
    const totals: PeriodTotal[] = [];
    for (const recipient of recipients) {
      for (const t of await this.repo.getRuleTotals(tenantId, recipientKey(recipient), period)) {
        totals.push({
          schemeId: t.schemeId,
          ruleId: t.ruleId,
          recipient,
          volume: fromMinor(t.volumeMinor ?? 0, t.currency),
          earned: fromMinor(t.earnedMinor ?? 0, t.currency),
        });
      }
    }
    return totals;
  }

  private async policyEvent(
    tenantId: string,
    old: Policy | undefined,
    now: Policy,
  ): Promise<BuiltEvent | null> {
    const change = classifyPolicyChange(old, now);
    if (!change) return null;
    const client = await this.clients.getClient(tenantId, now.clientId);
    const needsLines = change.type === 'CANCELLED' || change.type === 'REACTIVATED';
    const lines = needsLines ? await this.repo.listLinesOfPolicy(tenantId, now.id) : [];
    return {
      event: toEngineEvent(change, policyFacts(now, client ?? null), lines),
      date: change.date,
      policy: now,
    };
  }

  private async paymentEvent(
    tenantId: string,
    payment: Payment,
    eventName: string,
  ): Promise<BuiltEvent | null> {
    if (eventName !== 'INSERT' || !payment.policyId) return null;
    const policy = await this.policies.getPolicy(tenantId, payment.policyId);
    if (!policy || policy.premium.currency !== payment.applied.currency) return null;
    const client = await this.clients.getClient(tenantId, policy.clientId);
    return {
      event: {
        type: 'PAYMENT_RECEIVED',
        eventId: paymentEventId(payment),
        policy: policyFacts(policy, client ?? null),
        amount: payment.applied.amount,
        paidDate: payment.paidDate,
      },
      date: payment.paidDate,
      policy,
    };
  }

  /** The first month from `period` on that is not locked. */
  private firstOpen(period: string, periods: CommissionPeriod[]): string {
    const locked = new Set(periods.filter((x) => x.status !== 'OPEN').map((x) => x.period));
    let candidate = period;
    while (locked.has(candidate)) candidate = nextPeriod(candidate);
    return candidate;
  }

  /**
   * Appends lines in the month of `date`, or the next open month when that one is locked. A line
   * whose period is approved while it is being written is retried in the next open month.
   */
  private async appendAll(
    tenantId: string,
    lines: CommissionLine[],
    date: string,
    options: {
      adjustment: { reason: string; by: string } | null;
      ref: PolicyRef;
      extra?: TransactOp[];
      /** The periods as the caller just read them (a locked month is re-read on conflict anyway). */
      periods?: CommissionPeriod[];
    },
  ): Promise<{ written: number; duplicates: number }> {
    let written = 0;
    let duplicates = 0;
    if (lines.length === 0) return { written, duplicates };
    let periods = options.periods ?? (await this.repo.listPeriods(tenantId));
    if (lines.length > 1 && !options.extra) {
      // The usual case, a new event: all its lines in one transaction. A line already there (a
      // replay, or an event some of whose lines were written before) or a month locked meanwhile
      // falls back to the line-by-line path below, which sorts out each line on its own.
      const period = this.firstOpen(date.slice(0, 7), periods);
      try {
        await this.repo.appendLines(
          tenantId,
          lines.map((line) => this.stored(line, period, options.adjustment, options.ref)),
        );
        return { written: lines.length, duplicates: 0 };
      } catch (error) {
        const fallBack =
          error instanceof LineAlreadyWrittenError ||
          error instanceof PeriodLockedError ||
          error instanceof RangeError;
        if (!fallBack) throw error;
        if (error instanceof PeriodLockedError) periods = await this.repo.listPeriods(tenantId);
      }
    }
    for (const line of lines) {
      for (let attempt = 0; ; attempt += 1) {
        const stored = this.stored(
          line,
          this.firstOpen(date.slice(0, 7), periods),
          options.adjustment,
          options.ref,
        );
        try {
          await this.repo.appendLine(tenantId, stored, options.extra);
          written += 1;
          break;
        } catch (error) {
          if (error instanceof LineAlreadyWrittenError) {
            duplicates += 1;
            break;
          }
          if (error instanceof PeriodLockedError && attempt < MAX_PERIOD_RETRIES) {
            periods = await this.repo.listPeriods(tenantId);
            continue;
          }
          throw error;
        }
      }
    }
    return { written, duplicates };
  }

  private stored(
    line: CommissionLine,
    period: string,
    adjustment: { reason: string; by: string } | null,
    ref: PolicyRef,
  ): StoredLine {
    return {
      ...line,
      insurerId: ref.insurerId,
      policyNumber: ref.policyNumber,
      period,
      recipientKey: recipientKey(line.recipient),
      reason: adjustment?.reason ?? null,
      by: adjustment?.by ?? null,
      createdAt: this.now(),
      version: 1,
    };
  }

  // ---- reads --------------------------------------------------------------------------------

  /** The caller as a recipient: a partner user is their partner, anyone else their user. */
  private self(p: Principal): Recipient {
    return p.role === 'partner' ? { kind: 'PARTNER', id: p.partnerId ?? '' } : { kind: 'USER', id: p.userId };
  }

  private recipientOf(
    p: Principal,
    input: { kind: Recipient['kind']; id?: string | null } | null | undefined,
  ): Recipient {
    if (!input) return this.self(p);
    if (input.kind === 'BROKERAGE') return { kind: 'BROKERAGE', id: BROKERAGE_ID };
    if (!input.id) return this.self(p);
    return { kind: input.kind, id: input.id };
  }

  private canRead(p: Principal, r: Recipient): Promise<boolean> {
    return canReadCommissionsOf(p, r, async (userId) => {
      const user = await this.org.getOrgEntity<User>(p.tenantId, OrgKind.User, userId);
      const branch = user?.branchId
        ? await this.org.getOrgEntity<Branch>(p.tenantId, OrgKind.Branch, user.branchId)
        : undefined;
      return { ownerUserId: userId, branchId: user?.branchId ?? null, regionId: branch?.regionId ?? null };
    });
  }

  /** Throws FORBIDDEN, naming nothing of the ledger, unless the caller may read the recipient's lines. */
  private async assertCanRead(p: Principal, r: Recipient): Promise<void> {
    if (!(await this.canRead(p, r))) {
      throw new ForbiddenError("This recipient's commissions are outside your scope");
    }
  }

  /**
   * Lines by recipient and period (default: the caller), by policy, or a whole period (approval).
   * Each is one Query on an index.
   */
  async lines(principal: Principal | null, filter: unknown, page: PageRequest): Promise<Page<LineView>> {
    const p = authorize(principal, 'commissions:read');
    const f = parseInput(LineFilterSchema, filter ?? {}, 'filter');
    let result: Page<StoredLine>;
    if (f.policyId) {
      const policy = await this.policies.getPolicy(p.tenantId, f.policyId);
      if (!policy) return { items: [], cursors: [], nextCursor: null };
      if (readsOwnCommissionsOnly(p)) {
        const self = recipientKey(this.self(p));
        result = await this.repo.listLinesByPolicy(p.tenantId, f.policyId, f.period ?? null, page);
        result = keepInPage(result, (l) => l.recipientKey === self);
      } else {
        if (!canReach(p, policyReach(policy))) throw new ForbiddenError('This policy is outside your scope');
        result = await this.repo.listLinesByPolicy(p.tenantId, f.policyId, f.period ?? null, page);
      }
    } else if (f.period && !f.recipient && !readsOwnCommissionsOnly(p)) {
      authorize(p, 'commissions:approve');
      assertTenantWide(p, 'Reading a whole commission month');
      result = await this.repo.listLinesByPeriod(p.tenantId, f.period, page);
    } else {
      const r = this.recipientOf(p, f.recipient);
      await this.assertCanRead(p, r);
      result = await this.repo.listLinesByRecipient(p.tenantId, recipientKey(r), f.period ?? null, page);
    }
    if (f.ledger) result = keepInPage(result, (l) => l.ledger === f.ledger);
    return this.withApproval(p.tenantId, result);
  }

  private async withApproval(tenantId: string, page: Page<StoredLine>): Promise<Page<LineView>> {
    const periods = await this.repo.listPeriods(tenantId);
    const locked = new Set(periods.filter((x) => x.status !== 'OPEN').map((x) => x.period));
    return {
      ...page,
      items: page.items.map((l) => ({ ...l, approvedAmount: locked.has(l.period) ? l.amount : null })),
    };
  }

  /** A line with its disputes, if the caller may read its recipient. */
  async line(
    principal: Principal | null,
    id: string,
  ): Promise<{ line: LineView; disputes: CommissionDispute[] } | null> {
    const p = authorize(principal, 'commissions:read');
    const found = await this.repo.getLine(p.tenantId, id);
    if (!found) return null;
    await this.assertCanRead(p, found.line.recipient);
    const [view] = (
      await this.withApproval(p.tenantId, { items: [found.line], cursors: [''], nextCursor: null })
    ).items;
    return view ? { line: view, disputes: found.disputes } : null;
  }

  async disputesOf(principal: Principal | null, line: StoredLine): Promise<CommissionDispute[]> {
    const p = authorize(principal, 'commissions:read');
    return (await this.repo.getLine(p.tenantId, line.id))?.disputes ?? [];
  }

  /** "What have I earned this month": one Query on the recipient's accrual item(s) for the month. */
  async accruals(principal: Principal | null, input: unknown): Promise<Accrual[]> {
    const p = authorize(principal, 'commissions:read');
    const q = parseInput(AccrualQuerySchema, input, '');
    const r = this.recipientOf(p, q.recipient);
    await this.assertCanRead(p, r);
    return (await this.repo.getAccruals(p.tenantId, recipientKey(r), q.period)).map(toAccrual);
  }

  /**
   * Which accrual changes a caller may watch (live updates): the recipient's key, after the same
   * checks as reading its accruals. The caller's own without `recipient`.
   */
  async watchableAccrualRecipient(principal: Principal | null, recipient: unknown): Promise<string> {
    const p = authorize(principal, 'commissions:read');
    const q = parseInput(AccrualQuerySchema.pick({ recipient: true }), { recipient }, '');
    const r = this.recipientOf(p, q.recipient);
    await this.assertCanRead(p, r);
    return recipientKey(r);
  }

  /** Commission on a client's policies, for the card (managers and admins; advisors their own share). */
  async clientSummary(
    principal: Principal | null,
    policies: Policy[],
  ): Promise<{ advisor: Money; partner: Money; receivable: Money } | null> {
    // The card is the book's: whoever reads the book sees it (advisors their own share), partners nothing.
    if (!principal || !may(principal, 'book:read')) return null;
    if (policies.length === 0) return null;
    const currency = policies[0]?.premium.currency ?? 'EUR';
    const sums = { ADVISOR: new Dec(0), PARTNER: new Dec(0), RECEIVABLE: new Dec(0) };
    for (const policy of policies) {
      for (const l of await this.repo.listLinesOfPolicy(principal.tenantId, policy.id)) {
        if (l.currency !== currency) continue;
        if (readsOwnCommissionsOnly(principal) && l.recipientKey !== recipientKey(this.self(principal)))
          continue;
        sums[l.ledger] = sums[l.ledger].plus(l.amount);
      }
    }
    return {
      advisor: money(sums.ADVISOR, currency),
      partner: money(sums.PARTNER, currency),
      receivable: money(sums.RECEIVABLE, currency),
    };
  }

  // ---- periods, corrections, disputes --------------------------------------------------------

  async periods(principal: Principal | null): Promise<CommissionPeriod[]> {
    const p = authorize(principal, 'commissions:read');
    return this.repo.listPeriods(p.tenantId);
  }

  /**
   * OPEN → APPROVED: locks the month (the consumer's line writes check it in their transaction, so
   * nothing lands in it afterwards) and fixes each recipient's approved total.
   */
  async approvePeriod(principal: Principal | null, input: unknown): Promise<CommissionPeriod> {
    return this.movePeriod(principal, input, 'OPEN', 'APPROVED', 'approvedMinor');
  }

  /** APPROVED → PAID: the approved totals are recorded as paid. */
  async markPeriodPaid(principal: Principal | null, input: unknown): Promise<CommissionPeriod> {
    return this.movePeriod(principal, input, 'APPROVED', 'PAID', 'paidMinor');
  }

  private async movePeriod(
    principal: Principal | null,
    input: unknown,
    from: CommissionPeriod['status'],
    to: CommissionPeriod['status'],
    field: 'approvedMinor' | 'paidMinor',
  ): Promise<CommissionPeriod> {
    const p = authorize(principal, 'commissions:approve');
    assertTenantWide(p, 'Approving or paying a commission month');
    const { period } = parseInput(PeriodActionSchema, input);
    const current = await this.repo.getPeriod(p.tenantId, period);
    const at = this.now();
    const next: CommissionPeriod = {
      period,
      status: to,
      approvedBy: current?.approvedBy ?? (to === 'APPROVED' ? p.userId : null),
      approvedAt: current?.approvedAt ?? (to === 'APPROVED' ? at : null),
      paidBy: to === 'PAID' ? p.userId : null,
      paidAt: to === 'PAID' ? at : null,
      version: (current?.version ?? 0) + 1,
    };
    await this.repo.setPeriodStatus(p.tenantId, next, from);
    for (const a of await this.repo.listAccrualsByPeriod(p.tenantId, period)) {
      const total =
        field === 'approvedMinor'
          ? (a.accruedMinor ?? 0) + (a.clawedBackMinor ?? 0) + (a.adjustedMinor ?? 0)
          : (a.approvedMinor ?? 0);
      await this.repo.setAccrualTotal(p.tenantId, a, field, total);
    }
    return next;
  }

  /**
   * A manager's correction: a new ADJUSTMENT line for the same recipient, ledger and policy, with
   * the reason and author on it. The corrected line is never edited. It lands in the next open period.
   */
  async adjustLine(principal: Principal | null, input: unknown): Promise<LineView> {
    const p = authorize(principal, 'commissions:approve');
    const parsed = parseInput(AdjustLineSchema, input);
    const target = await this.requireLine(p, parsed.lineId);
    const line = this.adjustmentLine(target, parsed.amount, parsed.reason, p);
    await this.appendAll(p.tenantId, [line], await this.today(p.tenantId), {
      adjustment: { reason: parsed.reason, by: p.userId },
      ref: refOf(target),
    });
    return this.viewOf(p.tenantId, line.id);
  }

  private adjustmentLine(target: StoredLine, amount: string, reason: string, p: Principal): CommissionLine {
    // Refused, never rounded: 0.001 EUR would silently become a 0.00 line.
    if (!fitsCurrencyScale(amount, target.currency)) {
      throw new ValidationFailedError(`Invalid input: input.amount ${scaleMessage(target.currency)}`, [
        { path: 'input.amount', message: scaleMessage(target.currency) },
      ]);
    }
    const rounded = money(amount, target.currency);
    const sourceEventId = `adjustment:${newId()}`;
    const ex = target.explanation;
    return {
      id: lineId({
        sourceEventId,
        kind: 'ADJUSTMENT',
        schemeId: ex.schemeId,
        ruleId: ex.ruleId,
        schemeVersion: ex.schemeVersion,
        recipientKind: target.recipient.kind,
        recipientId: target.recipient.id,
        level: ex.level,
        role: ex.role,
        relatedLineId: target.id,
      }),
      ledger: target.ledger,
      recipient: target.recipient,
      policyId: target.policyId,
      sourceEventId,
      kind: 'ADJUSTMENT',
      amount: rounded.amount,
      currency: target.currency,
      relatedLineId: target.id,
      policyVersion: target.policyVersion,
      explanation: {
        ...ex,
        base: target.amount,
        previousBase: null,
        rate: null,
        tier: null,
        share: null,
        formula: `manual adjustment of line ${target.id} by ${p.userId}: ${reason} = ${rounded.amount}`,
      },
    };
  }

  /** A line the caller may read (the same check as `commissionLine`), for reading or changing it. */
  private async requireLine(p: Principal, id: string): Promise<StoredLine> {
    return (await this.requireLineWithDisputes(p, id)).line;
  }

  private async requireLineWithDisputes(
    p: Principal,
    id: string,
  ): Promise<{ line: StoredLine; disputes: CommissionDispute[] }> {
    const found = await this.repo.getLine(p.tenantId, id);
    if (!found) throw new NotFoundError('CommissionLine', id);
    await this.assertCanRead(p, found.line.recipient);
    return found;
  }

  private async viewOf(tenantId: string, id: string): Promise<LineView> {
    const found = await this.repo.getLine(tenantId, id);
    if (!found) throw new NotFoundError('CommissionLine', id);
    return (await this.withApproval(tenantId, { items: [found.line], cursors: [''], nextCursor: null }))
      .items[0] as LineView;
  }

  /** The recipient of a line (or a manager over them) disputes it with a comment. */
  async disputeLine(principal: Principal | null, input: unknown): Promise<CommissionDispute> {
    const p = authorize(principal, 'commissions:read');
    const parsed = parseInput(DisputeLineSchema, input);
    const line = await this.requireLine(p, parsed.lineId);
    const dispute: CommissionDispute = {
      id: newId(),
      lineId: line.id,
      comment: parsed.comment,
      status: 'OPEN',
      raisedBy: p.userId,
      raisedAt: this.now(),
      resolution: null,
      resolvedBy: null,
      resolvedAt: null,
      adjustmentLineId: null,
      version: 1,
    };
    await this.repo.insertDispute(p.tenantId, dispute);
    return dispute;
  }

  /**
   * Open disputes the caller may resolve: every one for a tenant-wide scope; otherwise only those on
   * lines whose recipient the caller's scope reaches (the page may come back shorter than asked).
   */
  async openDisputes(principal: Principal | null, page: PageRequest): Promise<Page<CommissionDispute>> {
    const p = authorize(principal, 'commissions:approve');
    const result = await this.repo.listOpenDisputes(p.tenantId, page);
    if (p.scope === 'all') return result;
    const readable = new Map<string, boolean>();
    for (const lineId of new Set(result.items.map((d) => d.lineId))) {
      const found = await this.repo.getLine(p.tenantId, lineId);
      readable.set(lineId, found ? await this.canRead(p, found.line.recipient) : false);
    }
    return keepInPage(result, (d) => readable.get(d.lineId) === true);
  }

  /**
   * A manager closes a dispute: REJECT records why; ADJUST appends an adjustment line and closes the
   * dispute in the same transaction, so a dispute is never closed without its correction or vice versa.
   */
  async resolveDispute(principal: Principal | null, input: unknown): Promise<CommissionDispute> {
    const p = authorize(principal, 'commissions:approve');
    const parsed = parseInput(ResolveDisputeSchema, input);
    const found = await this.requireLineWithDisputes(p, parsed.lineId);
    const dispute = found.disputes.find((d) => d.id === parsed.disputeId);
    if (!dispute) throw new NotFoundError('CommissionDispute', parsed.disputeId);
    if (dispute.status !== 'OPEN') throw new RuleViolationError('This dispute is already resolved');
    const at = this.now();
    const resolved: CommissionDispute = {
      ...dispute,
      status: parsed.resolution === 'ADJUST' ? 'ADJUSTED' : 'REJECTED',
      resolution: parsed.comment,
      resolvedBy: p.userId,
      resolvedAt: at,
    };
    const closeOp = this.repo.resolveDisputeOp(p.tenantId, resolved, parsed.expectedVersion);
    if (parsed.resolution === 'REJECT' || !parsed.amount) {
      await this.repo.transact([closeOp]);
      return { ...resolved, version: parsed.expectedVersion + 1 };
    }
    const line = this.adjustmentLine(
      found.line,
      parsed.amount,
      `dispute ${dispute.id}: ${parsed.comment}`,
      p,
    );
    resolved.adjustmentLineId = line.id;
    const withLine = this.repo.resolveDisputeOp(p.tenantId, resolved, parsed.expectedVersion);
    await this.appendAll(p.tenantId, [line], await this.today(p.tenantId), {
      adjustment: { reason: parsed.comment, by: p.userId },
      ref: refOf(found.line),
      extra: [withLine],
    });
    return { ...resolved, version: parsed.expectedVersion + 1 };
  }

  // ---- insurer statement reconciliation -----------------------------------------------------

  /**
   * Imports an insurer's commission statement (CSV or XLSX, the insurer's column mapping) and matches
   * it, per normalised policy number and month, against the RECEIVABLE lines: MATCHED,
   * AMOUNT_MISMATCH (with the difference), UNEXPECTED (paid, not expected) and MISSING (expected, not
   * paid). The result replaces the month's previous reconciliation for the insurer.
   */
  async importStatement(
    principal: Principal | null,
    raw: unknown,
  ): Promise<{ rows: ReconciliationRow[]; invalidRows: Array<{ row: number; message: string }> }> {
    const p = authorize(principal, 'commissions:reconcile');
    const input = parseInput(ImportStatementSchema, raw);
    const insurer = await this.org.getOrgEntity(p.tenantId, OrgKind.Insurer, input.insurerId);
    if (!insurer) throw new NotFoundError('Insurer', input.insurerId);
    const mapping = input.mapping ?? (await this.repo.getStatementMapping(p.tenantId, input.insurerId));
    if (!mapping) {
      throw new ValidationFailedError('This insurer has no statement mapping yet', [
        { path: 'input.mapping', message: 'is required for the first statement of an insurer' },
      ]);
    }
    if (input.mapping) await this.repo.putStatementMapping(p.tenantId, input.insurerId, input.mapping);
    const fileRows = await readRows(input.format, Buffer.from(input.contentBase64, 'base64'));
    const invalidRows: Array<{ row: number; message: string }> = [];
    /** Statement amounts by month, then by policy number key. */
    const paid = new Map<string, Map<string, { amount: Dec; rows: number[] }>>([[input.period, new Map()]]);
    for (const [i, r] of fileRows.entries()) {
      const row = i + 2;
      const number = statementNumberKey(r[mapping.policyNumber] ?? '');
      const amount = AmountSchema.safeParse((r[mapping.amount] ?? '').replace(/\s/g, '').replace(',', '.'));
      const period = mapping.period ? (r[mapping.period] ?? '').trim().slice(0, 7) : input.period;
      const currency = mapping.currency ? (r[mapping.currency] ?? '').trim().toUpperCase() : input.currency;
      const problem = !number
        ? `${mapping.policyNumber} is empty`
        : !amount.success
          ? `${mapping.amount} is not an amount`
          : !PeriodSchema.safeParse(period).success
            ? `${mapping.period} is not a month`
            : currency !== input.currency
              ? `currency ${currency} is not ${input.currency}`
              : null;
      if (problem !== null || !amount.success) {
        invalidRows.push({ row, message: problem ?? 'is not valid' });
        continue;
      }
      const month = paid.get(period) ?? new Map();
      paid.set(period, month);
      const entry = month.get(number) ?? { amount: new Dec(0), rows: [] };
      month.set(number, { amount: entry.amount.plus(amount.data), rows: [...entry.rows, row] });
    }
    const at = this.now();
    const all: ReconciliationRow[] = [];
    for (const [period, month] of paid) {
      const expected = new Map<string, { amount: Dec; policyId: string }>();
      for (const l of await this.repo.listReceivableLinesOfPeriod(p.tenantId, period)) {
        if (l.insurerId !== input.insurerId || !l.policyNumber || l.currency !== input.currency) continue;
        const key = statementNumberKey(l.policyNumber);
        const e = expected.get(key) ?? { amount: new Dec(0), policyId: l.policyId };
        expected.set(key, { ...e, amount: e.amount.plus(l.amount) });
      }
      const rows: ReconciliationRow[] = [];
      for (const number of new Set([...month.keys(), ...expected.keys()])) {
        const got = month.get(number);
        const want = expected.get(number);
        const fmt = (d: Dec | undefined) => (d === undefined ? null : money(d, input.currency).amount);
        const status: ReconciliationRow['status'] = !want
          ? 'UNEXPECTED'
          : !got
            ? 'MISSING'
            : got.amount.eq(want.amount)
              ? 'MATCHED'
              : 'AMOUNT_MISMATCH';
        rows.push({
          insurerId: input.insurerId,
          period,
          policyNumber: number,
          policyId: want?.policyId ?? null,
          status,
          statementAmount: fmt(got?.amount),
          expectedAmount: fmt(want?.amount),
          difference: got && want ? fmt(got.amount.minus(want.amount)) : null,
          currency: input.currency,
          rows: got?.rows ?? [],
          importedAt: at,
          importedBy: p.userId,
        });
      }
      await this.repo.replaceReconciliation(p.tenantId, input.insurerId, period, rows);
      all.push(...rows);
    }
    return { rows: all, invalidRows };
  }

  /** What needs a person after a statement import: every row of the month that is not MATCHED. */
  async statementExceptions(
    principal: Principal | null,
    insurerId: string,
    period: string,
  ): Promise<ReconciliationRow[]> {
    const p = authorize(principal, 'commissions:reconcile');
    const month = parseInput(PeriodSchema, period, 'period');
    return (await this.repo.listReconciliation(p.tenantId, insurerId, month)).filter(
      (r) => r.status !== 'MATCHED',
    );
  }

  // ---- what-if ------------------------------------------------------------------------------

  /** The lines a hypothetical policy would produce for every recipient, with explanations. Writes nothing. */
  async simulate(principal: Principal | null, raw: unknown): Promise<CommissionLine[]> {
    const p = authorize(principal, 'commissions:simulate');
    const input = parseInput(SimulateSchema, raw);
    const sellerId = input.sellerId ?? p.userId;
    // Simulating for a seller shows what that seller would earn: the same check as reading his ledger.
    if (!(await this.canRead(p, { kind: 'USER', id: sellerId })))
      throw new ForbiddenError("This seller's commissions are outside your scope");
    const productLine = await this.org.getOrgEntity<{ id: string; code: string }>(
      p.tenantId,
      OrgKind.ProductLine,
      input.productLineId,
    );
    if (!productLine) throw new NotFoundError('ProductLine', input.productLineId);
    const frozen = await this.freeze(p.tenantId, sellerId, input.writtenDate, 'input.sellerId');
    const facts = policyFacts(
      {
        id: 'simulation',
        insurerId: input.insurerId,
        productLineId: productLine.id,
        productLineCode: productLine.code,
        premium: money(input.premium.amount, input.premium.currency),
        writtenDate: input.writtenDate,
        termStart: input.termStart ?? input.writtenDate,
        termEnd: input.termEnd ?? input.writtenDate,
        businessType: input.businessType ?? 'NEW',
        renewalYear: input.renewalYear ?? 1,
        branchKind: frozen.branch.kind,
        version: 1,
        sellerId,
        originatorId: input.originatorId ?? sellerId,
        referringPartnerId: input.referringPartnerId ?? null,
        hierarchy: frozen.hierarchy,
      } as Policy,
      {
        segment: (input.clientSegment ?? null) as Client['segment'],
        acquisitionType: (input.acquisitionType ?? null) as Client['acquisitionType'],
        leadSourceId: input.leadSourceId ?? null,
      },
    );
    const schemes = engineSchemes(await this.repo.listSchemes(p.tenantId));
    return computeCommissionLines({
      event: { type: 'POLICY_WRITTEN', eventId: 'simulation', policy: facts },
      schemes,
    });
  }
}
