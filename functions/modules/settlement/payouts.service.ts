import { assertTenantWide, authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import type { TransactOp } from '../../shared/db.js';
import { AlreadyExistsError, RuleViolationError } from '../../shared/errors.js';
import { IdSchema } from '../../shared/input.js';
import { Dec, type Money, money } from '../../shared/money.js';
import { parseInput } from '../../shared/validation.js';
import { pain001Xml, payoutCsv } from './pain001.js';
import type { CommissionLedgerPort, PayoutFilesTarget, RecipientDirectory } from './ports.js';
import {
  type CommissionPayout,
  CreatePayoutSchema,
  PAYOUT_LEDGERS,
  type PayoutCarry,
  type PayoutPayment,
  type PayoutRecipient,
  payoutId,
  recipientKeyOf,
} from './settlement.model.js';
import type { SettlementRepository } from './settlement.repository.js';

/** How long a payout file's signed link works, as for book exports. */
export const PAYOUT_LINK_SECONDS = 15 * 60;

/** A payout as the API shows it: with signed links to its files. */
export interface PayoutView extends CommissionPayout {
  url: string;
  csvUrl: string;
  expiresAt: string;
}

/** What one recipient's lines of the month add up to, with what was carried in. */
interface Balance {
  recipient: PayoutRecipient;
  currency: string;
  earned: Dec;
  carriedIn: PayoutCarry | null;
  lineIds: string[];
}

/**
 * Payout batches of approved commission months: one credit transfer per advisor or partner owed a
 * positive total (the month's lines, clawbacks and adjustments included, net of a negative balance
 * carried in), written as a SEPA pain.001 file and a CSV to the bucket behind signed links. A
 * recipient whose total is not positive is paid nothing; a negative total is carried, explained,
 * into the next month's batch. Marking the month PAID marks its batches PAID in the same transaction.
 */
export class PayoutsService {
  constructor(
    private readonly repo: SettlementRepository,
    private readonly ledger: CommissionLedgerPort,
    private readonly directory: RecipientDirectory,
    private readonly files: PayoutFilesTarget | null,
    private readonly clock: Clock,
  ) {}

  async createPayout(principal: Principal | null, rawInput: unknown): Promise<PayoutView> {
    const p = this.authorize(principal);
    const input = parseInput(CreatePayoutSchema, rawInput);
    const id = payoutId(input.period, input.ledger);
    if (!this.files) throw new Error('Payout files need a bucket: this process has none');
    if (await this.repo.getPayout(p.tenantId, id)) {
      throw new AlreadyExistsError('CommissionPayout', 'PERIOD_LEDGER', id);
    }
    const status = await this.ledger.periodStatus(p, input.period);
    if (status !== 'APPROVED') {
      throw new RuleViolationError(
        `Commission period ${input.period} is ${status}: only an APPROVED month is paid out`,
        {
          period: input.period,
        },
      );
    }
    const balances = await this.balances(p, input.period, input.ledger);
    const currencies = new Set([...balances.values()].map((b) => b.currency));
    if (currencies.size > 1) {
      throw new RuleViolationError(`The ${input.ledger} ledger of ${input.period} holds several currencies`, {
        currencies: [...currencies].sort(),
      });
    }
    const currency = [...currencies][0] ?? 'EUR';
    const names = await this.directory.recipientNames(
      p.tenantId,
      [...balances.values()].map((b) => b.recipient),
    );
    const nameOf = (r: PayoutRecipient) => names.get(recipientKeyOf(r)) ?? r.id;
    const accounts = await this.repo.listBankAccounts(p.tenantId);
    const debtor = accounts.get('BROKERAGE:BROKERAGE');
    if (!debtor) {
      throw new RuleViolationError(
        "Set the brokerage's bank account first (setBankAccount with owner BROKERAGE)",
      );
    }
    const sorted = [...balances.values()].sort((a, b) =>
      nameOf(a.recipient).localeCompare(nameOf(b.recipient)),
    );
    const owed = sorted.filter((b) => net(b).gt(0));
    const missing = owed.filter((b) => !accounts.has(recipientKeyOf(b.recipient)));
    if (missing.length) {
      throw new RuleViolationError(
        `No bank account for ${missing.map((b) => nameOf(b.recipient)).join(', ')}: set them with setBankAccount`,
        { recipients: missing.map((b) => recipientKeyOf(b.recipient)) },
      );
    }
    if (!owed.length) throw new RuleViolationError(`Nobody is owed a positive total in ${input.period}`);
    const compactPeriod = input.period.replace('-', '');
    const payments: PayoutPayment[] = owed.map((b, i) => {
      const account = accounts.get(recipientKeyOf(b.recipient));
      return {
        payoutId: id,
        recipient: b.recipient,
        name: account?.holderName ?? nameOf(b.recipient),
        iban: account?.iban ?? '',
        bic: account?.bic ?? null,
        amount: money(net(b), currency),
        earned: money(b.earned, currency),
        carriedIn: b.carriedIn?.amount ?? null,
        endToEndId: `CP${compactPeriod}${input.ledger.charAt(0)}${String(i + 1).padStart(5, '0')}`,
        lineIds: b.lineIds,
      };
    });
    const next = nextPeriod(input.period);
    const carried: PayoutCarry[] = sorted
      .filter((b) => net(b).lt(0))
      .map((b) => ({
        recipient: b.recipient,
        name: nameOf(b.recipient),
        amount: money(net(b), currency),
        fromPeriod: input.period,
        toPeriod: next,
        payoutId: id,
        explanation: explain(b, input.period, next, currency),
        lineIds: b.lineIds,
      }));
    const total = money(
      payments.reduce((s, x) => s.plus(x.amount.amount), new Dec(0)),
      currency,
    );
    const now = this.clock.now().toISOString();
    const messageId = `PAYOUT-${input.period}-${input.ledger}`;
    const fileInput = {
      messageId,
      createdAt: now,
      executionDate: input.executionDate,
      debtor: { name: await this.directory.brokerageName(p.tenantId), iban: debtor.iban, bic: debtor.bic },
      remittance: `Commission ${input.period}`,
      payments,
      total,
    };
    const base = `payouts/${p.tenantId}/${id}`;
    const payout: CommissionPayout = {
      id,
      period: input.period,
      ledger: input.ledger,
      executionDate: input.executionDate,
      status: 'CREATED',
      total,
      paymentCount: payments.length,
      carried,
      xmlKey: `${base}.xml`,
      csvKey: `${base}.csv`,
      messageId,
      createdBy: p.userId,
      createdAt: now,
      paidBy: null,
      paidAt: null,
      version: 1,
    };
    await this.files.store.put(this.files.bucket, payout.xmlKey, pain001Xml(fileInput), 'application/xml');
    await this.files.store.put(this.files.bucket, payout.csvKey, await payoutCsv(fileInput), 'text/csv');
    await this.repo.createPayout(p.tenantId, payout, payments, input.ledger);
    return this.view(payout);
  }

  /** The batches of a month (at most one per ledger). */
  async payoutsOfPeriod(principal: Principal | null, period: unknown): Promise<PayoutView[]> {
    const p = this.authorize(principal);
    const { period: month } = parseInput(CreatePayoutSchema.pick({ period: true }), { period }, '');
    const found = await this.repo.getPayouts(
      p.tenantId,
      PAYOUT_LEDGERS.map((l) => payoutId(month, l)),
    );
    return Promise.all(found.sort((a, b) => a.ledger.localeCompare(b.ledger)).map((x) => this.view(x)));
  }

  /** A batch with fresh links; null when the tenant has none by that id. */
  async payout(principal: Principal | null, id: unknown): Promise<PayoutView | null> {
    const p = this.authorize(principal);
    const found = await this.repo.getPayout(p.tenantId, parseInput(IdSchema, id, 'id'));
    return found ? this.view(found) : null;
  }

  /** A batch's transfers, in file order. */
  async payments(principal: Principal | null, payout: CommissionPayout): Promise<PayoutPayment[]> {
    const p = this.authorize(principal);
    const all = await this.repo.listPayments(p.tenantId, payout.id);
    return all.sort((a, b) => a.endToEndId.localeCompare(b.endToEndId));
  }

  /**
   * The writes that mark a month's batches PAID, for the commissions module's transaction that marks
   * the month PAID: a batch changed meanwhile fails the whole transaction.
   */
  async paidOps(tenantId: string, period: string, by: string, at: string): Promise<TransactOp[]> {
    const found = await this.repo.getPayouts(
      tenantId,
      PAYOUT_LEDGERS.map((l) => payoutId(period, l)),
    );
    return found.filter((x) => x.status === 'CREATED').flatMap((x) => this.repo.paidOps(tenantId, x, by, at));
  }

  private authorize(principal: Principal | null): Principal {
    const p = authorize(principal, 'commissions:approve');
    assertTenantWide(p, 'Commission payouts');
    return p;
  }

  private async balances(p: Principal, period: string, ledger: string): Promise<Map<string, Balance>> {
    const balances = new Map<string, Balance>();
    const at = (recipient: PayoutRecipient, currency: string): Balance => {
      const key = recipientKeyOf(recipient);
      let b = balances.get(key);
      if (!b) {
        b = { recipient, currency, earned: new Dec(0), carriedIn: null, lineIds: [] };
        balances.set(key, b);
      }
      if (b.currency !== currency) {
        throw new RuleViolationError(`${key} has lines in ${b.currency} and ${currency} in ${period}`);
      }
      return b;
    };
    for (const line of await this.ledger.linesOfPeriod(p, period)) {
      if (line.ledger !== ledger || (line.recipient.kind !== 'USER' && line.recipient.kind !== 'PARTNER'))
        continue;
      const b = at({ kind: line.recipient.kind, id: line.recipient.id }, line.currency);
      b.earned = b.earned.plus(line.amount);
      b.lineIds.push(line.id);
    }
    for (const carry of await this.repo.listCarriesInto(p.tenantId, period, ledger as 'ADVISOR')) {
      at(carry.recipient, carry.amount.currency).carriedIn = carry;
    }
    return balances;
  }

  private async view(payout: CommissionPayout): Promise<PayoutView> {
    const files = this.files;
    if (!files) throw new Error('Payout files need a bucket: this process has none');
    const name = `commission-payout-${payout.id}`;
    const [url, csvUrl] = await Promise.all([
      files.store.signedGetUrl(files.bucket, payout.xmlKey, PAYOUT_LINK_SECONDS, `${name}.xml`),
      files.store.signedGetUrl(files.bucket, payout.csvKey, PAYOUT_LINK_SECONDS, `${name}.csv`),
    ]);
    const expiresAt = new Date(this.clock.now().getTime() + PAYOUT_LINK_SECONDS * 1000).toISOString();
    return { ...payout, url, csvUrl, expiresAt };
  }
}

function net(b: Balance): Dec {
  return b.earned.plus(b.carriedIn?.amount.amount ?? 0);
}

function nextPeriod(period: string): string {
  const [y = 0, m = 0] = period.split('-').map(Number);
  return m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
}

function explain(b: Balance, period: string, next: string, currency: string): string {
  const earned = money(b.earned, currency);
  const parts = [`${earned.amount} ${currency} from ${b.lineIds.length} line(s) of ${period}`];
  if (b.carriedIn)
    parts.push(`${b.carriedIn.amount.amount} ${currency} carried in from ${b.carriedIn.fromPeriod}`);
  const balance: Money = money(net(b), currency);
  return `${parts.join(' and ')} leave ${balance.amount} ${currency} (clawbacks exceed earnings): nothing is paid, and the balance is deducted from the ${next} payout.`;
}
