import { authorize, isTenantWide } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import type { Page } from '../../shared/db.js';
import { NotFoundError, RuleViolationError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { keepInPage } from '../../shared/pagination.js';
import { parseInput } from '../../shared/validation.js';
import { type CommissionDispute, DisputeLineSchema, ResolveDisputeSchema } from './commissions.model.js';
import type { DisputesRepository } from './disputes.repository.js';
import type { LedgerRepository } from './ledger.repository.js';
import { adjustmentLine, type LedgerWriter, refOf } from './ledger-writer.js';
import type { RecipientAccess } from './recipient-access.js';

type PageRequest = { limit: number; cursor: string | null };

/** Disputes of ledger lines: raised by the recipient (or a manager over them), resolved by a manager. */
export class DisputesService {
  constructor(
    private readonly disputes: DisputesRepository,
    private readonly ledger: LedgerRepository,
    private readonly writer: LedgerWriter,
    private readonly access: RecipientAccess,
    private readonly clock: Clock,
  ) {}

  /** The recipient of a line (or a manager over them) disputes it with a comment. */
  async dispute(principal: Principal | null, input: unknown): Promise<CommissionDispute> {
    const p = authorize(principal, 'commissions:read');
    const parsed = parseInput(DisputeLineSchema, input);
    const line = await this.access.requireLine(p, parsed.lineId);
    const dispute: CommissionDispute = {
      id: newId(),
      lineId: line.id,
      comment: parsed.comment,
      status: 'OPEN',
      raisedBy: p.userId,
      raisedAt: this.clock.now().toISOString(),
      resolution: null,
      resolvedBy: null,
      resolvedAt: null,
      adjustmentLineId: null,
      version: 1,
    };
    await this.disputes.insertDispute(p.tenantId, dispute);
    return dispute;
  }

  /**
   * Open disputes the caller may resolve: every one for a tenant-wide scope; otherwise only those on
   * lines whose recipient the caller's scope reaches (the page may come back shorter than asked).
   */
  async open(principal: Principal | null, page: PageRequest): Promise<Page<CommissionDispute>> {
    const p = authorize(principal, 'commissions:approve');
    const result = await this.disputes.listOpenDisputes(p.tenantId, page);
    if (isTenantWide(p)) return result;
    const readable = new Map<string, boolean>();
    for (const lineId of new Set(result.items.map((d) => d.lineId))) {
      const found = await this.ledger.getLine(p.tenantId, lineId);
      readable.set(lineId, found ? await this.access.canRead(p, found.line.recipient) : false);
    }
    return keepInPage(result, (d) => readable.get(d.lineId) === true);
  }

  /**
   * A manager closes a dispute: REJECT records why; ADJUST appends an adjustment line and closes the
   * dispute in the same transaction, so a dispute is never closed without its correction or vice versa.
   */
  async resolve(principal: Principal | null, input: unknown): Promise<CommissionDispute> {
    const p = authorize(principal, 'commissions:approve');
    const parsed = parseInput(ResolveDisputeSchema, input);
    const found = await this.access.requireLineWithDisputes(p, parsed.lineId);
    const dispute = found.disputes.find((d) => d.id === parsed.disputeId);
    if (!dispute) throw new NotFoundError('CommissionDispute', parsed.disputeId);
    if (dispute.status !== 'OPEN') throw new RuleViolationError('This dispute is already resolved');
    const at = this.clock.now().toISOString();
    const resolved: CommissionDispute = {
      ...dispute,
      status: parsed.resolution === 'ADJUST' ? 'ADJUSTED' : 'REJECTED',
      resolution: parsed.comment,
      resolvedBy: p.userId,
      resolvedAt: at,
    };
    if (parsed.resolution === 'REJECT' || !parsed.amount) {
      await this.disputes.resolveDispute(p.tenantId, resolved, parsed.expectedVersion);
      return { ...resolved, version: parsed.expectedVersion + 1 };
    }
    const line = adjustmentLine(found.line, parsed.amount, `dispute ${dispute.id}: ${parsed.comment}`, p);
    resolved.adjustmentLineId = line.id;
    const withLine = this.disputes.resolveDisputeOp(p.tenantId, resolved, parsed.expectedVersion);
    await this.writer.appendAll(p.tenantId, [line], await this.writer.today(p.tenantId), {
      adjustment: { reason: parsed.comment, by: p.userId },
      ref: refOf(found.line),
      extra: [withLine],
    });
    return { ...resolved, version: parsed.expectedVersion + 1 };
  }
}
