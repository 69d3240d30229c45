import { allPages } from '../shared/pagination.js';
import { OrgKind } from '../shared/table-design.js';
import type { CommissionsModule } from './commissions/index.js';
import type { InsurerReceipts, InvoicesModule } from './invoices/index.js';
import type { OrgRepository } from './org/index.js';
import type {
  CommissionLedgerPort,
  InsurerReceivables,
  InsurerSettlementsService,
  PaymentsPort,
  RecipientDirectory,
  UnmatchedBankRows,
} from './settlement/index.js';

/**
 * The settlement module's ports, satisfied by the commission ledger (a month's status and lines, read
 * as the caller through the ledger's own access rules) and the org (names of recipients and the
 * brokerage).
 */
export function settlementPorts(
  org: OrgRepository,
  commissions: CommissionsModule,
  invoices: InvoicesModule,
): {
  ledger: CommissionLedgerPort;
  directory: RecipientDirectory;
  payments: PaymentsPort;
  receivables: InsurerReceivables;
  unmatched: UnmatchedBankRows;
} {
  return {
    receivables: insurerReceivables(org, commissions.reconciliation),
    unmatched: {
      get: async (tenantId, id) => {
        const row = await invoices.payments.queuedPayment(tenantId, id);
        return (
          row && {
            id: row.id,
            importId: row.importId,
            row: row.row,
            paidDate: row.paidDate,
            amount: row.amount,
            reference: row.reference,
            payer: row.payer,
            reason: row.reason,
          }
        );
      },
      leaveQueueOp: (tenantId, id) => invoices.payments.leaveQueueOp(tenantId, id),
    },
    payments: {
      paymentsOfPeriod: (principal, period) =>
        allPages((page) => invoices.receivables.payments(principal, { period }, page)),
      invoicesIssuedInPeriod: (principal, period) =>
        allPages((page) => invoices.receivables.invoiceRegister(principal, period, page)),
    },
    ledger: {
      periodStatus: async (principal, period) =>
        (await commissions.periods.list(principal)).find((x) => x.period === period)?.status ?? 'OPEN',
      linesOfPeriod: (principal, period) =>
        allPages((page) => commissions.ledger.lines(principal, { period }, page)),
    },
    directory: {
      recipientNames: async (tenantId, recipients) => {
        const refs = recipients
          .filter((r) => r.kind === 'USER' || r.kind === 'PARTNER')
          .map((r) => ({ kind: r.kind === 'USER' ? OrgKind.User : OrgKind.Partner, id: r.id }));
        const found = await org.getOrgEntitiesByRef(tenantId, refs);
        return new Map([...found].map(([key, record]) => [key, (record as { name: string }).name]));
      },
      exists: async (tenantId, recipient) =>
        (await org.getOrgEntity(tenantId, ORG_KIND[recipient.kind], recipient.id)) !== undefined,
      brokerageName: async (tenantId) => (await org.getTenantSettings(tenantId))?.name ?? tenantId,
    },
  };
}

const ORG_KIND = { USER: OrgKind.User, PARTNER: OrgKind.Partner, INSURER: OrgKind.Insurer } as const;

/** The commission receivable per insurer and month (the ledger's RECEIVABLE lines) and insurers' names. */
export function insurerReceivables(
  org: OrgRepository,
  receivable: Pick<CommissionsModule['reconciliation'], 'receivableOfInsurer'>,
): InsurerReceivables {
  return {
    receivableOf: (tenantId, insurerId, period) =>
      receivable.receivableOfInsurer(tenantId, insurerId, period),
    insurerName: async (tenantId, insurerId) =>
      (await org.getOrgEntity<{ name: string }>(tenantId, OrgKind.Insurer, insurerId))?.name ?? null,
  };
}

/**
 * The invoices module's port for rows insurers paid, satisfied by settlement's insurer settlements
 * (given lazily: invoices is composed before settlement, which reads invoices' queue).
 */
export function insurerReceipts(settlements: () => InsurerSettlementsService): InsurerReceipts {
  return {
    record: async (tenantId, receipt) => {
      const done = await settlements().recordBankReceipt(tenantId, receipt);
      return (
        done && {
          settlementId: done.settlement.id,
          insurerId: done.settlement.insurerId,
          duplicate: done.duplicate,
        }
      );
    },
  };
}
