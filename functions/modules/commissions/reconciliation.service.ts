import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import { NotFoundError, ValidationFailedError } from '../../shared/errors.js';
import { AmountSchema } from '../../shared/input.js';
import { Dec, type Money, money } from '../../shared/money.js';
import { readRows } from '../../shared/tabular-file.js';
import { parseInput } from '../../shared/validation.js';
import type { CommissionOrgDirectory } from './commission-lookups.js';
import {
  ImportStatementSchema,
  PeriodSchema,
  type ReconciliationRow,
  statementNumberKey,
} from './commissions.model.js';
import type { LedgerRepository } from './ledger.repository.js';
import { receivableOfInsurer } from './receivable-reads.js';
import type { ReconciliationRepository } from './reconciliation.repository.js';

/** Insurers' commission statements matched against the receivable ledger, and what is left to work. */
export class ReconciliationService {
  constructor(
    private readonly statements: ReconciliationRepository,
    private readonly ledger: LedgerRepository,
    private readonly org: CommissionOrgDirectory,
    private readonly clock: Clock,
  ) {}

  /**
   * Imports an insurer's commission statement (CSV or XLSX, the insurer's column mapping) and matches
   * it, per normalised policy number and month, against the RECEIVABLE lines: MATCHED,
   * AMOUNT_MISMATCH (with the difference), UNEXPECTED (paid, not expected) and MISSING (expected, not
   * paid). The result replaces the month's previous reconciliation for the insurer.
   */
  async importStatement(
    principal: Principal | null,
    raw: unknown,
  ): Promise<{ rows: ReconciliationRow[]; invalidRows: Array<{ row: number; message: string }> }> {
    const p = authorize(principal, 'commissions:reconcile');
    const input = parseInput(ImportStatementSchema, raw);
    if (!(await this.org.insurerExists(p.tenantId, input.insurerId))) {
      throw new NotFoundError('Insurer', input.insurerId);
    }
    const mapping = input.mapping ?? (await this.statements.getStatementMapping(p.tenantId, input.insurerId));
    if (!mapping) {
      throw new ValidationFailedError('This insurer has no statement mapping yet', [
        { path: 'input.mapping', message: 'is required for the first statement of an insurer' },
      ]);
    }
    if (input.mapping) await this.statements.putStatementMapping(p.tenantId, input.insurerId, input.mapping);
    const fileRows = await readRows(input.format, Buffer.from(input.contentBase64, 'base64'));
    const invalidRows: Array<{ row: number; message: string }> = [];
    /** Statement amounts by month, then by policy number key. */
    const paid = new Map<string, Map<string, { amount: Dec; rows: number[] }>>([[input.period, new Map()]]);
    for (const [i, r] of fileRows.entries()) {
      const row = i + 2;
      const number = statementNumberKey(r[mapping.policyNumber] ?? '');
      const amount = AmountSchema.safeParse((r[mapping.amount] ?? '').replace(/\s/g, '').replace(',', '.'));
      const period = mapping.period ? (r[mapping.period] ?? '').trim().slice(0, 7) : input.period;
      const currency = mapping.currency ? (r[mapping.currency] ?? '').trim().toUpperCase() : input.currency;
      const problem = !number
        ? `${mapping.policyNumber} is empty`
        : !amount.success
          ? `${mapping.amount} is not an amount`
          : !PeriodSchema.safeParse(period).success
            ? `${mapping.period} is not a month`
            : currency !== input.currency
              ? `currency ${currency} is not ${input.currency}`
              : null;
      if (problem !== null || !amount.success) {
        invalidRows.push({ row, message: problem ?? 'is not valid' });
        continue;
      }
      const month = paid.get(period) ?? new Map();
      paid.set(period, month);
      const entry = month.get(number) ?? { amount: new Dec(0), rows: [] };
      month.set(number, { amount: entry.amount.plus(amount.data), rows: [...entry.rows, row] });
    }
    const at = this.clock.now().toISOString();
    const all: ReconciliationRow[] = [];
    for (const [period, month] of paid) {
      const expected = new Map<string, { amount: Dec; policyId: string }>();
      for (const l of await this.ledger.listReceivableLinesOfPeriod(p.tenantId, period)) {
        if (l.insurerId !== input.insurerId || !l.policyNumber || l.currency !== input.currency) continue;
        const key = statementNumberKey(l.policyNumber);
        const e = expected.get(key) ?? { amount: new Dec(0), policyId: l.policyId };
        expected.set(key, { ...e, amount: e.amount.plus(l.amount) });
      }
      const rows: ReconciliationRow[] = [];
      for (const number of new Set([...month.keys(), ...expected.keys()])) {
        const got = month.get(number);
        const want = expected.get(number);
        const fmt = (d: Dec | undefined) => (d === undefined ? null : money(d, input.currency).amount);
        const status: ReconciliationRow['status'] = !want
          ? 'UNEXPECTED'
          : !got
            ? 'MISSING'
            : got.amount.eq(want.amount)
              ? 'MATCHED'
              : 'AMOUNT_MISMATCH';
        rows.push({
          insurerId: input.insurerId,
          period,
          policyNumber: number,
          policyId: want?.policyId ?? null,
          status,
          statementAmount: fmt(got?.amount),
          expectedAmount: fmt(want?.amount),
          difference: got && want ? fmt(got.amount.minus(want.amount)) : null,
          currency: input.currency,
          rows: got?.rows ?? [],
          importedAt: at,
          importedBy: p.userId,
        });
      }
      await this.statements.replaceReconciliation(p.tenantId, input.insurerId, period, rows);
      all.push(...rows);
    }
    return { rows: all, invalidRows };
  }

  /** What needs a person after a statement import: every row of the month that is not MATCHED. */
  async statementExceptions(
    principal: Principal | null,
    insurerId: string,
    period: string,
  ): Promise<ReconciliationRow[]> {
    const p = authorize(principal, 'commissions:reconcile');
    const month = parseInput(PeriodSchema, period, 'period');
    return (await this.statements.listReconciliation(p.tenantId, insurerId, month)).filter(
      (r) => r.status !== 'MATCHED',
    );
  }

  /**
   * The commission receivable booked for an insurer's month, one sum per currency (its RECEIVABLE
   * lines, clawbacks netted): what money arriving from the insurer settles. A tenant-level read for
   * the settlement module, which authorizes its own callers.
   */
  receivableOfInsurer(tenantId: string, insurerId: string, period: string): Promise<Money[]> {
    return receivableOfInsurer(this.ledger, tenantId, insurerId, period);
  }
}
