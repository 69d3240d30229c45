import { assertTenantWide, authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { Clock } from '../../shared/clock.js';
import { neutraliseFormula } from '../../shared/input.js';
import { parseInput } from '../../shared/validation.js';
import type { InsurerSettlementsService } from './insurer-settlements.service.js';
import {
  balances,
  codesOf,
  commissionLineEntry,
  insurerSettlementEntry,
  invoiceEntry,
  JOURNAL_CSV_COLUMNS,
  paymentEntry,
  payoutEntry,
} from './journal.js';
import {
  type ChartOfAccounts,
  DEFAULT_CHART,
  ExportJournalSchema,
  type JournalEntry,
  SetChartOfAccountsSchema,
} from './journal.model.js';
import { PAYOUT_LINK_SECONDS } from './payouts.service.js';
import type { CommissionLedgerPort, PaymentsPort, PayoutFilesTarget } from './ports.js';
import type { SettlementRepository } from './settlement.repository.js';

/** The journal file's documented JSON shape (see schema/settlement.graphql, `exportJournal`). */
export const JOURNAL_FORMAT = 'broker-crm.journal.v1';

export interface JournalExport {
  format: 'CSV' | 'JSON';
  url: string;
  expiresAt: string;
  entryCount: number;
  totals: Array<{ currency: string; debit: string; credit: string }>;
}

/**
 * The accounting journal: the tenant's chart of accounts (a code per account role), and exports of
 * balanced double-entry lines for a date range, from commission lines (receivable booked, advisor
 * and partner commissions, clawbacks, adjustments), invoices issued, payments received, commission
 * insurers paid (receivable settled) and paid payout batches.
 */
export class JournalService {
  constructor(
    private readonly repo: SettlementRepository,
    private readonly ledger: CommissionLedgerPort,
    private readonly payments: PaymentsPort,
    private readonly settlements: Pick<InsurerSettlementsService, 'settlementsBetween'>,
    private readonly files: PayoutFilesTarget | null,
    private readonly clock: Clock,
  ) {}

  async chartOfAccounts(principal: Principal | null): Promise<ChartOfAccounts> {
    const p = this.authorize(principal);
    return this.chart(p.tenantId);
  }

  /** Replaces the codes of the roles given; the others keep theirs (or the default). */
  async setChartOfAccounts(principal: Principal | null, rawInput: unknown): Promise<ChartOfAccounts> {
    const p = this.authorize(principal);
    const input = parseInput(SetChartOfAccountsSchema, rawInput);
    const current = await this.chart(p.tenantId);
    const given = new Map(input.accounts.map((a) => [a.role, a]));
    const next: ChartOfAccounts = {
      accounts: current.accounts.map((a) => {
        const g = given.get(a.role);
        return g ? { role: a.role, code: g.code, name: g.name ?? a.name } : a;
      }),
      updatedBy: p.userId,
      updatedAt: this.clock.now().toISOString(),
      version: current.version + 1,
    };
    await this.repo.putChartOfAccounts(p.tenantId, next, current.version);
    return next;
  }

  async exportJournal(principal: Principal | null, rawInput: unknown): Promise<JournalExport> {
    const p = this.authorize(principal);
    const input = parseInput(ExportJournalSchema, rawInput);
    if (!this.files) throw new Error('Journal files need a bucket: this process has none');
    const codes = codesOf((await this.chart(p.tenantId)).accounts);
    const inRange = (date: string) => date >= input.from && date <= input.to;
    const entries: JournalEntry[] = [];
    // Lines are booked within their commission month (see bookingDate).
    for (const month of months(input.from, input.to)) {
      for (const line of await this.ledger.linesOfPeriod(p, month)) {
        const entry = commissionLineEntry(codes, line);
        if (entry && inRange(entry.date)) entries.push(entry);
      }
    }
    for (const month of months(input.from, input.to)) {
      for (const invoice of await this.payments.invoicesIssuedInPeriod(p, month)) {
        const entry = invoiceEntry(codes, invoice);
        if (entry && inRange(entry.date)) entries.push(entry);
      }
    }
    for (const month of months(input.from, input.to)) {
      for (const payment of await this.payments.paymentsOfPeriod(p, month)) {
        const entry = paymentEntry(codes, payment);
        if (entry && inRange(entry.date)) entries.push(entry);
      }
    }
    for (const payout of await this.repo.listPayoutsPaidBetween(p.tenantId, input.from, input.to)) {
      for (const payment of await this.repo.listPayments(p.tenantId, payout.id)) {
        entries.push(payoutEntry(codes, payout, payment));
      }
    }
    for (const settlement of await this.settlements.settlementsBetween(p.tenantId, input.from, input.to)) {
      entries.push(insurerSettlementEntry(codes, settlement));
    }
    entries.sort((a, b) => a.date.localeCompare(b.date) || a.id.localeCompare(b.id));
    const totals = balances(entries.flatMap((e) => e.lines));
    const body =
      input.format === 'JSON'
        ? `${JSON.stringify({ format: JOURNAL_FORMAT, from: input.from, to: input.to, entries, totals }, null, 1)}\n`
        : await journalCsv(entries);
    const now = this.clock.now();
    const ext = input.format === 'JSON' ? 'json' : 'csv';
    const key = `journals/${p.tenantId}/${input.from}_${input.to}_${now.getTime()}.${ext}`;
    await this.files.store.put(
      this.files.bucket,
      key,
      body,
      input.format === 'JSON' ? 'application/json' : 'text/csv',
    );
    const url = await this.files.store.signedGetUrl(
      this.files.bucket,
      key,
      PAYOUT_LINK_SECONDS,
      `journal-${input.from}-${input.to}.${ext}`,
    );
    return {
      format: input.format,
      url,
      expiresAt: new Date(now.getTime() + PAYOUT_LINK_SECONDS * 1000).toISOString(),
      entryCount: entries.length,
      totals,
    };
  }

  private authorize(principal: Principal | null): Principal {
    const p = authorize(principal, 'commissions:approve');
    assertTenantWide(p, 'The accounting journal');
    return p;
  }

  private async chart(tenantId: string): Promise<ChartOfAccounts> {
    return (
      (await this.repo.getChartOfAccounts(tenantId)) ?? {
        accounts: [...DEFAULT_CHART],
        updatedBy: null,
        updatedAt: null,
        version: 0,
      }
    );
  }
}

async function journalCsv(entries: JournalEntry[]): Promise<string> {
  const { stringify } = await import('csv-stringify/sync'); // on first export, not at cold start
  const rows = entries.flatMap((e) =>
    e.lines.map((l) =>
      [
        e.id,
        e.date,
        e.kind,
        l.account,
        l.role,
        l.debit,
        l.credit,
        l.currency,
        e.source.type,
        e.source.id,
        e.description,
      ].map(neutraliseFormula),
    ),
  );
  return stringify(rows, { header: true, columns: [...JOURNAL_CSV_COLUMNS] });
}

function shiftMonth(date: string, by: number): string {
  const [y = 0, m = 1] = date.split('-').map(Number);
  const total = y * 12 + (m - 1) + by;
  return `${Math.floor(total / 12)}-${String((total % 12) + 1).padStart(2, '0')}-01`;
}

/** The months (YYYY-MM) from `from`'s to `to`'s, inclusive. */
function months(from: string, to: string): string[] {
  const out: string[] = [];
  for (let m = from.slice(0, 7); m <= to.slice(0, 7); m = shiftMonth(`${m}-01`, 1).slice(0, 7)) out.push(m);
  return out;
}
