import { OrgKind } from '../shared/table-design.js';
import type { CommissionsModule } from './commissions/index.js';
import type { InvoicesModule } from './invoices/index.js';
import type { OrgRepository } from './org/index.js';
import type {
  CommissionLedgerPort,
  IssuedInvoice,
  PaymentsPort,
  PayoutLine,
  ReceivedPayment,
  RecipientDirectory,
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
): { ledger: CommissionLedgerPort; directory: RecipientDirectory; payments: PaymentsPort } {
  return {
    payments: {
      paymentsOfPeriod: async (principal, period) => {
        const payments: ReceivedPayment[] = [];
        let cursor: string | null = null;
        do {
          const page = await invoices.receivables.payments(principal, { period }, { limit: 100, cursor });
          payments.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor);
        return payments;
      },
      invoicesIssuedInPeriod: async (principal, period) => {
        const issued: IssuedInvoice[] = [];
        let cursor: string | null = null;
        do {
          const page = await invoices.receivables.invoiceRegister(principal, period, { limit: 100, cursor });
          issued.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor);
        return issued;
      },
    },
    ledger: {
      periodStatus: async (principal, period) =>
        (await commissions.periods.list(principal)).find((x) => x.period === period)?.status ?? 'OPEN',
      linesOfPeriod: async (principal, period) => {
        const lines: PayoutLine[] = [];
        let cursor: string | null = null;
        do {
          const page = await commissions.ledger.lines(principal, { period }, { limit: 100, cursor });
          lines.push(...page.items);
          cursor = page.nextCursor;
        } while (cursor);
        return lines;
      },
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
