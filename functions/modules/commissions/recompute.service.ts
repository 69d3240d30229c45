import { createHash } from 'node:crypto';
import * as z from 'zod';
import { assertTenantWide, authorize, canReach, policyReach } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import { ForbiddenError, NotFoundError } from '../../shared/errors.js';
import { IdSchema } from '../../shared/input.js';
import { parseInput } from '../../shared/validation.js';
import type { ClientLookup, PolicyLookup, PolicyRecord } from './commission-lookups.js';
import { PeriodSchema } from './commissions.model.js';
import { usesPremiumQualification } from './engine/index.js';
import type { LedgerRepository } from './ledger.repository.js';
import { type EventWrites, firstOpen, type LedgerWriter } from './ledger-writer.js';
import {
  comparedLines,
  type Difference,
  differences,
  replayedLines,
  replayMonths,
} from './recompute-history.js';
import type { SchemesRepository } from './schemes.repository.js';

/**
 * How many policies' RECOMPUTE lines are appended together ({@link LedgerWriter.appendEvents}: whole
 * policies packed into as few transactions as fit, each counter updated once per transaction). A
 * month's recompute walks ~33 policies a second; written policy by policy, each one updated the
 * brokerage's accrual item (one item, one partition) once, ~33 times a second. Together, about once
 * per 15 policies (a policy of 3 lines takes 6 operations with their audit entries).
 * At most this many policies' differences are computed and not yet written when a request is cut
 * off; nothing of them is written then, and the next recompute finds them again.
 */
export const RECOMPUTE_POLICIES_PER_WRITE = 25;

/**
 * How a month's recompute is split over requests: a page of the month's lines at a time (their
 * policies recomputed), until the time budget is spent — well inside the API's 29 s — and then the
 * answer carries `nextCursor` to go on from. At least one page is done per request, so every call
 * makes progress; a month of a large brokerage (a million lines, docs/scale.md) takes many calls.
 */
export interface RecomputePaging {
  linesPerPage: number;
  budgetMs: number;
}
export const RECOMPUTE_PAGING: RecomputePaging = { linesPerPage: 1000, budgetMs: 20_000 };

export const RecomputeInputSchema = z
  .object({
    policyId: IdSchema.nullish(),
    period: PeriodSchema.nullish(),
    after: z.string().min(1).max(4096).nullish(),
    dryRun: z.boolean().default(false),
  })
  .refine((i) => (i.policyId ? 1 : 0) + (i.period ? 1 : 0) === 1, {
    path: ['policyId'],
    message: 'give exactly one of policyId and period',
  })
  .refine((i) => !i.after || i.period, {
    path: ['after'],
    message: 'after continues a month’s recompute: give it with period',
  });

/** One difference as the API shows it: the RECOMPUTE line (written, or in a dry run proposed) with both totals. */
export interface RecomputedDifference extends Difference {
  /** The month it lands (or would land) in: today's, or the next open one. */
  period: string;
}

export interface RecomputeResult {
  dryRun: boolean;
  policiesChecked: number;
  differences: RecomputedDifference[];
  written: number;
  /** A month not finished within one request: pass as `after` to go on; null when done. */
  nextCursor: string | null;
}

/**
 * Recompute: what the ledger should hold for a policy's history under today's scheme versions,
 * compared with what it holds, and the difference appended as RECOMPUTE lines. No line is ever
 * rewritten; the difference lands in today's month, or the next open one when that is locked.
 */
export class RecomputeService {
  constructor(
    private readonly ledger: LedgerRepository,
    private readonly schemes: SchemesRepository,
    private readonly writer: LedgerWriter,
    private readonly policies: PolicyLookup,
    private readonly clients: ClientLookup,
    private readonly paging: RecomputePaging = RECOMPUTE_PAGING,
  ) {}

  /**
   * One policy (within the caller's scope) or every policy with lines in a month (tenant-wide
   * callers, like reading a whole month). A dry run writes nothing and returns the same answer.
   */
  async recompute(principal: Principal | null, input: unknown): Promise<RecomputeResult> {
    const p = authorize(principal, 'commissions:recompute');
    const i = parseInput(RecomputeInputSchema, input);
    const started = Date.now();
    const schemes = await this.schemes.listSchemes(p.tenantId);
    const today = await this.writer.today(p.tenantId);
    const periods = await this.ledger.listPeriods(p.tenantId);
    const period = firstOpen(today.slice(0, 7), periods);
    const result: RecomputeResult = {
      dryRun: i.dryRun,
      policiesChecked: 0,
      differences: [],
      written: 0,
      nextCursor: null,
    };
    const adjustment = { reason: 'recomputed under today’s scheme versions', by: p.userId };
    let pending: EventWrites[] = [];
    const append = async (): Promise<void> => {
      // A policy's lines stay in one transaction: a concurrent recompute sees all of them or none.
      const outcomes = await this.writer.appendEvents(p.tenantId, pending, periods, 'event');
      pending = [];
      for (const outcome of outcomes) {
        if ('error' in outcome) throw outcome.error;
        result.written += outcome.written;
      }
    };
    const recomputeAll = async (policies: readonly PolicyRecord[]): Promise<void> => {
      for (const policy of policies) {
        result.policiesChecked++;
        const found = await this.differencesOf(p.tenantId, policy, schemes);
        if (found.length === 0) continue;
        result.differences.push(...found.map((d) => ({ ...d, period })));
        if (i.dryRun) continue;
        pending.push({
          lines: found.map((d) => d.line),
          date: today,
          ref: { insurerId: policy.insurerId, policyNumber: policy.policyNumber, clientId: policy.clientId },
          production: null,
          adjustment,
        });
        if (pending.length >= RECOMPUTE_POLICIES_PER_WRITE) await append();
      }
    };
    if (i.policyId) {
      const policy = await this.policies.getPolicy(p.tenantId, i.policyId);
      if (!policy) throw new NotFoundError('Policy', i.policyId);
      if (!canReach(p, policyReach(policy))) throw new ForbiddenError('This policy is outside your scope');
      await recomputeAll([policy]);
    } else {
      assertTenantWide(p, 'Recomputing a whole commission month');
      // A page of the month's lines at a time, until the month ends or the budget is spent.
      const seen = new Set<string>();
      let cursor = i.after ?? null;
      do {
        const page = await this.ledger.pagePolicyIdsWithLinesInPeriod(p.tenantId, i.period as string, {
          limit: this.paging.linesPerPage,
          cursor,
        });
        const ids = page.policyIds.filter((id) => !seen.has(id));
        for (const id of ids) seen.add(id);
        const found = await Promise.all(ids.map((id) => this.policies.getPolicy(p.tenantId, id)));
        await recomputeAll(found.filter((x): x is PolicyRecord => x !== undefined));
        cursor = page.nextCursor;
      } while (cursor && Date.now() - started < this.paging.budgetMs);
      result.nextCursor = cursor;
    }
    if (pending.length > 0) await append();
    return result;
  }

  private async differencesOf(
    tenantId: string,
    policy: PolicyRecord,
    schemes: Awaited<ReturnType<SchemesRepository['listSchemes']>>,
  ): Promise<Difference[]> {
    const held = await this.ledger.listLinesOfPolicy(tenantId, policy.id);
    const client = await this.clients.getClient(tenantId, policy.clientId);
    const production: Record<string, Record<string, string>> = {};
    if (usesPremiumQualification(schemes)) {
      const uplines = policy.hierarchy.filter((h) => h.level > 0).map((h) => h.userId);
      for (const month of replayMonths(policy))
        production[month] = await this.ledger.getProduction(
          tenantId,
          uplines,
          month,
          policy.premium.currency,
        );
    }
    const expected = comparedLines(replayedLines(policy, client ?? null, schemes, production));
    const stateId = createHash('sha256')
      .update(
        held
          .map((l) => l.id)
          .sort()
          .join(','),
      )
      .digest('base64url')
      .slice(0, 16);
    return differences(policy, comparedLines(held), expected, stateId);
  }
}
