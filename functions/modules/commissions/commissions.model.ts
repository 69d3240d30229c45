import * as z from 'zod';
import {
  AmountSchema,
  base64File,
  IdSchema,
  IsoDateSchema,
  MoneyInputSchema,
  PeriodSchema,
  text,
} from '../../shared/input.js';
import { CurrencySchema } from '../../shared/money.js';
import {
  type CommissionLine,
  LEDGERS,
  type Ledger,
  type Recipient,
  type RecipientKind,
  type Scheme,
  SchemeVersionSchema,
} from './engine/index.js';

/**
 * The commission ledger around the pure engine: stored schemes with their change history, ledger
 * lines with the period they landed in, per-recipient monthly accruals, periods and disputes.
 */

/** A stored scheme: the engine's scheme plus who changed it last, and its optimistic-locking version. */
export interface StoredScheme extends Scheme {
  version: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
}

export const SCHEME_CHANGE_ACTIONS = ['CREATED', 'VERSION_ADDED', 'VERSION_EDITED'] as const;
export type SchemeChangeAction = (typeof SCHEME_CHANGE_ACTIONS)[number];

/** One change of a scheme, kept for ever: what changed, by whom, when, and the version as it became. */
export interface SchemeChange {
  id: string;
  schemeId: string;
  action: SchemeChangeAction;
  /** The version added or edited; null for the creation entry itself. */
  schemeVersion: number | null;
  /** The scheme version as the change left it (the whole version, so history can be replayed). */
  snapshot: Scheme['versions'][number] | null;
  by: string;
  at: string;
}

/** A line as stored: the engine's line plus the period it landed in and, for adjustments, why and by whom. */
export interface StoredLine extends CommissionLine {
  /** `YYYY-MM`: the month it counts in (the next open one when its own month is locked). */
  period: string;
  /** `<KIND>:<id>`, the recipient as index keys carry it. */
  recipientKey: string;
  reason: string | null;
  by: string | null;
  /** The policy's insurer and number, so an insurer's statement can be matched without reading policies. */
  insurerId?: string | null;
  policyNumber?: string | null;
  /** The policy's client: with the policy id it is the policy's key (absent on lines written before it was kept). */
  clientId?: string | null;
  createdAt: string;
  version: number;
}

export const PERIOD_STATUSES = ['OPEN', 'APPROVED', 'PAID'] as const;
export type PeriodStatus = (typeof PERIOD_STATUSES)[number];

/** A commission month. A month without a stored item is OPEN. */
export interface CommissionPeriod {
  period: string;
  status: PeriodStatus;
  approvedBy: string | null;
  approvedAt: string | null;
  paidBy: string | null;
  paidAt: string | null;
  version: number;
}

/**
 * A recipient's running totals for one month and currency, kept in integer minor units so the
 * stream consumer can add to them atomically (DynamoDB ADD) without any binary float.
 */
export interface StoredAccrual {
  recipient: Recipient;
  recipientKey: string;
  period: string;
  currency: string;
  accruedMinor: number;
  clawedBackMinor: number;
  adjustedMinor: number;
  approvedMinor?: number;
  paidMinor?: number;
  lineCount: number;
}

/** A recipient's volume and earnings on one PERIOD_TOTAL rule in one month, in minor units. */
export interface StoredRuleTotal {
  recipientKey: string;
  period: string;
  schemeId: string;
  ruleId: string;
  currency: string;
  volumeMinor: number;
  earnedMinor: number;
}

/**
 * Whether a line counts towards its rule's period total: the rule's own recipient's line of a
 * PERIOD_TOTAL tier (its base is the event's volume), and tier corrections (earnings only).
 */
export function periodTotalShare(line: CommissionLine): { volume: boolean } | null {
  if (line.kind === 'TIER_CORRECTION') return { volume: false };
  if (line.kind === 'ADJUSTMENT') return null;
  const tier = line.explanation.tier;
  return tier?.volume === 'PERIOD_TOTAL' && line.explanation.role === 'PRIMARY' ? { volume: true } : null;
}

export const DISPUTE_STATUSES = ['OPEN', 'ADJUSTED', 'REJECTED'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

export interface CommissionDispute {
  id: string;
  lineId: string;
  comment: string;
  status: DisputeStatus;
  raisedBy: string;
  raisedAt: string;
  resolution: string | null;
  resolvedBy: string | null;
  resolvedAt: string | null;
  adjustmentLineId: string | null;
  version: number;
}

/** Lines of these kinds count as accrued; clawbacks and their reversals, and adjustments, have their own totals. */
export function accrualBucket(kind: CommissionLine['kind']): 'accrued' | 'clawedBack' | 'adjusted' {
  if (kind === 'CLAWBACK' || kind === 'CLAWBACK_REVERSAL') return 'clawedBack';
  if (kind === 'ADJUSTMENT') return 'adjusted';
  return 'accrued';
}

export function recipientKey(r: Recipient): string {
  return `${r.kind}:${r.id}`;
}

export function nextPeriod(period: string): string {
  const [y = 0, m = 0] = period.split('-').map((p) => Number.parseInt(p, 10));
  const next = m === 12 ? { y: y + 1, m: 1 } : { y, m: m + 1 };
  return `${String(next.y).padStart(4, '0')}-${String(next.m).padStart(2, '0')}`;
}

// ---- input schemas ------------------------------------------------------------------------

const id = IdSchema;
const expectedVersion = z.number().int().min(1);

export { PeriodSchema };

/** A version as the manager sends it: the number is assigned by the service. */
const VersionInputSchema = SchemeVersionSchema.omit({ version: true });

export const CreateSchemeSchema = z.object({
  name: text(200),
  currency: CurrencySchema,
  versions: z.array(VersionInputSchema).max(20).default([]),
});

export const AddSchemeVersionSchema = z.object({
  schemeId: id,
  expectedVersion,
  version: VersionInputSchema,
});

export const EditSchemeVersionSchema = z.object({
  schemeId: id,
  expectedVersion,
  schemeVersion: z.number().int().min(1),
  version: VersionInputSchema,
});

const RecipientInputSchema = z.object({
  kind: z.enum(['USER', 'PARTNER', 'BROKERAGE'] satisfies RecipientKind[]),
  id: id.nullish(),
});

export const LineFilterSchema = z.object({
  recipient: RecipientInputSchema.nullish(),
  period: PeriodSchema.nullish(),
  policyId: id.nullish(),
  ledger: z.enum(LEDGERS).nullish(),
});
export type LineFilter = z.output<typeof LineFilterSchema>;

export const AccrualQuerySchema = z.object({
  recipient: RecipientInputSchema.nullish(),
  period: PeriodSchema,
});

export const AdjustLineSchema = z.object({
  lineId: id,
  /** Signed: what to add to the recipient's commission. */
  amount: AmountSchema.refine((v) => !/^-?0+(\.0+)?$/.test(v), 'must not be zero'),
  reason: text(500),
});

export const DisputeLineSchema = z.object({ lineId: id, comment: text(1000) });

export const ResolveDisputeSchema = z
  .object({
    lineId: id,
    disputeId: id,
    expectedVersion,
    resolution: z.enum(['ADJUST', 'REJECT']),
    amount: AmountSchema.nullish(),
    comment: text(1000),
  })
  .superRefine((r, ctx) => {
    if (r.resolution === 'ADJUST' && (!r.amount || /^-?0+(\.0+)?$/.test(r.amount)))
      ctx.addIssue({ code: 'custom', path: ['amount'], message: 'is required to adjust' });
  });

export const PeriodActionSchema = z.object({ period: PeriodSchema });

const isoDate = IsoDateSchema;

/** A hypothetical policy to simulate: what writePolicy would take, plus the client's facts. */
export const SimulateSchema = z.object({
  insurerId: id,
  productLineId: id,
  premium: MoneyInputSchema,
  writtenDate: isoDate,
  termStart: isoDate.nullish(),
  termEnd: isoDate.nullish(),
  businessType: z.enum(['NEW', 'RENEWAL']).nullish(),
  renewalYear: z.number().int().min(1).max(100).nullish(),
  sellerId: id.nullish(),
  originatorId: id.nullish(),
  referringPartnerId: id.nullish(),
  clientSegment: id.nullish(),
  acquisitionType: id.nullish(),
  leadSourceId: id.nullish(),
});
export type SimulationInput = z.output<typeof SimulateSchema>;

export type { Ledger };

// ---- insurer statement reconciliation ----------------------------------------------------

export const RECONCILIATION_STATUSES = ['MATCHED', 'AMOUNT_MISMATCH', 'UNEXPECTED', 'MISSING'] as const;
export type ReconciliationStatus = (typeof RECONCILIATION_STATUSES)[number];

/** Which statement column holds what, per insurer. */
export const StatementMappingSchema = z.object({
  policyNumber: text(100),
  amount: text(100),
  period: text(100).nullish(),
  currency: text(100).nullish(),
});
export type StatementMapping = z.output<typeof StatementMappingSchema>;

export const ImportStatementSchema = z.object({
  insurerId: id,
  period: PeriodSchema,
  format: z.enum(['CSV', 'XLSX']),
  contentBase64: base64File(14_000_000),
  currency: CurrencySchema,
  /** Saved for the insurer; without it the insurer's saved mapping applies. */
  mapping: StatementMappingSchema.nullish(),
});

/** One policy number of one month, compared: what the insurer paid against the RECEIVABLE lines. */
export interface ReconciliationRow {
  insurerId: string;
  period: string;
  policyNumber: string;
  policyId: string | null;
  status: ReconciliationStatus;
  statementAmount: string | null;
  expectedAmount: string | null;
  /** Statement minus expected. */
  difference: string | null;
  currency: string;
  /** Row numbers in the file (header is row 1). */
  rows: number[];
  importedAt: string;
  importedBy: string;
}

/** Matching key of a policy number: trimmed, upper case, no spaces, no leading zeros. */
export function statementNumberKey(value: string): string {
  return value
    .trim()
    .toUpperCase()
    .replace(/\s+/g, '')
    .replace(/^0+(?=.)/, '');
}
