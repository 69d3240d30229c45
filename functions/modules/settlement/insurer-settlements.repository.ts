import { type Db, putNewOp, type TransactOp, versionedUpdateOp } from '../../shared/db.js';
import { AlreadyExistsError, VersionConflictError } from '../../shared/errors.js';
import { fromItem, getRecord, toItem } from '../../shared/items.js';
import type { Money } from '../../shared/money.js';
import { EntityType, keys } from '../../shared/table-design.js';
import type { InsurerSettlement } from './insurer-settlement.model.js';
import type { BankAccount } from './settlement.model.js';

/** What has been settled of one insurer's commission month in one currency. */
export interface SettledPeriod {
  insurerId: string;
  period: string;
  settled: Money;
  settlementIds: string[];
  version: number;
}

/** Insurer commission settlements, the running totals of the months they settle, and insurers' accounts. */
export class InsurerSettlementsRepository {
  constructor(private readonly db: Db) {}

  /** The insurers' bank accounts (a few per tenant): who a statement row's IBAN or reference names. */
  async listInsurerAccounts(tenantId: string): Promise<BankAccount[]> {
    const items = await this.db.queryAll({
      partition: keys.bankAccounts(tenantId),
      beginsWith: keys.insurerAccountPrefix,
    });
    return items.map((i) => fromItem<BankAccount>(i));
  }

  async getSettlement(
    tenantId: string,
    receivedDate: string,
    id: string,
  ): Promise<InsurerSettlement | undefined> {
    return getRecord<InsurerSettlement>(this.db, keys.insurerSettlement(tenantId, receivedDate, id), {
      consistent: true,
    });
  }

  /** Settlements that arrived between two days (inclusive), by day. */
  async listSettlementsBetween(tenantId: string, from: string, to: string): Promise<InsurerSettlement[]> {
    const items = await this.db.queryAll({
      partition: keys.insurerSettlements(tenantId),
      between: [from, `${to}~`],
    });
    return items.map((i) => fromItem<InsurerSettlement>(i));
  }

  async getSettledPeriod(
    tenantId: string,
    insurerId: string,
    period: string,
    currency: string,
  ): Promise<SettledPeriod | undefined> {
    return getRecord<SettledPeriod>(
      this.db,
      keys.insurerSettledPeriod(tenantId, insurerId, period, currency),
      {
        consistent: true,
      },
    );
  }

  /**
   * Records a settlement and moves the running totals of the months it settles, together: the
   * settlement only if its row was not recorded before (ALREADY_EXISTS), each total only if unchanged
   * since read (CONFLICT: re-read and try again). `extra` rides along (the queued row leaving its queue).
   */
  async recordSettlement(
    tenantId: string,
    settlement: InsurerSettlement,
    totals: Array<{ next: SettledPeriod; expectedVersion: number }>,
    extra: TransactOp[] = [],
  ): Promise<void> {
    const totalOps = totals.map(({ next, expectedVersion }) => {
      const key = keys.insurerSettledPeriod(tenantId, next.insurerId, next.period, next.settled.currency);
      const conflict = () => new VersionConflictError('InsurerSettledPeriod', next.period, expectedVersion);
      return expectedVersion === 0
        ? putNewOp(toItem(key, EntityType.InsurerSettledPeriod, tenantId, { ...next, version: 1 }), conflict)
        : versionedUpdateOp(
            key,
            expectedVersion,
            { settled: next.settled, settlementIds: next.settlementIds },
            conflict,
          );
    });
    await this.db.transact([
      putNewOp(
        toItem(
          keys.insurerSettlement(tenantId, settlement.receivedDate, settlement.id),
          EntityType.InsurerSettlement,
          tenantId,
          settlement,
        ),
        () => new AlreadyExistsError('InsurerSettlement', 'id', settlement.id),
      ),
      ...totalOps,
      ...extra,
    ]);
  }
}
