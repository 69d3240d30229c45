import { authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import { addDays } from '../../shared/dates.js';
import {
  AlreadyExistsError,
  NotFoundError,
  RuleViolationError,
  ValidationFailedError,
  VersionConflictError,
} from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { Dec, money } from '../../shared/money.js';
import { parseInput } from '../../shared/validation.js';
import { type InvoiceAdapters, pdfLink } from './adapters.js';
import { type InvoiceAccess, isRace, reaches, retryAfterRace, sleep } from './invoice-access.js';
import { renderInvoicePdf } from './invoice-pdf.js';
import {
  CloseInvoiceSchema,
  CreateInvoiceSchema,
  formatInvoiceNumber,
  GenerateInstalmentInvoicesSchema,
  type Invoice,
  type InvoiceStatus,
  IssueInvoiceSchema,
  lineTotal,
  normaliseReference,
  OPEN_STATUSES,
  sumMoney,
  toMinor,
} from './invoices.model.js';
import type { InvoicesRepository } from './invoices.repository.js';
import type { ClientDirectory, InvoiceClient, InvoiceTenant, PolicyLookup } from './lookups.js';

const MAX_ISSUE_ATTEMPTS = 200;

/**
 * Invoices themselves: drafting, instalment plans, issuing with a gapless per-tenant sequence, the
 * PDF in S3 and by e-mail, cancelling and writing off.
 */
export class InvoicesService {
  constructor(
    private readonly repo: InvoicesRepository,
    private readonly access: InvoiceAccess,
    private readonly clients: ClientDirectory,
    private readonly policies: PolicyLookup,
    private readonly adapters: InvoiceAdapters | null,
  ) {}

  /** Today in the tenant's time zone: due dates and periods are the tenant's calendar days. */
  today(tenantId: string): Promise<string> {
    return this.access.today(tenantId);
  }

  async getInvoice(principal: Principal | null, invoiceId: string): Promise<Invoice | null> {
    const p = authorize(principal, 'invoices:read');
    const invoice = await this.repo.getInvoice(p.tenantId, invoiceId);
    if (!invoice) return null;
    this.access.assertReach(p, invoice);
    return invoice;
  }

  async clientInvoices(principal: Principal | null, clientId: string): Promise<Invoice[]> {
    const p = authorize(principal, 'invoices:read');
    const invoices = await this.repo.clientInvoices(p.tenantId, clientId);
    return invoices.filter((i) => reaches(p, i));
  }

  // ---- drafting -----------------------------------------------------------------------------

  async createInvoice(principal: Principal | null, rawInput: unknown): Promise<Invoice> {
    const p = authorize(principal, 'invoices:write');
    const input = parseInput(CreateInvoiceSchema, rawInput);
    const client = await this.clients.getClient(p.tenantId, input.clientId);
    if (!client) {
      throw new ValidationFailedError('Unknown client', [
        { path: 'input.clientId', message: 'is not a client of this brokerage' },
      ]);
    }
    const policy = input.policyId ? await this.policies.getPolicy(p.tenantId, input.policyId) : undefined;
    if (input.policyId && (!policy || policy.clientId !== client.id)) {
      throw new ValidationFailedError('Unknown policy', [
        { path: 'input.policyId', message: "is not one of the client's policies" },
      ]);
    }
    const lines = input.lines.map((l) => {
      const unitPrice = money(l.unitPrice, input.currency);
      return {
        description: l.description,
        quantity: l.quantity,
        unitPrice,
        total: lineTotal(l.quantity, unitPrice),
      };
    });
    const invoice = this.draft(client, {
      policyId: policy?.id ?? null,
      productLineId: policy?.productLineId ?? null,
      insurerId: policy?.insurerId ?? null,
      advisorId: policy?.servicingAdvisorId ?? client.ownerAdvisorId,
      currency: input.currency,
      lines,
      issueDate: input.issueDate ?? null,
      dueDate: input.dueDate,
      note: input.note ?? null,
      instalmentDueDate: null,
    });
    this.access.assertReach(p, invoice);
    await this.repo.transact([this.repo.createInvoiceOp(p.tenantId, invoice)]);
    return invoice;
  }

  private draft(
    client: InvoiceClient,
    fields: Pick<
      Invoice,
      | 'policyId'
      | 'productLineId'
      | 'insurerId'
      | 'advisorId'
      | 'currency'
      | 'lines'
      | 'issueDate'
      | 'dueDate'
      | 'note'
      | 'instalmentDueDate'
    >,
  ): Invoice {
    const now = this.access.now();
    const total = sumMoney(
      fields.lines.map((l) => l.total),
      fields.currency,
    );
    return {
      id: newId(),
      clientId: client.id,
      clientName: client.name,
      number: null,
      reference: null,
      ...fields,
      total,
      paid: money(0, fields.currency),
      outstanding: total,
      outstandingMinor: toMinor(total),
      status: 'DRAFT',
      branchId: client.branchId,
      regionId: client.regionId,
      pdfKey: null,
      mailedAt: null,
      daysOverdue: 0,
      overdueAsOf: null,
      dunningStep: null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
  }

  /**
   * Drafts (and optionally issues) one invoice per instalment of a policy's plan. Re-running it
   * creates nothing new: each instalment claims its invoice under the policy and due date.
   */
  async generateInstalmentInvoices(principal: Principal | null, rawInput: unknown): Promise<Invoice[]> {
    const p = authorize(principal, 'invoices:write');
    const input = parseInput(GenerateInstalmentInvoicesSchema, rawInput);
    const policy = await this.policies.getPolicy(p.tenantId, input.policyId);
    if (!policy) throw new NotFoundError('Policy', input.policyId);
    const client = await this.clients.getClient(p.tenantId, policy.clientId);
    if (!client) throw new NotFoundError('Client', policy.clientId);
    const created: Invoice[] = [];
    for (const [i, instalment] of policy.instalments.entries()) {
      const unitPrice = instalment.amount;
      const invoice = this.draft(client, {
        policyId: policy.id,
        productLineId: policy.productLineId,
        insurerId: policy.insurerId,
        advisorId: policy.servicingAdvisorId ?? client.ownerAdvisorId,
        currency: unitPrice.currency,
        lines: [
          {
            description: `${policy.policyNumber} ${i + 1}/${policy.instalments.length}`,
            quantity: '1',
            unitPrice,
            total: unitPrice,
          },
        ],
        issueDate: addDays(instalment.dueDate, -input.issueDaysBefore),
        dueDate: instalment.dueDate,
        note: null,
        instalmentDueDate: instalment.dueDate,
      });
      if (i === 0) this.access.assertReach(p, invoice);
      try {
        await this.repo.transact([
          this.repo.createInvoiceOp(p.tenantId, invoice),
          this.repo.instalmentClaimOp(p.tenantId, invoice.id, policy.id, instalment.dueDate),
        ]);
      } catch (error) {
        if (error instanceof AlreadyExistsError) continue;
        throw error;
      }
      created.push(input.issue ? await this.issue(p.tenantId, invoice.id, null) : invoice);
    }
    return created;
  }

  // ---- issuing ------------------------------------------------------------------------------

  async issueInvoice(principal: Principal | null, rawInput: unknown): Promise<Invoice> {
    const p = authorize(principal, 'invoices:write');
    const input = parseInput(IssueInvoiceSchema, rawInput);
    await this.access.requireInvoice(p, input.id);
    return this.issue(p.tenantId, input.id, input.expectedVersion ?? null);
  }

  /**
   * Numbers the invoice from the tenant's sequence (the increment and the invoice write in one
   * transaction, retried after a lost race), then renders the PDF, stores it and mails it.
   */
  async issue(tenantId: string, invoiceId: string, expectedVersion: number | null): Promise<Invoice> {
    const tenant = await this.access.tenant(tenantId);
    const today = this.access.todayOf(tenant);
    let issued: Invoice | undefined;
    for (let attempt = 0; !issued; attempt++) {
      const current = await this.repo.getInvoice(tenantId, invoiceId);
      if (!current) throw new NotFoundError('Invoice', invoiceId);
      if (expectedVersion !== null && current.version !== expectedVersion) {
        throw new VersionConflictError('Invoice', invoiceId, expectedVersion);
      }
      if (current.status !== 'DRAFT')
        throw new RuleViolationError(`Invoice ${invoiceId} is ${current.status}, not DRAFT`);
      const issueDate = current.issueDate ?? today;
      const year = issueDate.slice(0, 4);
      const last = await this.repo.readSequence(tenantId, year);
      const number = formatInvoiceNumber(year, last + 1);
      const changes = {
        number,
        reference: normaliseReference(number),
        issueDate,
        status: (current.dueDate < today ? 'OVERDUE' : 'ISSUED') as InvoiceStatus,
        updatedAt: this.access.now(),
      };
      try {
        await this.repo.issueWithNumber(tenantId, current, year, last, changes);
        issued = { ...current, ...changes, version: current.version + 1 };
      } catch (error) {
        if (!isRace(error) || attempt >= MAX_ISSUE_ATTEMPTS) throw error;
        await sleep(Math.random() * Math.min(100, 5 * 2 ** Math.min(attempt, 5)));
      }
    }
    return this.publish(tenantId, tenant, issued);
  }

  /** Renders, stores and mails an issued invoice; records the PDF key and when it was mailed. */
  private async publish(tenantId: string, tenant: InvoiceTenant, invoice: Invoice): Promise<Invoice> {
    if (!this.adapters) return invoice;
    const client = await this.clients.getClient(tenantId, invoice.clientId);
    const pdf = await renderInvoicePdf(
      invoice,
      { name: tenant.name, locale: tenant.locale, supplier: tenant.supplier ?? null },
      { name: invoice.clientName, address: client?.address ?? null },
    );
    const pdfKey = `invoices/${tenantId}/${invoice.id}/${invoice.number}.pdf`;
    await this.adapters.store.put(this.adapters.bucket, pdfKey, pdf, 'application/pdf');
    let mailedAt: string | null = null;
    if (client?.email) {
      await this.adapters.mailer.send({
        from: this.adapters.mailFrom,
        to: client.email,
        subject: `${tenant.name}: invoice ${invoice.number}`,
        text: `Please find attached invoice ${invoice.number} for ${invoice.total.amount} ${invoice.total.currency}, due ${invoice.dueDate}. Payment reference: ${invoice.reference}.`,
        attachments: [{ filename: `${invoice.number}.pdf`, contentType: 'application/pdf', content: pdf }],
      });
      mailedAt = this.access.now();
    }
    return this.patch(tenantId, invoice, { pdfKey, mailedAt });
  }

  /** Applies a change that does not depend on the invoice's state, re-reading after a lost race. */
  private async patch(tenantId: string, invoice: Invoice, changes: Partial<Invoice>): Promise<Invoice> {
    let current = invoice;
    const startedAt = performance.now();
    for (let attempt = 0; ; attempt++) {
      try {
        await this.repo.transact([this.repo.updateInvoiceOp(tenantId, current, changes)]);
        return { ...current, ...changes, version: current.version + 1 };
      } catch (error) {
        if (!(await retryAfterRace(error, attempt, startedAt))) throw error;
        const fresh = await this.repo.getInvoiceOfClient(tenantId, current.clientId, current.id);
        if (!fresh) throw error;
        current = fresh;
      }
    }
  }

  /** An expiring link to the invoice's PDF, or null before it is issued (or without a bucket). */
  async pdfUrl(invoice: Invoice): Promise<string | null> {
    return pdfLink(this.adapters, invoice.pdfKey, `${invoice.number}.pdf`);
  }

  async cancelInvoice(principal: Principal | null, rawInput: unknown): Promise<Invoice> {
    return this.close(principal, rawInput, 'CANCELLED', 'invoices:write', ['DRAFT', 'ISSUED', 'OVERDUE']);
  }

  async writeOffInvoice(principal: Principal | null, rawInput: unknown): Promise<Invoice> {
    return this.close(principal, rawInput, 'WRITTEN_OFF', 'payments:write', OPEN_STATUSES);
  }

  private async close(
    principal: Principal | null,
    rawInput: unknown,
    to: InvoiceStatus,
    action: 'invoices:write' | 'payments:write',
    from: readonly InvoiceStatus[],
  ): Promise<Invoice> {
    const p = authorize(principal, action);
    const input = parseInput(CloseInvoiceSchema, rawInput);
    const invoice = await this.access.requireInvoice(p, input.id);
    if (invoice.version !== input.expectedVersion)
      throw new VersionConflictError('Invoice', invoice.id, input.expectedVersion);
    if (!from.includes(invoice.status) || (to === 'CANCELLED' && !new Dec(invoice.paid.amount).isZero())) {
      throw new RuleViolationError(
        `Invoice ${invoice.number ?? invoice.id} is ${invoice.status} and cannot become ${to}`,
      );
    }
    const changes = { status: to, note: input.reason, updatedAt: this.access.now() };
    await this.repo.transact([this.repo.updateInvoiceOp(p.tenantId, invoice, changes)]);
    return { ...invoice, ...changes, version: invoice.version + 1 };
  }
}
