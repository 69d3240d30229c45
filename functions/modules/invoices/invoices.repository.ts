import { type Db, type Page, putNewOp, type TransactOp, versionedUpdateOp } from '../../shared/db.js';
import { AlreadyExistsError, VersionConflictError } from '../../shared/errors.js';
import { queryFilter } from '../../shared/filter-expression.js';
import { indexAttributeChanges } from '../../shared/index-attributes.js';
import { claimUniqueOp, insertItemOp, uniqueClaim } from '../../shared/item-ops.js';
import { fromItem, getRecord, queryAllRecords, queryRecords, toItem } from '../../shared/items.js';
import { EntityType, keys } from '../../shared/table-design.js';
import type { RegisteredInvoice } from './invoice-register.model.js';
import type { Invoice, InvoiceStatus } from './invoices.model.js';
import { mostSelective, type PageRequest } from './query-filter.js';

/** A claim on an invoice's payment reference: bank rows find their invoice through it. */
export const REFERENCE_CLAIM = 'INVOICE_REF';

/** Raised when the numbering transaction lost a race: the caller re-reads the sequence and retries. */
export class SequenceConflictError extends Error {}

/** A claim on an instalment of a policy's plan: the invoice drafted for it (re-runs create nothing new). */
const INSTALMENT_CLAIM = 'INSTALMENT_INVOICE';

/**
 * What a debtor list may be narrowed by (the caller's filter and scope together). The most selective
 * attribute picks the index partition; the others filter it.
 */
export type DebtorCriteria = Partial<
  Record<'advisorId' | 'branchId' | 'regionId' | 'productLineId' | 'insurerId', string>
>;

/** The invoices module's access to DynamoDB for invoices: drafts, numbering, references and invoice lists. */
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
    return insertItemOp(this.invoiceItem(tenantId, invoice));
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
    return getRecord<Invoice>(this.db, keys.invoice(tenantId, clientId, invoiceId), { consistent: true });
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
   * the invoice update, the reference claim and the register entry commit together or not at all, so
   * numbers have no gaps and no duplicates however many issues race, and the register holds exactly
   * the invoices issued.
   */
  async issueWithNumber(
    tenantId: string,
    current: Invoice,
    year: string,
    lastSeen: number,
    changes: Partial<Invoice> & { number: string; reference: string; issueDate: string },
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
      claimUniqueOp(
        tenantId,
        REFERENCE_CLAIM,
        changes.reference,
        { ownerType: 'Invoice', ownerId: current.id, clientId: current.clientId },
        () => new SequenceConflictError(),
      ),
      insertItemOp(
        toItem(
          keys.invoiceRegisterEntry(tenantId, changes.issueDate, changes.number),
          EntityType.InvoiceRegisterEntry,
          tenantId,
          {
            invoiceId: current.id,
            number: changes.number,
            issueDate: changes.issueDate,
            clientId: current.clientId,
            policyId: current.policyId,
            insurerId: current.insurerId,
            total: current.total,
          } satisfies RegisteredInvoice,
        ),
      ),
    ]);
  }

  /** listInvoiceRegister: the invoices issued in a month, by issue date and number. */
  listRegister(tenantId: string, period: string, page: PageRequest): Promise<Page<RegisteredInvoice>> {
    return queryRecords<RegisteredInvoice>(this.db, {
      partition: keys.invoiceRegister(tenantId, period),
      ...page,
    });
  }

  /** Claims an external payment for the payment that applies it; a second claim fails with ALREADY_EXISTS. */
  /** Claims an instalment of a policy for the invoice drafted for it; a second claim fails with ALREADY_EXISTS. */
  instalmentClaimOp(tenantId: string, invoiceId: string, policyId: string, dueDate: string): TransactOp {
    const value = `${policyId}.${dueDate}`;
    return claimUniqueOp(
      tenantId,
      INSTALMENT_CLAIM,
      value,
      { ownerType: 'Invoice', ownerId: invoiceId },
      () => new AlreadyExistsError('Invoice', 'instalment', value),
    );
  }

  /** The invoice a payment reference names, if any. */
  async invoiceIdByReference(tenantId: string, reference: string): Promise<string | undefined> {
    const item = await uniqueClaim(this.db, tenantId, REFERENCE_CLAIM, reference, false);
    return typeof item?.ownerId === 'string' ? item.ownerId : undefined;
  }

  /** listInvoicesByStatusAndDueDate: one page, optionally within a due-date range. */
  async listInvoicesByStatus(
    tenantId: string,
    status: InvoiceStatus,
    dueRange: [string, string] | null,
    page: PageRequest,
  ): Promise<Page<Invoice>> {
    return queryRecords<Invoice>(this.db, {
      index: 'gsi2',
      partition: keys.invoicesByStatus(tenantId, status),
      ...(dueRange ? { between: [dueRange[0], `${dueRange[1]}#~`] as [string, string] } : {}),
      ...page,
    });
  }

  /** Every invoice of a status due on or before a date (the overdue sweep). */
  async allInvoicesByStatusDueBy(tenantId: string, status: InvoiceStatus, dueBy: string): Promise<Invoice[]> {
    return queryAllRecords<Invoice>(this.db, {
      index: 'gsi2',
      partition: keys.invoicesByStatus(tenantId, status),
      between: ['0000', `${dueBy}#~`],
    });
  }

  /**
   * listDebtors: one page of overdue invoices on the most selective index (advisor, branch, product
   * line, insurer, else the OVERDUE status partition), due dates within a range, the rest of the
   * criteria and a minimum outstanding amount as filters.
   */
  async listDebtors(
    tenantId: string,
    criteria: DebtorCriteria,
    dueRange: [string, string] | null,
    page: PageRequest,
    minOutstandingMinor: number | null,
  ): Promise<Page<Invoice>> {
    const { index, partition, filter } = mostSelective(
      criteria,
      [
        ['advisorId', 'gsi1', (id) => keys.debtorsByAdvisor(tenantId, id)],
        ['branchId', 'gsi3', (id) => keys.debtorsByBranch(tenantId, id)],
        ['productLineId', 'gsi4', (id) => keys.debtorsByProductLine(tenantId, id)],
        ['insurerId', 'gsi6', (id) => keys.debtorsByInsurer(tenantId, id)],
      ],
      ['gsi2', keys.invoicesByStatus(tenantId, 'OVERDUE')],
    );
    return queryRecords<Invoice>(this.db, {
      index,
      partition,
      ...(dueRange ? { between: [dueRange[0], `${dueRange[1]}#~`] as [string, string] } : {}),
      ...page,
      ...queryFilter({
        equals: filter,
        atLeast: minOutstandingMinor === null ? null : ['outstandingMinor', minOutstandingMinor],
      }),
    });
  }
}
