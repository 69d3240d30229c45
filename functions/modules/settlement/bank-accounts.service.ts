import { assertTenantWide, authorize, mayReadBankAccount } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import { NotFoundError, ValidationFailedError } from '../../shared/errors.js';
import { parseInput } from '../../shared/validation.js';
import type { RecipientDirectory } from './ports.js';
import { type AccountOwner, type BankAccount, SetBankAccountSchema } from './settlement.model.js';
import type { SettlementRepository } from './settlement.repository.js';

/** Bank accounts of advisors, partners and the brokerage, with IBAN and BIC checked before they are kept. */
export class BankAccountsService {
  constructor(
    private readonly repo: SettlementRepository,
    private readonly directory: RecipientDirectory,
    private readonly clock: Clock,
  ) {}

  /**
   * Sets (or replaces) an account: the IBAN's country format and ISO 7064 check digits and the
   * BIC's format are checked (ibantools), so a payout file never carries an account a bank rejects
   * for its syntax. The brokerage's account is the one payouts are paid from; an insurer's (and its
   * payment reference) is how its commission payments are recognised on bank statements.
   */
  async setBankAccount(principal: Principal | null, rawInput: unknown): Promise<BankAccount> {
    const p = authorize(principal, 'bankAccounts:manage');
    assertTenantWide(p, 'Bank accounts');
    const input = parseInput(SetBankAccountSchema, rawInput);
    const { electronicFormatIBAN, isValidBIC, isValidIBAN } = await import('ibantools'); // when setting one, not at cold start
    const iban = electronicFormatIBAN(input.iban) ?? '';
    const bic = input.bic ? input.bic.replace(/\s+/g, '').toUpperCase() : null;
    const errors = [
      ...(isValidIBAN(iban)
        ? []
        : [{ path: 'input.iban', message: 'is not a valid IBAN (format or check digits)' }]),
      ...(bic && !isValidBIC(bic) ? [{ path: 'input.bic', message: 'is not a valid BIC' }] : []),
    ];
    if (errors.length) throw new ValidationFailedError('Invalid bank account', errors);
    const owner: AccountOwner =
      input.owner.kind === 'BROKERAGE'
        ? { kind: 'BROKERAGE', id: 'BROKERAGE' }
        : { kind: input.owner.kind, id: input.owner.id as string };
    if (
      owner.kind !== 'BROKERAGE' &&
      !(await this.directory.exists(p.tenantId, { kind: owner.kind, id: owner.id }))
    ) {
      throw new NotFoundError(ENTITY[owner.kind], owner.id);
    }
    const current = await this.repo.getBankAccount(p.tenantId, owner);
    const account: BankAccount = {
      owner,
      iban,
      bic,
      holderName: input.holderName ?? null,
      ...(owner.kind === 'INSURER' ? { paymentReference: input.paymentReference ?? null } : {}),
      updatedBy: p.userId,
      updatedAt: this.clock.now().toISOString(),
      version: (current?.version ?? 0) + 1,
    };
    await this.repo.putBankAccount(p.tenantId, account);
    return account;
  }

  /** An owner's account, or null when there is none or the caller may not read it (field-level, never an error). */
  async bankAccountOf(principal: Principal | null, owner: AccountOwner): Promise<BankAccount | null> {
    if (!principal || !mayReadBankAccount(principal, owner)) return null;
    return (await this.repo.getBankAccount(principal.tenantId, owner)) ?? null;
  }
}

const ENTITY = { USER: 'User', PARTNER: 'Partner', INSURER: 'Insurer' } as const;
