import * as z from 'zod';
import { IsoDateSchema, optionalText } from '../../shared/input.js';

/** What an account is for in the journal; the tenant maps each to its own account code. */
export const ACCOUNT_ROLES = [
  'BANK',
  'CLIENT_RECEIVABLES',
  'CLIENT_CREDIT',
  'PREMIUM_PAYABLE',
  'FEE_INCOME',
  'COMMISSION_RECEIVABLE',
  'COMMISSION_INCOME',
  'COMMISSION_SUSPENSE',
  'ADVISOR_COMMISSION_EXPENSE',
  'ADVISOR_PAYABLE',
  'PARTNER_COMMISSION_EXPENSE',
  'PARTNER_PAYABLE',
] as const;
export type AccountRole = (typeof ACCOUNT_ROLES)[number];

export interface ChartAccount {
  role: AccountRole;
  code: string;
  name: string;
}

/** The tenant's chart of accounts as data: one code per role. */
export interface ChartOfAccounts {
  accounts: ChartAccount[];
  updatedBy: string | null;
  updatedAt: string | null;
  version: number;
}

/** Used until a tenant sets its own: codes in the style of the Czech chart of accounts. */
export const DEFAULT_CHART: readonly ChartAccount[] = [
  { role: 'BANK', code: '221', name: 'Bank accounts' },
  { role: 'CLIENT_RECEIVABLES', code: '311', name: 'Receivables from clients' },
  { role: 'CLIENT_CREDIT', code: '324', name: 'Client advances and credit' },
  { role: 'PREMIUM_PAYABLE', code: '379', name: 'Premium collected for insurers' },
  { role: 'FEE_INCOME', code: '602.1', name: 'Brokerage fees' },
  { role: 'COMMISSION_RECEIVABLE', code: '315', name: 'Commission receivable from insurers' },
  { role: 'COMMISSION_INCOME', code: '602', name: 'Commission income' },
  { role: 'COMMISSION_SUSPENSE', code: '395', name: 'Insurer receipts to be explained' },
  { role: 'ADVISOR_COMMISSION_EXPENSE', code: '518', name: 'Advisor commissions' },
  { role: 'ADVISOR_PAYABLE', code: '325', name: 'Commissions payable to advisors' },
  { role: 'PARTNER_COMMISSION_EXPENSE', code: '518.1', name: 'Partner commissions' },
  { role: 'PARTNER_PAYABLE', code: '325.1', name: 'Commissions payable to partners' },
];

export const SetChartOfAccountsSchema = z
  .object({
    accounts: z
      .array(
        z.object({
          role: z.enum(ACCOUNT_ROLES),
          code: z.string().trim().min(1, 'is required').max(20, 'is too long'),
          name: optionalText(100),
        }),
      )
      .min(1, 'is required')
      .max(ACCOUNT_ROLES.length, 'has more accounts than roles'),
  })
  .superRefine((v, ctx) => {
    const seen = new Set<string>();
    v.accounts.forEach((a, i) => {
      if (seen.has(a.role))
        ctx.addIssue({ code: 'custom', path: ['accounts', i, 'role'], message: 'is given twice' });
      seen.add(a.role);
    });
  });

export const ExportJournalSchema = z
  .object({ from: IsoDateSchema, to: IsoDateSchema, format: z.enum(['CSV', 'JSON']) })
  .superRefine((v, ctx) => {
    if (v.to < v.from) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
    const days = (Date.parse(v.to) - Date.parse(v.from)) / 86_400_000;
    if (days > 366) ctx.addIssue({ code: 'custom', path: ['to'], message: 'the range is at most a year' });
  });

/** One side of a journal entry: an account debited or credited (the other side is "0.00"). */
export interface JournalLine {
  account: string;
  role: AccountRole;
  debit: string;
  credit: string;
  currency: string;
}

/** Where an entry comes from, so an accounting system can trace and deduplicate it. */
export interface JournalSource {
  type: 'CommissionLine' | 'Payment' | 'CommissionPayout' | 'Invoice' | 'InsurerSettlement';
  id: string;
  /** Further ids: the policy, invoice, line ids a transfer pays. */
  refs: Record<string, string | string[]>;
}

/** A balanced entry: its debits equal its credits in each currency. */
export interface JournalEntry {
  id: string;
  date: string;
  kind: string;
  description: string;
  source: JournalSource;
  lines: JournalLine[];
}
