import { allPages } from '../shared/pagination.js';
import { OrgKind } from '../shared/table-design.js';
import type { CommissionsModule } from './commissions/index.js';
import type { InvoicesModule } from './invoices/index.js';
import type { OrgRepository } from './org/index.js';
import type { CommissionLedgerPort, PaymentsPort, RecipientDirectory } from './settlement/index.js';

/**
 * The settlement module's ports, satisfied by the commission ledger (a month's status and lines, read
 * as the caller through the ledger's own access rules) and the org (names of recipients and the
 * brokerage).
 */
export function settlementPorts(
  org: OrgRepository,
  commissions: CommissionsModule,
  invoices: InvoicesModule,
): { ledger: CommissionLedgerPort; directory: RecipientDirectory; payments: PaymentsPort } {
  return {
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
        (await org.getOrgEntity(
          tenantId,
          recipient.kind === 'USER' ? OrgKind.User : OrgKind.Partner,
          recipient.id,
        )) !== undefined,
      brokerageName: async (tenantId) => (await org.getTenantSettings(tenantId))?.name ?? tenantId,
    },
  };
}
