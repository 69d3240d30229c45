import {
  assertTenantWide,
  authorize,
  canReach,
  may,
  ownLedgerRecipient,
  policyReach,
  readsOwnCommissionsOnly,
} from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Page } from '../../shared/db.js';
import { ForbiddenError } from '../../shared/errors.js';
import { Dec, type Money, money } from '../../shared/money.js';
import { keepInPage } from '../../shared/pagination.js';
import { parseInput } from '../../shared/validation.js';
import type { PolicyLookup, PolicyRecord } from './commission-lookups.js';
import {
  AccrualQuerySchema,
  AdjustLineSchema,
  type CommissionDispute,
  LineFilterSchema,
  recipientKey,
  type StoredLine,
} from './commissions.model.js';
import type { LedgerRepository } from './ledger.repository.js';
import { adjustmentLine, type LedgerWriter, refOf } from './ledger-writer.js';
import { type Accrual, type LineView, toAccrual, viewOf, withApproval } from './line-views.js';
import { type RecipientAccess, recipientOf } from './recipient-access.js';

type PageRequest = { limit: number; cursor: string | null };

/**
 * Reading the ledger, scoped to the caller: lines by recipient, policy or month, one line with its
 * disputes, accruals ("what have I earned"), the client card's summary, and a manager's correction.
 */
export class LedgerReads {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly writer: LedgerWriter,
    private readonly access: RecipientAccess,
    private readonly policies: PolicyLookup,
  ) {}

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
        const self = recipientKey(ownLedgerRecipient(p));
        result = await this.ledger.listLinesByPolicy(p.tenantId, f.policyId, f.period ?? null, page);
        result = keepInPage(result, (l) => l.recipientKey === self);
      } else {
        if (!canReach(p, policyReach(policy))) throw new ForbiddenError('This policy is outside your scope');
        result = await this.ledger.listLinesByPolicy(p.tenantId, f.policyId, f.period ?? null, page);
      }
    } else if (f.period && !f.recipient && !readsOwnCommissionsOnly(p)) {
      authorize(p, 'commissions:approve');
      assertTenantWide(p, 'Reading a whole commission month');
      result = await this.ledger.listLinesByPeriod(p.tenantId, f.period, page);
    } else {
      const r = recipientOf(p, f.recipient);
      await this.access.assertCanRead(p, r);
      result = await this.ledger.listLinesByRecipient(p.tenantId, recipientKey(r), f.period ?? null, page);
    }
    if (f.ledger) result = keepInPage(result, (l) => l.ledger === f.ledger);
    return withApproval(this.ledger, p.tenantId, result);
  }

  /** A line with its disputes, if the caller may read its recipient. */
  async line(
    principal: Principal | null,
    id: string,
  ): Promise<{ line: LineView; disputes: CommissionDispute[] } | null> {
    const p = authorize(principal, 'commissions:read');
    const found = await this.ledger.getLine(p.tenantId, id);
    if (!found) return null;
    await this.access.assertCanRead(p, found.line.recipient);
    const [view] = (
      await withApproval(this.ledger, p.tenantId, { items: [found.line], cursors: [''], nextCursor: null })
    ).items;
    return view ? { line: view, disputes: found.disputes } : null;
  }

  async disputesOf(principal: Principal | null, line: StoredLine): Promise<CommissionDispute[]> {
    const p = authorize(principal, 'commissions:read');
    return (await this.ledger.getLine(p.tenantId, line.id))?.disputes ?? [];
  }

  /** "What have I earned this month": one Query on the recipient's accrual item(s) for the month. */
  async accruals(principal: Principal | null, input: unknown): Promise<Accrual[]> {
    const p = authorize(principal, 'commissions:read');
    const q = parseInput(AccrualQuerySchema, input, '');
    const r = recipientOf(p, q.recipient);
    await this.access.assertCanRead(p, r);
    return (await this.ledger.getAccruals(p.tenantId, recipientKey(r), q.period)).map(toAccrual);
  }

  /**
   * Which accrual changes a caller may watch (live updates): the recipient's key, after the same
   * checks as reading its accruals. The caller's own without `recipient`.
   */
  async watchableAccrualRecipient(principal: Principal | null, recipient: unknown): Promise<string> {
    const p = authorize(principal, 'commissions:read');
    const q = parseInput(AccrualQuerySchema.pick({ recipient: true }), { recipient }, '');
    const r = recipientOf(p, q.recipient);
    await this.access.assertCanRead(p, r);
    return recipientKey(r);
  }

  /** Commission on a client's policies, for the card (managers and admins; advisors their own share). */
  async clientSummary(
    principal: Principal | null,
    policies: Array<Pick<PolicyRecord, 'id' | 'premium'>>,
  ): Promise<{ advisor: Money; partner: Money; receivable: Money } | null> {
    // The card is the book's: whoever reads the book sees it (advisors their own share), partners nothing.
    if (!principal || !may(principal, 'book:read')) return null;
    if (policies.length === 0) return null;
    const currency = policies[0]?.premium.currency ?? 'EUR';
    const sums = { ADVISOR: new Dec(0), PARTNER: new Dec(0), RECEIVABLE: new Dec(0) };
    for (const policy of policies) {
      for (const l of await this.ledger.listLinesOfPolicy(principal.tenantId, policy.id)) {
        if (l.currency !== currency) continue;
        if (
          readsOwnCommissionsOnly(principal) &&
          l.recipientKey !== recipientKey(ownLedgerRecipient(principal))
        )
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

  /**
   * A manager's correction: a new ADJUSTMENT line for the same recipient, ledger and policy, with
   * the reason and author on it. The corrected line is never edited. It lands in the next open period.
   */
  async adjustLine(principal: Principal | null, input: unknown): Promise<LineView> {
    const p = authorize(principal, 'commissions:approve');
    const parsed = parseInput(AdjustLineSchema, input);
    const target = await this.access.requireLine(p, parsed.lineId);
    const line = adjustmentLine(target, parsed.amount, parsed.reason, p);
    await this.writer.appendAll(p.tenantId, [line], await this.writer.today(p.tenantId), {
      adjustment: { reason: parsed.reason, by: p.userId },
      ref: refOf(target),
    });
    return viewOf(this.ledger, p.tenantId, line.id);
  }
}
