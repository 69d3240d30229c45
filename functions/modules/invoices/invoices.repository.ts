import {
  type Db,
  deleteOp,
  type Page,
  putNewOp,
  putOp,
  type TransactOp,
  versionedUpdateOp,
} from '../../shared/db.js';
import { AlreadyExistsError, VersionConflictError } from '../../shared/errors.js';
import { indexAttributeChanges } from '../../shared/index-attributes.js';
import { fromItem, toItem } from '../../shared/items.js';
import { EntityType, type IndexName, keys } from '../../shared/table-design.js';
import type {
  CollectorTask,
  CreditEntry,
  DunningPolicy,
  DunningStepRecord,
  Invoice,
  InvoiceStatus,
  Payment,
  StepOutcome,
  UnmatchedPayment,
} from './invoices.model.js';

type PageRequest = { limit: number; cursor: string | null };

/** A claim on an invoice's payment reference: bank rows find their invoice through it. */
export const REFERENCE_CLAIM = 'INVOICE_REF';

/**
 * A claim on an external payment (a bank-statement row, an insurer's premium payment) once it is
 * applied: re-imports and replays find it and change nothing.
 */
export const EXTERNAL_PAYMENT_CLAIM = 'EXTERNAL_PAYMENT';

/** Raised when the numbering transaction lost a race: the caller re-reads the sequence and retries. */
export class SequenceConflictError extends Error {}

/**
 * A filter expression for a Query: every attribute equal to its value, and optionally one numeric
 * attribute at least a minimum. Filters narrow an index partition; they never replace a key.
 */
function matchAll(
  equal: Record<string, string | boolean>,
  atLeast: [string, number] | null,
): { filter?: { expression: string; names: Record<string, string>; values: Record<string, unknown> } } {
  const terms: string[] = [];
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  Object.entries(equal).forEach(([attribute, value], i) => {
    terms.push(`#f${i} = :f${i}`);
    names[`#f${i}`] = attribute;
    values[`:f${i}`] = value;
  });
  if (atLeast) {
    terms.push('#min >= :min');
    names['#min'] = atLeast[0];
    values[':min'] = atLeast[1];
  }
  return terms.length > 0 ? { filter: { expression: terms.join(' AND '), names, values } } : {};
}

/** The invoices module's access to DynamoDB: invoices, sequences, payments, credits, dunning records. */
export class InvoicesRepository {
  constructor(private readonly db: Db) {}

  invoiceItem(tenantId: string, invoice: Invoice) {
    return toItem(
      keys.invoice(tenantId, invoice.clientId, invoice.id),
      EntityType.Invoice,
      tenantId,
      invoice,
      keys.invoiceIndexes(tenantId, invoice),
    );
  }

  createInvoiceOp(tenantId: string, invoice: Invoice): TransactOp {
    return putNewOp(
      this.invoiceItem(tenantId, invoice),
      () => new AlreadyExistsError('Invoice', 'id', invoice.id),
    );
  }

  /** An optimistic update that re-derives the index keys, so the invoice moves between lists in the same write. */
  updateInvoiceOp(tenantId: string, current: Invoice, changes: Partial<Invoice>): TransactOp {
    const merged: Invoice = { ...current, ...changes };
    return versionedUpdateOp(
      keys.invoice(tenantId, current.clientId, current.id),
      current.version,
      { ...changes, ...indexAttributeChanges(keys.invoiceIndexes(tenantId, merged)) },
      () => new VersionConflictError('Invoice', current.id, current.version),
    );
  }

  async transact(ops: TransactOp[]): Promise<void> {
    await this.db.transact(ops);
  }

  /** getInvoiceById: the by-id index gives the client; the item is then read consistently. */
  async getInvoice(tenantId: string, invoiceId: string): Promise<Invoice | undefined> {
    const page = await this.db.queryPage({
      index: 'gsi5',
      partition: keys.invoiceById(tenantId, invoiceId),
      limit: 1,
    });
    const found = page.items[0];
    if (!found) return undefined;
    return this.getInvoiceOfClient(tenantId, String(found.clientId), invoiceId);
  }

  async getInvoiceOfClient(
    tenantId: string,
    clientId: string,
    invoiceId: string,
  ): Promise<Invoice | undefined> {
    const item = await this.db.get(keys.invoice(tenantId, clientId, invoiceId), { consistent: true });
    return item ? fromItem<Invoice>(item) : undefined;
  }

  /** Every invoice of a client (the card's collection, invoices only). */
  async clientInvoices(tenantId: string, clientId: string): Promise<Invoice[]> {
    const items = await this.db.queryAll({
      partition: keys.clientCollection(tenantId, clientId),
      beginsWith: keys.invoicePrefix,
    });
    return items.map((i) => fromItem<Invoice>(i));
  }

  /** The next number of the tenant's sequence for a year, and the version to condition the increment on. */
  async readSequence(tenantId: string, year: string): Promise<number> {
    const item = await this.db.get(keys.invoiceSequence(tenantId, year), { consistent: true });
    return typeof item?.last === 'number' ? item.last : 0;
  }

  /**
   * Issues an invoice with the next number: the sequence increment (conditioned on the value read),
   * the invoice update and the reference claim commit together or not at all, so numbers have no gaps
   * and no duplicates however many issues race.
   */
  async issueWithNumber(
    tenantId: string,
    current: Invoice,
    year: string,
    lastSeen: number,
    changes: Partial<Invoice> & { number: string; reference: string },
  ): Promise<void> {
    const seqKey = keys.invoiceSequence(tenantId, year);
    const sequenceOp: TransactOp =
      lastSeen === 0
        ? putNewOp(
            toItem(seqKey, EntityType.InvoiceSequence, tenantId, { last: 1 }),
            () => new SequenceConflictError(),
          )
        : {
            item: {
              Update: {
                TableName: '',
                Key: seqKey,
                UpdateExpression: 'SET #last = :next, #version = #version + :one',
                ConditionExpression: '#last = :seen',
                ExpressionAttributeNames: { '#last': 'last', '#version': 'version' },
                ExpressionAttributeValues: { ':next': lastSeen + 1, ':seen': lastSeen, ':one': 1 },
              },
            },
            onConditionFailed: () => new SequenceConflictError(),
          };
    await this.db.transact([
      sequenceOp,
      this.updateInvoiceOp(tenantId, current, changes),
      putNewOp(
        toItem(keys.unique(tenantId, REFERENCE_CLAIM, changes.reference), EntityType.Unique, tenantId, {
          ownerType: 'Invoice',
          ownerId: current.id,
          clientId: current.clientId,
        }),
        () => new SequenceConflictError(),
      ),
    ]);
  }

  /** Claims an external payment for the payment that applies it; a second claim fails with ALREADY_EXISTS. */
  externalPaymentClaimOp(tenantId: string, externalId: string, invoiceId: string): TransactOp {
    return putNewOp(
      toItem(keys.unique(tenantId, EXTERNAL_PAYMENT_CLAIM, externalId), EntityType.Unique, tenantId, {
        ownerType: 'Payment',
        ownerId: externalId,
        invoiceId,
      }),
      () => new AlreadyExistsError('Payment', 'external payment', externalId),
    );
  }

  /** The invoice an external payment was applied to, if it was. */
  async externalPaymentInvoice(tenantId: string, externalId: string): Promise<string | undefined> {
    const item = await this.db.get(keys.unique(tenantId, EXTERNAL_PAYMENT_CLAIM, externalId), {
      consistent: true,
    });
    return typeof item?.invoiceId === 'string' ? item.invoiceId : undefined;
  }

  /** The invoice a payment reference names, if any. */
  async invoiceIdByReference(tenantId: string, reference: string): Promise<string | undefined> {
    const item = await this.db.get(keys.unique(tenantId, REFERENCE_CLAIM, reference));
    return typeof item?.ownerId === 'string' ? item.ownerId : undefined;
  }

  /** listInvoicesByStatusAndDueDate: one page, optionally within a due-date range. */
  async listInvoicesByStatus(
    tenantId: string,
    status: InvoiceStatus,
    dueRange: [string, string] | null,
    page: PageRequest,
  ): Promise<Page<Invoice>> {
    const result = await this.db.queryPage({
      index: 'gsi2',
      partition: keys.invoicesByStatus(tenantId, status),
      ...(dueRange ? { between: [dueRange[0], `${dueRange[1]}#~`] as [string, string] } : {}),
      ...page,
    });
    return { ...result, items: result.items.map((i) => fromItem<Invoice>(i)) };
  }

  /** Every invoice of a status due on or before a date (the overdue sweep). */
  async allInvoicesByStatusDueBy(tenantId: string, status: InvoiceStatus, dueBy: string): Promise<Invoice[]> {
    const items = await this.db.queryAll({
      index: 'gsi2',
      partition: keys.invoicesByStatus(tenantId, status),
      between: ['0000', `${dueBy}#~`],
    });
    return items.map((i) => fromItem<Invoice>(i));
  }

  /** One page of a debtor list (an index partition by advisor, branch, product line, insurer or status). */
  async listDebtors(
    index: IndexName,
    partition: string,
    dueRange: [string, string] | null,
    page: PageRequest,
    filter: Record<string, string>,
    minOutstandingMinor: number | null,
  ): Promise<Page<Invoice>> {
    const result = await this.db.queryPage({
      index,
      partition,
      ...(dueRange ? { between: [dueRange[0], `${dueRange[1]}#~`] as [string, string] } : {}),
      ...page,
      ...matchAll(filter, minOutstandingMinor === null ? null : ['outstandingMinor', minOutstandingMinor]),
    });
    return { ...result, items: result.items.map((i) => fromItem<Invoice>(i)) };
  }

  // ---- payments --------------------------------------------------------------------------

  paymentOp(tenantId: string, payment: Payment): TransactOp {
    return putNewOp(
      toItem(
        keys.payment(tenantId, payment.invoiceId, payment.id),
        EntityType.Payment,
        tenantId,
        payment,
        keys.paymentIndexes(tenantId, payment),
      ),
      () => new AlreadyExistsError('Payment', 'id', payment.id),
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
    const item = await this.db.get(keys.payment(tenantId, invoiceId, paymentId), { consistent: true });
    return item ? fromItem<Payment>(item) : undefined;
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

  /** One page of a payment list on an index, paid dates within a range, narrowed by equal attributes. */
  async listPayments(
    index: IndexName,
    partition: string,
    dateRange: [string, string],
    page: PageRequest,
    filter: Record<string, string | boolean>,
  ): Promise<Page<Payment>> {
    const result = await this.db.queryPage({
      index,
      partition,
      between: [dateRange[0], `${dateRange[1]}#~`],
      ...page,
      ...matchAll(filter, null),
    });
    return { ...result, items: result.items.map((i) => fromItem<Payment>(i)) };
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
    const item = await this.db.get(keys.unmatchedPayment(tenantId, id), { consistent: true });
    return item ? fromItem<UnmatchedPayment>(item) : undefined;
  }

  async listUnmatched(tenantId: string, page: PageRequest): Promise<Page<UnmatchedPayment>> {
    const result = await this.db.queryPage({ partition: keys.unmatchedPayments(tenantId), ...page });
    return { ...result, items: result.items.map((i) => fromItem<UnmatchedPayment>(i)) };
  }

  resolveUnmatchedOp(tenantId: string, id: string): TransactOp {
    return deleteOp(keys.unmatchedPayment(tenantId, id));
  }

  // ---- dunning ---------------------------------------------------------------------------

  async getDunningPolicy(tenantId: string): Promise<DunningPolicy | undefined> {
    const item = await this.db.get(keys.dunningPolicy(tenantId), { consistent: true });
    return item ? fromItem<DunningPolicy>(item) : undefined;
  }

  async saveDunningPolicy(tenantId: string, policy: DunningPolicy, expectedVersion: number): Promise<void> {
    const item = toItem(keys.dunningPolicy(tenantId), EntityType.DunningPolicy, tenantId, {
      ...policy,
      version: expectedVersion + 1,
    });
    const conflict = () => new VersionConflictError('DunningPolicy', tenantId, expectedVersion);
    if (expectedVersion === 0) {
      await this.db.putNew(item, conflict);
      return;
    }
    await this.db.transact([
      {
        item: {
          Put: {
            TableName: '',
            Item: item,
            ConditionExpression: '#version = :expected',
            ExpressionAttributeNames: { '#version': 'version' },
            ExpressionAttributeValues: { ':expected': expectedVersion },
          },
        },
        onConditionFailed: conflict,
      },
    ]);
  }

  /**
   * Records a dunning step before anything is sent: a conditional put, so of all the deliveries and
   * replays of the same change only one gets to take the step. False when it was recorded before.
   */
  async recordStep(tenantId: string, step: DunningStepRecord): Promise<boolean> {
    try {
      await this.db.putNew(
        toItem(
          keys.dunningStep(tenantId, step.invoiceId, step.stepId),
          EntityType.DunningStep,
          tenantId,
          step,
        ),
        () => new AlreadyExistsError('DunningStep', 'id', step.stepId),
      );
      return true;
    } catch (error) {
      if (error instanceof AlreadyExistsError) return false;
      throw error;
    }
  }

  async getStep(
    tenantId: string,
    invoiceId: string,
    stepId: string,
  ): Promise<(DunningStepRecord & { version: number }) | undefined> {
    const item = await this.db.get(keys.dunningStep(tenantId, invoiceId, stepId), { consistent: true });
    return item ? fromItem<DunningStepRecord & { version: number }>(item) : undefined;
  }

  async listSteps(tenantId: string, invoiceId: string): Promise<DunningStepRecord[]> {
    const items = await this.db.queryAll({
      partition: keys.invoiceCollection(tenantId, invoiceId),
      beginsWith: keys.dunningStepPrefix,
    });
    return items.map((i) => fromItem<DunningStepRecord>(i));
  }

  /**
   * Takes over a PENDING step whose lease was released or ran out; false while another delivery
   * holds it (or it is no longer pending).
   */
  async claimPendingStep(
    tenantId: string,
    invoiceId: string,
    stepId: string,
    now: string,
    leaseUntil: string,
  ): Promise<boolean> {
    return this.conditionalStepUpdate(
      tenantId,
      invoiceId,
      stepId,
      'SET #lease = :lease, #version = #version + :one',
      '#o = :pending AND (attribute_not_exists(#lease) OR #lease < :now)',
      { ':lease': leaseUntil, ':now': now },
    );
  }

  /** Gives a PENDING step's lease back after a failed send, so the retry takes it over at once. */
  async releaseStep(tenantId: string, invoiceId: string, stepId: string): Promise<void> {
    await this.conditionalStepUpdate(
      tenantId,
      invoiceId,
      stepId,
      'SET #lease = :released, #version = #version + :one',
      '#o = :pending',
      { ':released': '' },
    );
  }

  private async conditionalStepUpdate(
    tenantId: string,
    invoiceId: string,
    stepId: string,
    update: string,
    condition: string,
    values: Record<string, unknown>,
    names: Record<string, string> = {},
  ): Promise<boolean> {
    try {
      await this.db.transact([
        {
          item: {
            Update: {
              TableName: '',
              Key: keys.dunningStep(tenantId, invoiceId, stepId),
              UpdateExpression: update,
              ConditionExpression: condition,
              ExpressionAttributeNames: {
                ...names,
                '#o': 'outcome',
                '#version': 'version',
                ...(update.includes('#lease') || condition.includes('#lease')
                  ? { '#lease': 'leaseUntil' }
                  : {}),
              },
              ExpressionAttributeValues: { ...values, ':pending': 'PENDING', ':one': 1 },
            },
          },
          onConditionFailed: () => new AlreadyExistsError('DunningStep', 'lease', stepId),
        },
      ]);
      return true;
    } catch (error) {
      if (error instanceof AlreadyExistsError) return false;
      throw error;
    }
  }

  /** Moves a recorded step from PENDING to its outcome; conditioned on PENDING so it completes once. */
  async completeStep(
    tenantId: string,
    invoiceId: string,
    stepId: string,
    outcome: StepOutcome,
    reason: string | null,
    at: string,
  ): Promise<boolean> {
    return this.conditionalStepUpdate(
      tenantId,
      invoiceId,
      stepId,
      'SET #o = :o, #r = :r, #c = :c, #version = #version + :one',
      '#o = :pending',
      { ':o': outcome, ':r': reason, ':c': at },
      { '#r': 'reason', '#c': 'completedAt' },
    );
  }

  /** The collector's task for a step; keyed by invoice and step, so a retry rewrites the same task. */
  async putCollectorTask(tenantId: string, stepId: string, task: CollectorTask): Promise<void> {
    await this.db.put(
      toItem(keys.collectorTask(tenantId, task.invoiceId, stepId), EntityType.CollectorTask, tenantId, task),
    );
  }

  async listCollectorTasks(tenantId: string, page: PageRequest): Promise<Page<CollectorTask>> {
    const result = await this.db.queryPage({ partition: keys.collectorTasks(tenantId), ...page });
    return { ...result, items: result.items.map((i) => fromItem<CollectorTask>(i)) };
  }
}
