import { type Db, putOp, type TransactOp, versionedUpdateOp } from '../../shared/db.js';
import { AlreadyExistsError, VersionConflictError } from '../../shared/errors.js';
import { fromItem, getRecord, toItem } from '../../shared/items.js';
import { EntityType, keys } from '../../shared/table-design.js';
import type { ChartOfAccounts } from './journal.model.js';
import {
  type AccountOwner,
  type BankAccount,
  type CommissionPayout,
  type PayoutCarry,
  type PayoutLedger,
  type PayoutPayment,
  recipientKeyOf,
} from './settlement.model.js';

/** The settlement module's access to DynamoDB: bank accounts, payout batches, their payments, line records and carries. */
export class SettlementRepository {
  constructor(private readonly db: Db) {}

  async putBankAccount(tenantId: string, account: BankAccount): Promise<void> {
    await this.db.put(
      toItem(
        keys.bankAccount(tenantId, recipientKeyOf(account.owner)),
        EntityType.BankAccount,
        tenantId,
        account,
      ),
    );
  }

  async getBankAccount(tenantId: string, owner: AccountOwner): Promise<BankAccount | undefined> {
    return getRecord<BankAccount>(this.db, keys.bankAccount(tenantId, recipientKeyOf(owner)));
  }

  /** Every bank account of the tenant (one small collection), keyed by recipient key. */
  async listBankAccounts(tenantId: string): Promise<Map<string, BankAccount>> {
    const items = await this.db.queryAll({ partition: keys.bankAccounts(tenantId) });
    const accounts = items.map((i) => fromItem<BankAccount>(i));
    return new Map(accounts.map((a) => [recipientKeyOf(a.owner), a]));
  }

  /** Balances carried into a period of a ledger by the previous period's payout. */
  async listCarriesInto(tenantId: string, period: string, ledger: PayoutLedger): Promise<PayoutCarry[]> {
    const items = await this.db.queryAll({ partition: keys.payoutCarries(tenantId, period, ledger) });
    return items.map((i) => fromItem<PayoutCarry>(i));
  }

  /**
   * Stores a batch: its payments, line records and carries first (deterministic keys, so a retry
   * rewrites the same items), then the batch itself, which only one creation can claim.
   */
  async createPayout(
    tenantId: string,
    payout: CommissionPayout,
    payments: PayoutPayment[],
    ledger: PayoutLedger,
  ): Promise<void> {
    const lineItems = [
      ...payments.flatMap((p) =>
        p.lineIds.map((lineId) => ({ lineId, recipient: p.recipient, carried: false })),
      ),
      ...payout.carried.flatMap((c) =>
        c.lineIds.map((lineId) => ({ lineId, recipient: c.recipient, carried: true })),
      ),
    ].map((l) =>
      toItem(
        keys.commissionPayoutLine(tenantId, payout.id, l.lineId),
        EntityType.CommissionPayoutLine,
        tenantId,
        {
          payoutId: payout.id,
          ...l,
        },
      ),
    );
    await this.db.batchWrite([
      ...payments.map((p) =>
        toItem(
          keys.commissionPayoutPayment(tenantId, payout.id, recipientKeyOf(p.recipient)),
          EntityType.CommissionPayoutPayment,
          tenantId,
          p,
        ),
      ),
      ...lineItems,
      ...payout.carried.map((c) =>
        toItem(
          keys.payoutCarry(tenantId, c.toPeriod, ledger, recipientKeyOf(c.recipient)),
          EntityType.CommissionPayoutCarry,
          tenantId,
          c,
        ),
      ),
    ]);
    await this.db.putNew(
      toItem(keys.commissionPayout(tenantId, payout.id), EntityType.CommissionPayout, tenantId, payout),
      () => new AlreadyExistsError('CommissionPayout', 'PERIOD_LEDGER', payout.id),
    );
  }

  async getPayout(tenantId: string, id: string): Promise<CommissionPayout | undefined> {
    return getRecord<CommissionPayout>(this.db, keys.commissionPayout(tenantId, id));
  }

  async getPayouts(tenantId: string, ids: string[]): Promise<CommissionPayout[]> {
    const items = await this.db.batchGet(ids.map((id) => keys.commissionPayout(tenantId, id)));
    return items.map((i) => fromItem<CommissionPayout>(i));
  }

  async listPayments(tenantId: string, payoutId: string): Promise<PayoutPayment[]> {
    const items = await this.db.queryAll({
      partition: keys.commissionPayoutCollection(tenantId, payoutId),
      beginsWith: keys.payoutPaymentPrefix,
    });
    return items.map((i) => fromItem<PayoutPayment>(i));
  }

  /**
   * Marks a batch PAID if it is unchanged since read, and files it under the time it was paid: ops of
   * the transaction that marks its month PAID.
   */
  paidOps(tenantId: string, payout: CommissionPayout, by: string, at: string): TransactOp[] {
    return [
      versionedUpdateOp(
        keys.commissionPayout(tenantId, payout.id),
        payout.version,
        { status: 'PAID', paidBy: by, paidAt: at },
        () => new VersionConflictError('CommissionPayout', payout.id, payout.version),
      ),
      putOp(
        toItem(keys.payoutPaid(tenantId, at, payout.id), EntityType.CommissionPayoutPaid, tenantId, {
          payoutId: payout.id,
          paidAt: at,
        }),
      ),
    ];
  }

  /** The batches paid between two days (inclusive). */
  async listPayoutsPaidBetween(tenantId: string, from: string, to: string): Promise<CommissionPayout[]> {
    const pointers = await this.db.queryAll({
      partition: keys.payoutsPaid(tenantId),
      between: [from, `${to}~`],
    });
    return this.getPayouts(
      tenantId,
      pointers.map((p) => String(p.payoutId)),
    );
  }

  async getChartOfAccounts(tenantId: string): Promise<ChartOfAccounts | undefined> {
    return getRecord<ChartOfAccounts>(this.db, keys.chartOfAccounts(tenantId));
  }

  /** Writes the chart if it is still at `expectedVersion` (0: none stored yet). */
  async putChartOfAccounts(tenantId: string, chart: ChartOfAccounts, expectedVersion: number): Promise<void> {
    const item = toItem(keys.chartOfAccounts(tenantId), EntityType.ChartOfAccounts, tenantId, chart);
    await this.db.transact([
      {
        item: {
          Put: {
            TableName: '',
            Item: item,
            ConditionExpression: expectedVersion === 0 ? 'attribute_not_exists(pk)' : '#version = :expected',
            ...(expectedVersion === 0
              ? {}
              : {
                  ExpressionAttributeNames: { '#version': 'version' },
                  ExpressionAttributeValues: { ':expected': expectedVersion },
                }),
          },
        },
        onConditionFailed: () => new VersionConflictError('ChartOfAccounts', tenantId, expectedVersion),
      },
    ]);
  }
}
