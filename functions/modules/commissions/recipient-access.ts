import { canReadCommissionsOf, ownLedgerRecipient } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import { ForbiddenError, NotFoundError } from '../../shared/errors.js';
import type { CommissionOrgDirectory } from './commission-lookups.js';
import type { CommissionDispute, StoredLine } from './commissions.model.js';
import { BROKERAGE_ID, type Recipient } from './engine/index.js';
import type { LedgerRepository } from './ledger.repository.js';

/** The recipient a request names, or the caller's own ledger when it names none. */
export function recipientOf(
  p: Principal,
  input: { kind: Recipient['kind']; id?: string | null } | null | undefined,
): Recipient {
  if (!input) return ownLedgerRecipient(p);
  if (input.kind === 'BROKERAGE') return { kind: 'BROKERAGE', id: BROKERAGE_ID };
  if (!input.id) return ownLedgerRecipient(p);
  return { kind: input.kind, id: input.id };
}

/**
 * Whose ledger a caller may read (and so dispute or correct): the rule is the access module's;
 * this answers where a user sits from the org directory and reads lines behind the check.
 */
export class RecipientAccess {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly org: CommissionOrgDirectory,
  ) {}

  canRead(p: Principal, r: Recipient): Promise<boolean> {
    return canReadCommissionsOf(p, r, (userId) => this.org.userReach(p.tenantId, userId));
  }

  /** Throws FORBIDDEN, naming nothing of the ledger, unless the caller may read the recipient's lines. */
  async assertCanRead(p: Principal, r: Recipient): Promise<void> {
    if (!(await this.canRead(p, r))) {
      throw new ForbiddenError("This recipient's commissions are outside your scope");
    }
  }

  /** A line the caller may read (the same check as `commissionLine`), for reading or changing it. */
  async requireLine(p: Principal, id: string): Promise<StoredLine> {
    return (await this.requireLineWithDisputes(p, id)).line;
  }

  async requireLineWithDisputes(
    p: Principal,
    id: string,
  ): Promise<{ line: StoredLine; disputes: CommissionDispute[] }> {
    const found = await this.ledger.getLine(p.tenantId, id);
    if (!found) throw new NotFoundError('CommissionLine', id);
    await this.assertCanRead(p, found.line.recipient);
    return found;
  }
}
