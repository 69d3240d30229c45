import { currentActor } from '../../shared/audit.js';
import { putNewOp, type StoredItem, type TransactOp } from '../../shared/db.js';
import { RuleViolationError } from '../../shared/errors.js';
import { toItem } from '../../shared/items.js';
import { money } from '../../shared/money.js';
import { EntityType, type ItemKey, keys, TABLE } from '../../shared/table-design.js';
import { accrualBucket, periodTotalShare, type StoredLine } from './commissions.model.js';
import { toMinor } from './minor-units.js';

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

/** The most operations one TransactWriteItems may hold. */
export const MAX_TRANSACT_OPS = 100;

/** An item counted up by ADD: its key and type, attributes set on every write, and the increments. */
interface Counter {
  key: ItemKey;
  type: string;
  set: Record<string, unknown>;
  add: Record<string, number>;
  /** Attributes the update removes (index keys an earlier version kept on the item). */
  remove?: readonly string[];
}

/**
 * Index keys an accrual written by an earlier version carries (its by-period entry): removed by its
 * next counter update, so the accrual leaves the index and its period entry stands in for it.
 */
const ACCRUAL_LEGACY_INDEX_KEYS = ['gsi2pk', 'gsi2sk'] as const;

/** An accrual's period entry: its key, and the immutable attributes (index keys included) it holds. */
interface PeriodEntry {
  key: ItemKey;
  set: Record<string, unknown>;
}

const counterId = (key: ItemKey) => `${key.pk}|${key.sk}`;

/**
 * Operations a line takes in the transaction: its put, and under a mutation's actor (a recompute, an
 * adjustment) the audit entry db.transact adds for every change to an audited item (audit.ts).
 */
const opsPerLine = (): number => (currentActor() ? 2 : 1);

/**
 * An atomic counter update: sets the descriptive attributes (so the first update creates the item)
 * and ADDs integer minor units, which DynamoDB adds exactly and which stay exact as JS numbers. No
 * version condition: ADDs commute, so writers that touch one counter at once lose nothing (a
 * transaction that collides with another is cancelled whole and retried by the repository).
 */
function counterOp(c: Counter): TransactOp {
  const names: Record<string, string> = { '#type': TABLE.entityType, '#version': TABLE.version };
  const values: Record<string, unknown> = { ':type': c.type, ':zero': 0, ':one': 1 };
  const sets = ['#type = :type', '#version = if_not_exists(#version, :zero) + :one'];
  Object.entries(c.set).forEach(([attribute, value], i) => {
    names[`#s${i}`] = attribute;
    values[`:s${i}`] = value;
    sets.push(`#s${i} = :s${i}`);
  });
  const adds = Object.entries(c.add).map(([attribute, value], i) => {
    names[`#a${i}`] = attribute;
    values[`:a${i}`] = value;
    return `#a${i} :a${i}`;
  });
  const removes = (c.remove ?? []).map((attribute, i) => {
    names[`#r${i}`] = attribute;
    return `#r${i}`;
  });
  const remove = removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : '';
  return {
    item: {
      Update: {
        TableName: '',
        Key: { pk: c.key.pk, sk: c.key.sk },
        UpdateExpression: `SET ${sets.join(', ')}${remove} ADD ${adds.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
  };
}

/**
 * The period entry's write: an Update that SETs the same immutable values every time (no version,
 * no timestamp), so after the first write it changes nothing, and DynamoDB writes no index entry and
 * no stream record for it: the month's accrual index is written once per recipient and currency.
 */
function periodEntryOp(e: PeriodEntry): TransactOp {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const sets = Object.entries(e.set).map(([attribute, value], i) => {
    names[`#s${i}`] = attribute;
    values[`:s${i}`] = value;
    return `#s${i} = :s${i}`;
  });
  return {
    item: {
      Update: {
        TableName: '',
        Key: { pk: e.key.pk, sk: e.key.sk },
        UpdateExpression: `SET ${sets.join(', ')}`,
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    },
  };
}

/** The period entry of a line's accrual (one per recipient, month and currency). */
function accrualPeriodEntry(tenantId: string, line: StoredLine): PeriodEntry {
  const at = { recipient: line.recipientKey, period: line.period, currency: line.currency };
  return {
    key: keys.commissionAccrualPeriodEntry(tenantId, line.recipientKey, line.period, line.currency),
    set: {
      [TABLE.entityType]: EntityType.CommissionAccrualPeriod,
      tenantId,
      recipient: line.recipient,
      recipientKey: line.recipientKey,
      period: line.period,
      currency: line.currency,
      ...keys.commissionAccrualIndexes(tenantId, at),
    },
  };
}

function lineItem(tenantId: string, line: StoredLine): StoredItem {
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
function accrualCounter(tenantId: string, line: StoredLine): Counter {
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
    },
    remove: ACCRUAL_LEGACY_INDEX_KEYS,
    add: {
      accruedMinor: bucket === 'accrued' ? minor : 0,
      clawedBackMinor: bucket === 'clawedBack' ? minor : 0,
      adjustedMinor: bucket === 'adjusted' ? minor : 0,
      lineCount: 1,
    },
  };
}

/** Adds a PERIOD_TOTAL line's volume and amount to its recipient's running total for the rule. */
function ruleTotalCounter(tenantId: string, line: StoredLine): Counter | null {
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

function productionCounter(tenantId: string, p: ProductionEntry): Counter {
  return {
    key: keys.commissionProduction(tenantId, p.userId, p.period, p.currency),
    type: EntityType.CommissionProduction,
    set: { tenantId, userId: p.userId, period: p.period, currency: p.currency },
    add: { writtenMinor: toMinor(money(p.amount, p.currency).amount, p.currency) },
  };
}

/**
 * The writes of one or more commission events as one transaction: each line put only on an absent
 * id, each production marker only on an absent event id, the counters the lines and production add
 * to merged per item (a transaction may touch an item once, and twenty events of one team all add to
 * the brokerage's and the manager's accruals), each accrual's period entry once, one open check per
 * month. All or nothing: a replay of any member finds its line or marker taken and cancels the whole
 * set.
 */
export class LedgerWriteSet {
  private readonly lines: StoredLine[] = [];
  private readonly markers: TransactOp[] = [];
  private readonly counters = new Map<string, Counter>();
  private readonly entries = new Map<string, PeriodEntry>();
  private readonly periods = new Set<string>();

  constructor(readonly tenantId: string) {}

  /** Operations the transaction holds (audit entries db.transact adds included). */
  get size(): number {
    return (
      this.lines.length * opsPerLine() +
      this.markers.length +
      this.counters.size +
      this.entries.size +
      this.periods.size
    );
  }

  /** What {@link size} would be with `lines` and `production` added (nothing is added). */
  sizeWith(lines: readonly StoredLine[], production: ProductionEntry | null): number {
    const counters = new Set<string>();
    for (const c of this.countersOf(lines, production)) {
      const id = counterId(c.key);
      if (!this.counters.has(id)) counters.add(id);
    }
    const entries = new Set<string>();
    for (const line of lines) {
      const id = counterId(accrualPeriodEntry(this.tenantId, line).key);
      if (!this.entries.has(id)) entries.add(id);
    }
    const periods = new Set(lines.map((l) => l.period).filter((p) => !this.periods.has(p)));
    return (
      this.size +
      lines.length * opsPerLine() +
      (production ? 1 : 0) +
      counters.size +
      entries.size +
      periods.size
    );
  }

  /** Adds an event's lines and its production (null: none). */
  add(lines: readonly StoredLine[], production: ProductionEntry | null): this {
    this.lines.push(...lines);
    for (const line of lines) {
      this.periods.add(line.period);
      const entry = accrualPeriodEntry(this.tenantId, line);
      this.entries.set(counterId(entry.key), entry);
    }
    if (production) {
      const marker = toItem(
        keys.commissionProductionEvent(this.tenantId, production.eventId),
        EntityType.CommissionProductionEvent,
        this.tenantId,
        { eventId: production.eventId, userId: production.userId, period: production.period },
      );
      this.markers.push(putNewOp(marker, () => new ProductionAlreadyCountedError(production.eventId)));
    }
    for (const counter of this.countersOf(lines, production)) {
      const id = counterId(counter.key);
      const merged = this.counters.get(id);
      if (!merged) this.counters.set(id, { ...counter, add: { ...counter.add } });
      else for (const [k, v] of Object.entries(counter.add)) merged.add[k] = (merged.add[k] ?? 0) + v;
    }
    return this;
  }

  /**
   * The transaction: conditional puts first (their failure names the error), then counters, the
   * accruals' period entries and checks.
   */
  ops(extra: readonly TransactOp[] = []): TransactOp[] {
    return [
      ...this.lines.map((line) =>
        putNewOp(lineItem(this.tenantId, line), () => new LineAlreadyWrittenError(line.id)),
      ),
      ...this.markers,
      ...[...this.counters.values()].map(counterOp),
      ...[...this.entries.values()].map(periodEntryOp),
      ...[...this.periods].map((period) => this.periodOpenCheck(period)),
      ...extra,
    ];
  }

  private countersOf(lines: readonly StoredLine[], production: ProductionEntry | null): Counter[] {
    const counters = lines.flatMap((line) => {
      const total = ruleTotalCounter(this.tenantId, line);
      return total ? [accrualCounter(this.tenantId, line), total] : [accrualCounter(this.tenantId, line)];
    });
    return production ? [...counters, productionCounter(this.tenantId, production)] : counters;
  }

  private periodOpenCheck(period: string): TransactOp {
    const key = keys.commissionPeriod(this.tenantId, period);
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
}
