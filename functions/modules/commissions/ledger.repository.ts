import { type Db, type Page, putNewOp, type TransactOp } from '../../shared/db.js';
import { RuleViolationError } from '../../shared/errors.js';
import {
  fromItem,
  getRecord,
  getRecords,
  queryAllRecords,
  queryRecords,
  toItem,
} from '../../shared/items.js';
import { money } from '../../shared/money.js';
import {
  commissionSortPrefixes,
  EntityType,
  type ItemKey,
  keys,
  type ShardedPartition,
  TABLE,
} from '../../shared/table-design.js';
import {
  accrualBucket,
  type CommissionDispute,
  type CommissionPeriod,
  periodTotalShare,
  recipientKey,
  type StoredAccrual,
  type StoredLine,
  type StoredRuleTotal,
} from './commissions.model.js';
import { BROKERAGE_ID } from './engine/index.js';
import { fromMinor, toMinor } from './minor-units.js';

type PageRequest = { limit: number; cursor: string | null };

/** A line with this id exists: the event was processed before (a replay), so nothing is written. */
export class LineAlreadyWrittenError extends Error {
  constructor(readonly lineId: string) {
    super(`Commission line ${lineId} is already in the ledger`);
    this.name = 'LineAlreadyWrittenError';
  }
}

/** The period a line was headed for was approved meanwhile: it must go to the next open one. */
export class PeriodLockedError extends RuleViolationError {
  constructor(period: string) {
    super(`Commission period ${period} is locked`, { period });
  }
}

/** The event was counted into an advisor's production before (a replay): nothing is added. */
export class ProductionAlreadyCountedError extends Error {
  constructor(readonly eventId: string) {
    super(`Production of event ${eventId} is already counted`);
    this.name = 'ProductionAlreadyCountedError';
  }
}

/** Premium an advisor wrote personally in a month (POLICY_WRITTEN premium plus endorsement changes). */
export interface ProductionEntry {
  userId: string;
  period: string;
  currency: string;
  /** Decimal string in the currency; negative when an endorsement lowers the premium. */
  amount: string;
  eventId: string;
}

/** An item counted up by ADD: its key and type, attributes set on every write, and the increments. */
interface Counter {
  key: ItemKey;
  type: string;
  set: Record<string, unknown>;
  add: Record<string, number>;
}

/**
 * An atomic counter update: sets the descriptive attributes (so the first update creates the item)
 * and ADDs integer minor units, which DynamoDB adds exactly and which stay exact as JS numbers.
 */
function counterOp(
  key: ItemKey,
  type: string,
  set: Record<string, unknown>,
  add: Record<string, number>,
): TransactOp {
  const names: Record<string, string> = { '#type': TABLE.entityType, '#version': TABLE.version };
  const values: Record<string, unknown> = { ':type': type, ':zero': 0, ':one': 1 };
  const sets = ['#type = :type', '#version = if_not_exists(#version, :zero) + :one'];
  Object.entries(set).forEach(([attribute, value], i) => {
    names[`#s${i}`] = attribute;
    values[`:s${i}`] = value;
    sets.push(`#s${i} = :s${i}`);
  });
  const adds = Object.entries(add).map(([attribute, value], i) => {
    names[`#a${i}`] = attribute;
    values[`:a${i}`] = value;
    return `#a${i} :a${i}`;
  });
  return {
    item: {
      Update: {
        TableName: '',
        Key: { pk: key.pk, sk: key.sk },
        UpdateExpression: `SET ${sets.join(', ')} ADD ${adds.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
  };
}

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

  private lineItem(tenantId: string, line: StoredLine) {
    return toItem(
      keys.commissionLine(tenantId, line.id),
      EntityType.CommissionLine,
      tenantId,
      line,
      keys.commissionLineIndexes(tenantId, {
        id: line.id,
        recipient: line.recipientKey,
        period: line.period,
        policyId: line.policyId,
      }),
    );
  }

  /** Adds a line's amount to its recipient's accrual for the period (created on first use). */
  private accrualCounter(tenantId: string, line: StoredLine): Counter {
    const minor = toMinor(line.amount, line.currency);
    const bucket = accrualBucket(line.kind);
    return {
      key: keys.commissionAccrual(tenantId, line.recipientKey, line.period, line.currency),
      type: EntityType.CommissionAccrual,
      set: {
        tenantId,
        recipient: line.recipient,
        recipientKey: line.recipientKey,
        period: line.period,
        currency: line.currency,
        ...keys.commissionAccrualIndexes(tenantId, {
          recipient: line.recipientKey,
          period: line.period,
          currency: line.currency,
        }),
      },
      add: {
        accruedMinor: bucket === 'accrued' ? minor : 0,
        clawedBackMinor: bucket === 'clawedBack' ? minor : 0,
        adjustedMinor: bucket === 'adjusted' ? minor : 0,
        lineCount: 1,
      },
    };
  }

  /** Adds a PERIOD_TOTAL line's volume and amount to its recipient's running total for the rule. */
  private ruleTotalCounter(tenantId: string, line: StoredLine): Counter | null {
    const share = periodTotalShare(line);
    if (!share) return null;
    const ex = line.explanation;
    return {
      key: keys.commissionRuleTotal(tenantId, line.recipientKey, line.period, ex.schemeId, ex.ruleId),
      type: EntityType.CommissionRuleTotal,
      set: {
        tenantId,
        recipientKey: line.recipientKey,
        period: line.period,
        schemeId: ex.schemeId,
        ruleId: ex.ruleId,
        currency: line.currency,
      },
      add: {
        volumeMinor: share.volume ? toMinor(money(ex.base, line.currency).amount, line.currency) : 0,
        earnedMinor: toMinor(line.amount, line.currency),
      },
    };
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
    const marker = toItem(
      keys.commissionProductionEvent(tenantId, p.eventId),
      EntityType.CommissionProductionEvent,
      tenantId,
      { eventId: p.eventId, userId: p.userId, period: p.period },
    );
    return [
      putNewOp(marker, () => new ProductionAlreadyCountedError(p.eventId)),
      counterOp(
        keys.commissionProduction(tenantId, p.userId, p.period, p.currency),
        EntityType.CommissionProduction,
        { tenantId, userId: p.userId, period: p.period, currency: p.currency },
        { writtenMinor: toMinor(money(p.amount, p.currency).amount, p.currency) },
      ),
    ];
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

  private periodOpenCheck(tenantId: string, period: string): TransactOp {
    const key = keys.commissionPeriod(tenantId, period);
    return {
      item: {
        ConditionCheck: {
          TableName: '',
          Key: { pk: key.pk, sk: key.sk },
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':open': 'OPEN' },
        },
      },
      onConditionFailed: () => new PeriodLockedError(period),
    };
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
    const counters = new Map<string, Counter>();
    const periods = new Set<string>();
    for (const line of lines) {
      periods.add(line.period);
      for (const counter of [this.accrualCounter(tenantId, line), this.ruleTotalCounter(tenantId, line)]) {
        if (!counter) continue;
        const id = `${counter.key.pk}|${counter.key.sk}`;
        const merged = counters.get(id);
        if (!merged) counters.set(id, { ...counter, add: { ...counter.add } });
        else for (const [k, v] of Object.entries(counter.add)) merged.add[k] = (merged.add[k] ?? 0) + v;
      }
    }
    await this.db.transact([
      ...lines.map((line) =>
        putNewOp(this.lineItem(tenantId, line), () => new LineAlreadyWrittenError(line.id)),
      ),
      ...[...counters.values()].map((c) => counterOp(c.key, c.type, c.set, c.add)),
      ...[...periods].map((period) => this.periodOpenCheck(tenantId, period)),
      ...extra,
    ]);
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
  async listPolicyIdsWithLinesInPeriod(tenantId: string, period: string): Promise<string[]> {
    const lines = await queryAllRecords<StoredLine>(this.db, {
      index: 'gsi2',
      partition: keys.commissionLinesByPeriod(tenantId, period),
    });
    return [...new Set(lines.map((l) => l.policyId))];
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

  async listAccrualsByPeriod(tenantId: string, period: string): Promise<StoredAccrual[]> {
    const items = await this.db.queryAll({
      index: 'gsi2',
      partition: keys.commissionAccrualsByPeriod(tenantId, period),
    });
    return items.map((i) => fromItem<StoredAccrual>(i));
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
