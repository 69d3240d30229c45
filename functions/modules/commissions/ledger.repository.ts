import type { Db, Page, TransactOp } from '../../shared/db.js';
import { RuleViolationError } from '../../shared/errors.js';
import {
  fromItem,
  getRecord,
  getRecords,
  queryAllRecords,
  queryRecords,
  toItem,
} from '../../shared/items.js';
import {
  commissionSortPrefixes,
  EntityType,
  keys,
  type ShardedPartition,
} from '../../shared/table-design.js';
import {
  type CommissionDispute,
  type CommissionPeriod,
  recipientKey,
  type StoredAccrual,
  type StoredLine,
  type StoredRuleTotal,
} from './commissions.model.js';
import { BROKERAGE_ID } from './engine/index.js';
import {
  LedgerWriteSet,
  LineAlreadyWrittenError,
  PeriodLockedError,
  ProductionAlreadyCountedError,
  type ProductionEntry,
} from './ledger-write-set.js';
import { fromMinor } from './minor-units.js';

export {
  LedgerWriteSet,
  LineAlreadyWrittenError,
  PeriodLockedError,
  ProductionAlreadyCountedError,
  type ProductionEntry,
};

/** How often a transaction cancelled by a concurrent one on the same item is tried again. */
const MAX_RACE_RETRIES = 8;

/** A transaction cancelled because another held one of its items (TransactionConflict), not by a condition. */
function isTransactionRace(error: unknown): boolean {
  const e = error as { name?: string; CancellationReasons?: Array<{ Code?: string }> } | null;
  if (e?.name === 'TransactionConflictException') return true;
  if (e?.name !== 'TransactionCanceledException') return false;
  const codes = (e.CancellationReasons ?? []).map((r) => r.Code);
  return codes.includes('TransactionConflict') && !codes.includes('ConditionalCheckFailed');
}

type PageRequest = { limit: number; cursor: string | null };

/**
 * The ledger in DynamoDB: lines (each in its own partition, written once on an absent key), the
 * accruals and rule totals they count up, and the periods that lock them.
 */
export class LedgerRepository {
  constructor(private readonly db: Db) {}

  async listPeriods(tenantId: string): Promise<CommissionPeriod[]> {
    const items = await this.db.queryAll({ partition: keys.commissionPeriods(tenantId) });
    return items.map((i) => fromItem<CommissionPeriod>(i));
  }

  async getPeriod(tenantId: string, period: string): Promise<CommissionPeriod | undefined> {
    return getRecord<CommissionPeriod>(this.db, keys.commissionPeriod(tenantId, period), {
      consistent: true,
    });
  }

  /**
   * Moves a period to a new status if it is still in `from` (a missing item is OPEN), so two
   * managers approving at once, or an approval racing a payment run, cannot both win.
   */
  async setPeriodStatus(
    tenantId: string,
    next: CommissionPeriod,
    from: CommissionPeriod['status'],
    extra: TransactOp[] = [],
  ): Promise<void> {
    const item = toItem(
      keys.commissionPeriod(tenantId, next.period),
      EntityType.CommissionPeriod,
      tenantId,
      next,
    );
    await this.db.transact([
      {
        item: {
          Put: {
            TableName: '',
            Item: item,
            ConditionExpression:
              from === 'OPEN'
                ? 'attribute_not_exists(pk) OR #status = :from'
                : 'attribute_exists(pk) AND #status = :from',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':from': from },
          },
        },
        onConditionFailed: () =>
          new RuleViolationError(`Commission period ${next.period} is not ${from}`, { period: next.period }),
      },
      ...extra,
    ]);
  }

  /** listRuleTotals: a recipient's PERIOD_TOTAL standings in a month, one Query. */
  async getRuleTotals(tenantId: string, recipient: string, period: string): Promise<StoredRuleTotal[]> {
    const items = await this.db.queryAll({
      partition: keys.commissionRuleTotals(tenantId, recipient),
      beginsWith: commissionSortPrefixes.month(period),
    });
    return items.map((i) => fromItem<StoredRuleTotal>(i));
  }

  /**
   * The operations that add a policy event's premium to its seller's production for the month: a
   * marker put on the event id's absence and the counter, so a replay adds nothing (it fails with
   * {@link ProductionAlreadyCountedError}). Run with the event's lines or by {@link countProduction}.
   */
  productionOps(tenantId: string, p: ProductionEntry): TransactOp[] {
    return new LedgerWriteSet(tenantId).add([], p).ops();
  }

  /** Runs {@link productionOps} on their own; false when the event was counted before. */
  async countProduction(ops: TransactOp[]): Promise<boolean> {
    try {
      await this.db.transact(ops);
      return true;
    } catch (error) {
      if (error instanceof ProductionAlreadyCountedError) return false;
      throw error;
    }
  }

  /** getPersonalProduction: what each user wrote personally in a month and currency, one BatchGetItem. */
  async getProduction(
    tenantId: string,
    userIds: readonly string[],
    period: string,
    currency: string,
  ): Promise<Record<string, string>> {
    const items = await getRecords<{ userId: string; writtenMinor?: number }>(this.db, userIds, (id) =>
      keys.commissionProduction(tenantId, id, period, currency),
    );
    return Object.fromEntries(items.map((i) => [i.userId, fromMinor(i.writtenMinor ?? 0, currency)]));
  }

  /**
   * One user's production of a month, strongly consistent: it sees the counter the event's
   * transaction has just added to (automatic promotion reads it right after booking).
   */
  async getOwnProduction(
    tenantId: string,
    userId: string,
    period: string,
    currency: string,
  ): Promise<string> {
    const item = await getRecord<{ writtenMinor?: number }>(
      this.db,
      keys.commissionProduction(tenantId, userId, period, currency),
      { consistent: true },
    );
    return fromMinor(item?.writtenMinor ?? 0, currency);
  }

  /**
   * Appends a line and adds it to its accrual in one transaction, only if the line id is absent and
   * its period is still open. A replayed event collides on the id and cancels the whole transaction,
   * so the accrual is never counted twice. Throws {@link LineAlreadyWrittenError} or {@link PeriodLockedError}.
   */
  async appendLine(tenantId: string, line: StoredLine, extra: TransactOp[] = []): Promise<void> {
    await this.appendLines(tenantId, [line], extra);
  }

  /**
   * Appends several lines (one event's) in one transaction: each line only if its id is absent,
   * their increments merged per accrual and rule total (a transaction may touch an item once), one
   * open check per month. All or nothing, so a replay finds every line present and writes nothing.
   * Throws {@link LineAlreadyWrittenError} or {@link PeriodLockedError}; {@link RangeError} when the
   * lines need more than one transaction's 100 operations.
   */
  async appendLines(tenantId: string, lines: readonly StoredLine[], extra: TransactOp[] = []): Promise<void> {
    await this.transactRetryingRaces(new LedgerWriteSet(tenantId).add(lines, null).ops(extra));
  }

  /**
   * Writes a set of events (the stream consumer's merged writes) in one transaction. Throws like
   * {@link appendLines} when any member was written before or its month was locked: nothing is written.
   */
  async appendWriteSet(set: LedgerWriteSet): Promise<void> {
    await this.transactRetryingRaces(set.ops());
  }

  /**
   * A transaction DynamoDB cancels because another one held one of its items at that moment (two
   * stream batches adding to the same manager's accrual) wrote nothing and is retried after a short
   * jittered pause; failed conditions are the caller's (db.transact maps them to domain errors).
   */
  private async transactRetryingRaces(ops: TransactOp[]): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        await this.db.transact(ops);
        return;
      } catch (error) {
        if (!isTransactionRace(error) || attempt >= MAX_RACE_RETRIES) throw error;
        await new Promise((r) => setTimeout(r, Math.random() * Math.min(200, 10 * 2 ** attempt)));
      }
    }
  }

  /** getCommissionLine with its disputes: one Query on the line's partition. */
  async getLine(
    tenantId: string,
    lineId: string,
  ): Promise<{ line: StoredLine; disputes: CommissionDispute[] } | undefined> {
    const items = await this.db.queryAll({ partition: keys.commissionLineCollection(tenantId, lineId) });
    const lineItem = items.find((i) => i.type === EntityType.CommissionLine);
    if (!lineItem) return undefined;
    return {
      line: fromItem<StoredLine>(lineItem),
      disputes: items
        .filter((i) => i.type === EntityType.CommissionDispute)
        .map((i) => fromItem<CommissionDispute>(i)),
    };
  }

  /** Every line of a policy (a cancellation claws back from them). */
  async listLinesOfPolicy(tenantId: string, policyId: string): Promise<StoredLine[]> {
    const items = await this.db.queryAll({
      index: 'gsi3',
      partition: keys.commissionLinesByPolicy(tenantId, policyId),
    });
    return items.map((i) => fromItem<StoredLine>(i));
  }

  /** The policies with lines in a month (a recompute of the month), from the month's index. */
  /**
   * One page of a month's lines as the policies they belong to (in the month's line order, each
   * policy once per page; a policy with lines on several pages comes again on a later one), and the
   * cursor of the next page: a month of a large brokerage holds a million lines, read a page at a time.
   */
  async pagePolicyIdsWithLinesInPeriod(
    tenantId: string,
    period: string,
    page: PageRequest,
  ): Promise<{ policyIds: string[]; nextCursor: string | null }> {
    const lines = await queryRecords<StoredLine>(this.db, {
      index: 'gsi2',
      partition: keys.commissionLinesByPeriod(tenantId, period),
      ...page,
    });
    return { policyIds: [...new Set(lines.items.map((l) => l.policyId))], nextCursor: lines.nextCursor };
  }

  async listLinesByRecipient(
    tenantId: string,
    recipient: string,
    period: string | null,
    page: PageRequest,
  ): Promise<Page<StoredLine>> {
    return this.linePage(
      {
        index: 'gsi1',
        partition: keys.commissionLinesByRecipient(tenantId, recipient),
        ...(period ? { beginsWith: commissionSortPrefixes.month(period) } : {}),
      },
      page,
    );
  }

  async listLinesByPolicy(
    tenantId: string,
    policyId: string,
    period: string | null,
    page: PageRequest,
  ): Promise<Page<StoredLine>> {
    return this.linePage(
      {
        index: 'gsi3',
        partition: keys.commissionLinesByPolicy(tenantId, policyId),
        ...(period ? { beginsWith: commissionSortPrefixes.month(period) } : {}),
      },
      page,
    );
  }

  async listLinesByPeriod(tenantId: string, period: string, page: PageRequest): Promise<Page<StoredLine>> {
    return this.linePage({ index: 'gsi2', partition: keys.commissionLinesByPeriod(tenantId, period) }, page);
  }

  private async linePage(
    query: { index: 'gsi1' | 'gsi2' | 'gsi3'; partition: string | ShardedPartition; beginsWith?: string },
    page: PageRequest,
  ): Promise<Page<StoredLine>> {
    return queryRecords<StoredLine>(this.db, { ...query, ...page });
  }

  /** getAccrual: a recipient's totals for a month, one item per currency, in one Query. */
  async getAccruals(tenantId: string, recipient: string, period: string): Promise<StoredAccrual[]> {
    const items = await this.db.queryAll({
      partition: keys.commissionAccruals(tenantId, recipient),
      beginsWith: commissionSortPrefixes.month(period),
    });
    return items.map((i) => fromItem<StoredAccrual>(i));
  }

  /**
   * listAccrualsByPeriod: every recipient's accrual of a month, in recipient then currency order.
   * The month's index holds each accrual's period entry (ledger-write-set.ts), whose accruals one
   * BatchGetItem reads (strongly consistent: approval fixes the totals it reads); an accrual written
   * by an earlier version, not updated since, is in the index itself and is taken as it is.
   */
  async listAccrualsByPeriod(tenantId: string, period: string): Promise<StoredAccrual[]> {
    const indexed = await this.db.queryAll({
      index: 'gsi2',
      partition: keys.commissionAccrualsByPeriod(tenantId, period),
    });
    const byAccrual = new Map<string, StoredAccrual>();
    const entries: Array<{ recipientKey: string; period: string; currency: string }> = [];
    const idOf = (a: { recipientKey: string; currency: string }) => `${a.recipientKey}#${a.currency}`;
    for (const item of indexed) {
      if (item.type === EntityType.CommissionAccrualPeriod) {
        entries.push(fromItem(item));
      } else {
        const accrual = fromItem<StoredAccrual>(item);
        byAccrual.set(idOf(accrual), accrual);
      }
    }
    const read = await this.db.batchGet(
      entries.map((e) => keys.commissionAccrual(tenantId, e.recipientKey, e.period, e.currency)),
      { consistent: true },
    );
    for (const item of read) {
      const accrual = fromItem<StoredAccrual>(item);
      byAccrual.set(idOf(accrual), accrual);
    }
    return [...byAccrual.entries()]
      .sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)))
      .map(([, accrual]) => accrual);
  }

  /** Sets the approved (or paid) total of an accrual; idempotent, so a retried approval is harmless. */
  async setAccrualTotal(
    tenantId: string,
    accrual: StoredAccrual,
    field: 'approvedMinor' | 'paidMinor',
    minor: number,
  ): Promise<void> {
    const key = keys.commissionAccrual(tenantId, accrual.recipientKey, accrual.period, accrual.currency);
    await this.db.transact([
      {
        item: {
          Update: {
            TableName: '',
            Key: { pk: key.pk, sk: key.sk },
            UpdateExpression: 'SET #field = :minor',
            ExpressionAttributeNames: { '#field': field },
            ExpressionAttributeValues: { ':minor': minor },
          },
        },
      },
    ]);
  }

  /** Every RECEIVABLE line of a month (the brokerage's slice of the by-period index). */
  async listReceivableLinesOfPeriod(tenantId: string, period: string): Promise<StoredLine[]> {
    return queryAllRecords<StoredLine>(this.db, {
      index: 'gsi2',
      partition: keys.commissionLinesByPeriod(tenantId, period),
      beginsWith: commissionSortPrefixes.recipient(recipientKey({ kind: 'BROKERAGE', id: BROKERAGE_ID })),
    });
  }
}
