import { type Db, type Page, putOp, type TransactOp, versionedUpdateOp } from '../../shared/db.js';
import { AlreadyExistsError, NotFoundError, VersionConflictError } from '../../shared/errors.js';
import { queryFilter } from '../../shared/filter-expression.js';
import { claimUniqueOp, insertItemOp, uniqueClaim } from '../../shared/item-ops.js';
import { fromItem, getRecord, queryRecords, toItem } from '../../shared/items.js';
import { EntityType, keys } from '../../shared/table-design.js';
import { type CreditEntry, type Payment, periodRange, type UnmatchedPayment } from './invoices.model.js';
import { mostSelective, type PageRequest } from './query-filter.js';

/**
 * A claim on an external payment (a bank-statement row, an insurer's premium payment) once it is
 * applied: re-imports and replays find it and change nothing.
 */
export const EXTERNAL_PAYMENT_CLAIM = 'EXTERNAL_PAYMENT';

/** What a payment list may be narrowed by (the caller's filter and scope together). */
export type PaymentCriteria = Partial<
  Record<'advisorId' | 'branchId' | 'regionId' | 'productLineId', string>
> & {
  late?: boolean;
};

/** The invoices module's access to DynamoDB for payments, client credits and the resolution queue. */
export class PaymentsRepository {
  constructor(private readonly db: Db) {}

  paymentOp(tenantId: string, payment: Payment): TransactOp {
    return insertItemOp(
      toItem(
        keys.payment(tenantId, payment.invoiceId, payment.id),
        EntityType.Payment,
        tenantId,
        payment,
        keys.paymentIndexes(tenantId, payment),
      ),
    );
  }

  /** Marks a payment reversed; conditioned on its version so a payment is reversed once. */
  markReversedOp(tenantId: string, payment: Payment, reversalId: string): TransactOp {
    return versionedUpdateOp(
      keys.payment(tenantId, payment.invoiceId, payment.id),
      payment.version,
      { reversedByPaymentId: reversalId },
      () => new VersionConflictError('Payment', payment.id, payment.version),
    );
  }

  creditOp(tenantId: string, credit: CreditEntry): TransactOp {
    return putOp(
      toItem(
        keys.clientCredit(tenantId, credit.clientId, credit.id),
        EntityType.ClientCredit,
        tenantId,
        credit,
      ),
    );
  }

  async getPayment(tenantId: string, invoiceId: string, paymentId: string): Promise<Payment | undefined> {
    return getRecord<Payment>(this.db, keys.payment(tenantId, invoiceId, paymentId), { consistent: true });
  }

  async listPaymentsOfInvoice(tenantId: string, invoiceId: string): Promise<Payment[]> {
    const items = await this.db.queryAll({
      partition: keys.invoiceCollection(tenantId, invoiceId),
      beginsWith: keys.paymentPrefix,
    });
    return items.map((i) => fromItem<Payment>(i));
  }

  async clientCredits(tenantId: string, clientId: string): Promise<CreditEntry[]> {
    const items = await this.db.queryAll({
      partition: keys.clientCollection(tenantId, clientId),
      beginsWith: keys.creditPrefix,
    });
    return items.map((i) => fromItem<CreditEntry>(i));
  }

  /**
   * listPayments: one page of payments made in a period on the most selective index (advisor,
   * product line, late ones, else the period), the rest of the criteria as filters.
   */
  async listPayments(
    tenantId: string,
    period: string,
    criteria: PaymentCriteria,
    page: PageRequest,
  ): Promise<Page<Payment>> {
    const { index, partition, filter } = mostSelective(
      criteria,
      [
        ['advisorId', 'gsi1', (id) => keys.paymentsByAdvisor(tenantId, id)],
        ['productLineId', 'gsi4', (id) => keys.paymentsByProductLine(tenantId, id)],
        ['late', 'gsi6', () => keys.latePaymentsByPeriod(tenantId, period)],
      ],
      ['gsi2', keys.paymentsByPeriod(tenantId, period)],
    );
    const [from, to] = periodRange(period);
    return queryRecords<Payment>(this.db, {
      index,
      partition,
      between: [from, `${to}#~`],
      ...page,
      ...queryFilter({ equals: filter }),
    });
  }

  /** Claims an external payment for the payment that applies it; a second claim fails with ALREADY_EXISTS. */
  externalPaymentClaimOp(tenantId: string, externalId: string, invoiceId: string): TransactOp {
    return claimUniqueOp(
      tenantId,
      EXTERNAL_PAYMENT_CLAIM,
      externalId,
      { ownerType: 'Payment', ownerId: externalId, invoiceId },
      () => new AlreadyExistsError('Payment', 'external payment', externalId),
    );
  }

  /** The invoice an external payment was applied to, if it was. */
  async externalPaymentInvoice(tenantId: string, externalId: string): Promise<string | undefined> {
    const item = await uniqueClaim(this.db, tenantId, EXTERNAL_PAYMENT_CLAIM, externalId);
    return typeof item?.invoiceId === 'string' ? item.invoiceId : undefined;
  }

  // ---- resolution queue ------------------------------------------------------------------

  /** Queues an unmatched row; false when this row of this statement was queued before. */
  async queueUnmatched(tenantId: string, row: UnmatchedPayment): Promise<boolean> {
    try {
      await this.db.putNew(
        toItem(keys.unmatchedPayment(tenantId, row.id), EntityType.UnmatchedPayment, tenantId, row),
        () => new AlreadyExistsError('UnmatchedPayment', 'id', row.id),
      );
      return true;
    } catch (error) {
      if (error instanceof AlreadyExistsError) return false;
      throw error;
    }
  }

  async getUnmatched(tenantId: string, id: string): Promise<UnmatchedPayment | undefined> {
    return getRecord<UnmatchedPayment>(this.db, keys.unmatchedPayment(tenantId, id), { consistent: true });
  }

  async listUnmatched(tenantId: string, page: PageRequest): Promise<Page<UnmatchedPayment>> {
    return queryRecords<UnmatchedPayment>(this.db, { partition: keys.unmatchedPayments(tenantId), ...page });
  }

  /** Takes a row off the queue; only while it is there, so two people cannot both resolve it. */
  resolveUnmatchedOp(tenantId: string, id: string): TransactOp {
    const { pk, sk } = keys.unmatchedPayment(tenantId, id);
    return {
      item: { Delete: { TableName: '', Key: { pk, sk }, ConditionExpression: 'attribute_exists(pk)' } },
      onConditionFailed: () => new NotFoundError('UnmatchedPayment', id),
    };
  }
}
