import { describe, expect, it } from 'vitest';
import type { StoredLine } from '../../../functions/modules/commissions/commissions.model.js';
import { readyNow } from '../../../functions/modules/commissions/consumer-batch.js';
import { LedgerWriteSet, MAX_TRANSACT_OPS } from '../../../functions/modules/commissions/ledger-write-set.js';
import { packWrites, unitsOf } from '../../../functions/modules/commissions/write-packing.js';
import { runAsActor } from '../../../functions/shared/audit.js';
import { mapLimit } from '../../../functions/shared/map-limit.js';

const event = (name: string, reads: string[], writes: string[] = reads) => ({ name, reads, writes });
const names = (items: Array<{ name: string }>) => items.map((i) => i.name);

describe('readyNow', () => {
  it("lets records of different policies go together and holds a policy's second record for its first", () => {
    const pending = [
      event('A sold', ['policy:A']),
      event('B sold', ['policy:B']),
      event('A cancelled', ['policy:A']),
      event('C sold', ['policy:C']),
    ];
    expect(names(readyNow(pending))).toEqual(['A sold', 'B sold', 'C sold']);
    expect(names(readyNow([pending[2] as (typeof pending)[number]]))).toEqual(['A cancelled']);
  });

  it('lets readers of one counter share a round but holds its writer behind them, in stream order', () => {
    // Qualification: overrides read the upline's production; the upline's own sale writes it.
    const pending = [
      event('advisor sale', ['policy:1', 'production:manager'], ['policy:1', 'production:advisor']),
      event('franchise sale', ['policy:2', 'production:manager'], ['policy:2', 'production:franchise']),
      event('manager sale', ['policy:3'], ['policy:3', 'production:manager']),
      event('later advisor sale', ['policy:4', 'production:manager'], ['policy:4', 'production:advisor']),
    ];
    expect(names(readyNow(pending))).toEqual(['advisor sale', 'franchise sale']);
    expect(names(readyNow(pending.slice(2)))).toEqual(['manager sale']);
  });

  it('books one at a time when every event reads and writes the same running total', () => {
    const pending = ['1', '2', '3'].map((p) => event(p, [`policy:${p}`, 'period-totals']));
    expect(names(readyNow(pending))).toEqual(['1']);
  });
});

describe('mapLimit', () => {
  it('keeps results in order with at most the limit in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const results = await mapLimit([5, 1, 4, 2, 3, 1, 2], 3, async (ms, i) => {
      inFlight += 1;
      most = Math.max(most, inFlight);
      await new Promise((r) => setTimeout(r, ms));
      inFlight -= 1;
      return i;
    });
    expect(results).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(most).toBe(3);
  });
});

describe('LedgerWriteSet', () => {
  const line = (id: string, recipientId: string, amount: string): StoredLine =>
    ({
      id,
      ledger: 'ADVISOR',
      recipient: { kind: 'USER', id: recipientId },
      recipientKey: `USER:${recipientId}`,
      policyId: `policy-${id}`,
      sourceEventId: `event-${id}`,
      kind: 'ACCRUAL',
      amount,
      currency: 'CZK',
      period: '2026-01',
      explanation: { role: 'PRIMARY', tier: null, schemeId: 's', ruleId: 'r', base: amount },
    }) as unknown as StoredLine;
  const production = (eventId: string, userId: string, amount: string) => ({
    eventId,
    userId,
    amount,
    period: '2026-01',
    currency: 'CZK',
  });

  it("merges two events' increments of one accrual and one production counter into one update each", () => {
    const set = new LedgerWriteSet('t1')
      .add([line('1', 'adam', '720.00')], production('e1', 'adam', '12000.00'))
      .add([line('2', 'adam', '600.50')], production('e2', 'adam', '10000.00'));
    const ops = set.ops();
    // 2 lines, 2 markers, 1 accrual, 1 production counter, the accrual's period entry, 1 open check.
    expect(set.size).toBe(8);
    expect(ops).toHaveLength(8);
    const updates = ops.flatMap((o) => (o.item.Update ? [o.item.Update] : []));
    expect(updates.map((u) => u.ExpressionAttributeValues)).toEqual([
      expect.objectContaining({ ':a0': 132050, ':a3': 2 }),
      expect.objectContaining({ ':a0': 2200000 }),
      expect.objectContaining({ ':s6': 'T#t1#ACCRUAL#PERIOD#2026-01' }),
    ]);
  });

  it('takes the by-period index keys off the accrual counter and onto an immutable period entry', () => {
    const updates = new LedgerWriteSet('t1')
      .add([line('1', 'adam', '720.00')], null)
      .ops()
      .flatMap((o) => (o.item.Update ? [o.item.Update] : []));
    const [accrual, entry] = updates;
    // The counter removes the keys an earlier version put on it, and sets none.
    expect(accrual?.UpdateExpression).toMatch(/ REMOVE #r0, #r1 ADD /);
    expect(Object.values(accrual?.ExpressionAttributeNames ?? {})).toEqual(
      expect.arrayContaining(['gsi2pk', 'gsi2sk']),
    );
    expect(Object.values(accrual?.ExpressionAttributeValues ?? {})).not.toContain(
      'T#t1#ACCRUAL#PERIOD#2026-01',
    );
    // The entry: the same values on every write, nothing counted, no version, no time.
    expect(entry?.Key).toEqual({ pk: 'T#t1#ACCRUAL#USER:adam', sk: 'PERIOD#2026-01#CZK' });
    expect(entry?.UpdateExpression).not.toMatch(/ADD|REMOVE|if_not_exists/);
    const names = entry?.ExpressionAttributeNames ?? {};
    const values = entry?.ExpressionAttributeValues ?? {};
    const set = Object.fromEntries(Object.keys(names).map((n) => [names[n], values[n.replace('#', ':')]]));
    expect(set).toEqual({
      type: 'CommissionAccrualPeriod',
      tenantId: 't1',
      recipient: { kind: 'USER', id: 'adam' },
      recipientKey: 'USER:adam',
      period: '2026-01',
      currency: 'CZK',
      gsi2pk: 'T#t1#ACCRUAL#PERIOD#2026-01',
      gsi2sk: 'USER:adam#CZK',
    });
  });

  it('says what an event would add before it is added, a period entry per new accrual included', () => {
    const set = new LedgerWriteSet('t1').add([line('1', 'adam', '1.00')], null);
    // 1 line, 1 accrual, its period entry, 1 open check.
    expect(set.size).toBe(4);
    expect(set.sizeWith([line('2', 'adam', '1.00')], null)).toBe(5);
    expect(set.sizeWith([line('3', 'eva', '1.00')], production('e3', 'eva', '5.00'))).toBe(9);
    expect(set.ops()).toHaveLength(4);
  });

  it('counts the audit entry db.transact adds to each line under a mutation', () => {
    const actor = { tenantId: 't1', actorId: 'u1', requestId: 'r1' } as Parameters<typeof runAsActor>[0];
    const size = runAsActor(
      actor,
      () => new LedgerWriteSet('t1').add([line('1', 'adam', '1.00')], null).size,
    );
    expect(size).toBe(5);
  });
});

describe('packWrites', () => {
  const line = (id: string, recipient: string): StoredLine =>
    ({
      id,
      recipient: { kind: 'USER', id: recipient },
      recipientKey: `USER:${recipient}`,
      kind: 'ACCRUAL',
      amount: '1.00',
      currency: 'CZK',
      period: '2026-01',
      explanation: { role: 'PRIMARY', tier: null, schemeId: 's', ruleId: 'r', base: '1.00' },
    }) as unknown as StoredLine;
  // 25 events of a stream batch: the brokerage's receivable line, the seller's line, the
  // manager's override, and the seller's production.
  const sellers = ['adam', 'eva', 'ivan'];
  const batch = Array.from({ length: 25 }, (_, i) => ({
    lines: [line(`r${i}`, 'BROKERAGE'), line(`s${i}`, sellers[i % 3] as string), line(`o${i}`, 'manager')],
    production: {
      eventId: `e${i}`,
      userId: sellers[i % 3] as string,
      amount: '10.00',
      period: '2026-01',
      currency: 'CZK',
    },
  }));
  const touching = (sets: ReturnType<typeof packWrites>, recipient: string) =>
    sets.filter((s) =>
      s.set.ops().some((op) => String(op.item.Update?.Key?.pk).endsWith(`#ACCRUAL#USER:${recipient}`)),
    ).length;

  it("puts every receivable line of a batch in one transaction, so the brokerage's accrual is updated once", () => {
    const sets = packWrites(
      't1',
      batch.flatMap((e, i) => unitsOf(i, e.lines, e.production)),
    );
    expect(sets).toHaveLength(2);
    expect(sets.every((s) => s.set.size <= MAX_TRANSACT_OPS)).toBe(true);
    expect(touching(sets, 'BROKERAGE')).toBe(1);
    expect(touching(sets, 'manager')).toBe(1);
    // Every line and every production marker once.
    expect(sets.reduce((n, s) => n + [...s.lines.values()].reduce((a, b) => a + b, 0), 0)).toBe(75);
    const puts = sets.flatMap((s) =>
      s.set.ops().flatMap((op) => (op.item.Put ? [op.item.Put.Item?.pk] : [])),
    );
    expect(new Set(puts).size).toBe(100);
  });

  it('keeps each event whole when packing by event, as a recompute does', () => {
    const sets = packWrites(
      't1',
      batch.flatMap((e, i) => unitsOf(i, e.lines, e.production, 'event')),
    );
    for (const s of sets) for (const [, n] of s.lines) expect(n).toBe(3);
    // Event by event: every transaction holds receivable lines.
    expect(touching(sets, 'BROKERAGE')).toBe(sets.length);
    expect(sets.length).toBeGreaterThan(1);
  });
});
