import type { Clock } from '../../shared/clock.js';
import type { Db } from '../../shared/db.js';
import { AffectedPoliciesService } from './affected-policies.service.js';
import type { CommissionLookups } from './commission-lookups.js';
import { DisputesRepository } from './disputes.repository.js';
import { DisputesService } from './disputes.service.js';
import { LedgerRepository } from './ledger.repository.js';
import { LedgerConsumer } from './ledger-consumer.service.js';
import { LedgerReads } from './ledger-reads.service.js';
import { LedgerWriter } from './ledger-writer.js';
import { type PeriodPaidListener, PeriodsService } from './periods.service.js';
import { Promotions } from './promotions.service.js';
import { receivableOfInsurer } from './receivable-reads.js';
import { RecipientAccess } from './recipient-access.js';
import { RecomputeService } from './recompute.service.js';
import { ReconciliationRepository } from './reconciliation.repository.js';
import { ReconciliationService } from './reconciliation.service.js';
import { SchemesRepository } from './schemes.repository.js';
import { SchemesService } from './schemes.service.js';
import { SimulationService } from './simulation.service.js';

/**
 * The commissions module's public entry: its composition and what other modules, entry points and
 * tests may use. Everything else in this folder is internal.
 */

export type {
  ClientFacts,
  ClientLookup,
  CommissionLookups,
  CommissionOrgDirectory,
  PaymentRecord,
  PolicyLookup,
  PolicyRecord,
  PromotionRecord,
  RateGroupHistory,
  RateGroupStanding,
  SellerHierarchy,
  WrittenPartition,
  WrittenPolicies,
  WrittenPolicyFilter,
} from './commission-lookups.js';
export {
  type CommissionDispute,
  type CommissionPeriod,
  type ReconciliationRow,
  recipientKey,
  type SchemeChange,
  type StoredScheme,
} from './commissions.model.js';
export { demoCommissionScheme } from './demo-scheme.js';
export { type CommissionLine, SplitArrangementSchema, type SplitShare } from './engine/index.js';
export { ChangeBatch, type ChangeOutcome } from './ledger-consumer.service.js';
export type { Accrual, LineView } from './line-views.js';
export type { ApprovedPeriod, PeriodPaidListener } from './periods.service.js';
export type { RecomputedDifference, RecomputeResult } from './recompute.service.js';

/** The commission services, each one responsibility of the ledger. */
export interface CommissionsModule {
  /** Schemes as data: create, add and edit versions, their change log. */
  schemes: SchemesService;
  /** The stream consumer: policy and payment writes → ledger lines and accruals. */
  consumer: LedgerConsumer;
  /** Reads scoped to the caller (lines, accruals, the client card's summary) and manual adjustments. */
  ledger: LedgerReads;
  /** Approving and paying commission months. */
  periods: PeriodsService;
  /** Disputes of lines and their resolution. */
  disputes: DisputesService;
  /** Insurers' statements matched against the receivable ledger. */
  reconciliation: ReconciliationService;
  /** What-if lines for a hypothetical policy. */
  simulation: SimulationService;
  /** A policy's (or a month's) lines recomputed under today's scheme versions; the difference appended. */
  recompute: RecomputeService;
  /** The policies a scheme version applies to (what an edit of it affects), paged from the policies' indexes. */
  affectedPolicies: AffectedPoliciesService;
}

/** Builds the commissions module over the data layer, with what it needs from other modules. */
export function createCommissionsModule(deps: {
  db: Db;
  clock: Clock;
  lookups: CommissionLookups;
  /** Told when a month is marked PAID (payout batches); none where nothing pays out. */
  paid?: PeriodPaidListener | null;
}): CommissionsModule {
  const { db, clock, lookups } = deps;
  const ledger = new LedgerRepository(db);
  const schemes = new SchemesRepository(db);
  const writer = new LedgerWriter(ledger, lookups.org, clock);
  const access = new RecipientAccess(ledger, lookups.org);
  return {
    schemes: new SchemesService(schemes, lookups.org, clock),
    consumer: new LedgerConsumer(
      ledger,
      schemes,
      writer,
      lookups.policies,
      lookups.clients,
      new Promotions(ledger, lookups.rateGroups),
    ),
    ledger: new LedgerReads(ledger, writer, access, lookups.policies),
    periods: new PeriodsService(ledger, clock, deps.paid ?? null),
    disputes: new DisputesService(new DisputesRepository(db), ledger, writer, access, clock),
    reconciliation: new ReconciliationService(new ReconciliationRepository(db), ledger, lookups.org, clock),
    simulation: new SimulationService(schemes, access, lookups.org, lookups.hierarchy),
    recompute: new RecomputeService(ledger, schemes, writer, lookups.policies, lookups.clients),
    affectedPolicies: new AffectedPoliciesService(schemes, lookups.writtenPolicies, lookups.org),
  };
}

/**
 * The insurer receivable read alone (see ReconciliationService.receivableOfInsurer), over the ledger's
 * repository: for an entry point that records insurers' commission payments and runs no other
 * commission service.
 */
export function createReceivableReads(db: Db): Pick<ReconciliationService, 'receivableOfInsurer'> {
  const ledger = new LedgerRepository(db);
  return {
    receivableOfInsurer: (tenantId, insurerId, period) =>
      receivableOfInsurer(ledger, tenantId, insurerId, period),
  };
}
