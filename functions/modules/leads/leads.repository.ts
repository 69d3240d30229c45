import { type Db, putNewOp, type TransactOp } from '../../shared/db.js';
import { AlreadyExistsError } from '../../shared/errors.js';
import { fromItem, toItem } from '../../shared/items.js';
import { countInWindowOp, windowStartOf } from '../../shared/rate-window.js';
import { EntityType, keys } from '../../shared/table-design.js';
import { LEAD_LIMITS, type LeadForm, PARTNER_LEAD_LIMITS, type PartnerLeadReceipt } from './leads.model.js';

/** Why an acceptance did not go through: a full rate window, or another lead took the advisor turn. */
export class LeadWindowFullError extends Error {
  constructor(readonly retryAfterSeconds: number) {
    super('rate window full');
  }
}
export class LeadTurnTakenError extends Error {}
/** A partner's lead whose external reference was filed meanwhile: answer the stored receipt. */
export class PartnerLeadRepeatedError extends Error {}

/** Lead forms, their public routes and rate windows: the only code that reads or writes them. */
export class LeadsRepository {
  constructor(private readonly db: Db) {}

  /** Creates a form with its public route (form id → tenant), all or nothing. */
  async createLeadForm(form: LeadForm): Promise<void> {
    const exists = () => new AlreadyExistsError('LeadForm', 'id', form.id);
    await this.db.transact([
      putNewOp(
        toItem(keys.leadForm(form.tenantId, form.id), EntityType.LeadForm, form.tenantId, form),
        exists,
      ),
      putNewOp(
        toItem(keys.leadFormRoute(form.id), EntityType.LeadFormRoute, form.tenantId, {
          formId: form.id,
          routeTenantId: form.tenantId,
        }),
        exists,
      ),
    ]);
  }

  /** listLeadForms: the tenant's forms, newest first (one small partition). */
  async listLeadForms(tenantId: string): Promise<LeadForm[]> {
    const items = await this.db.queryAll({
      partition: keys.leadForms(tenantId),
      beginsWith: keys.leadFormPrefix,
      newestFirst: true,
    });
    return items.map((i) => ({ ...fromItem<LeadForm>(i), tenantId }));
  }

  /**
   * The form partners' portal leads are filed through: the newest of the tenant's forms that takes
   * them (one small partition), read consistently so its round-robin turn is current.
   */
  async findPartnerLeadForm(tenantId: string): Promise<LeadForm | undefined> {
    const form = (await this.listLeadForms(tenantId)).find((f) => f.takesPartnerLeads === true);
    if (!form) return undefined;
    const item = await this.db.get(keys.leadForm(tenantId, form.id), { consistent: true });
    return item ? { ...fromItem<LeadForm>(item), tenantId } : undefined;
  }

  /** getLeadFormRoute then getLeadForm: a public form id to its form, in two GetItems. */
  async findLeadForm(formId: string): Promise<LeadForm | undefined> {
    const route = await this.db.get(keys.leadFormRoute(formId));
    const tenantId = typeof route?.routeTenantId === 'string' ? route.routeTenantId : undefined;
    if (!tenantId) return undefined;
    const item = await this.db.get(keys.leadForm(tenantId, formId), { consistent: true });
    return item ? { ...fromItem<LeadForm>(item), tenantId } : undefined;
  }

  /**
   * The ops accepting one lead, written in the transaction that files it: count it in the form's and
   * the source address's windows and take the form's next round-robin turn (`leadsAccepted` as
   * read). A full window refuses with {@link LeadWindowFullError} and nothing is written; a turn
   * taken meanwhile by a concurrent lead fails with {@link LeadTurnTakenError} (read the form again
   * and retry).
   */
  acceptLeadOps(form: LeadForm, addressHash: string, now: Date): TransactOp[] {
    const formStart = windowStartOf(now, LEAD_LIMITS.formWindowSeconds);
    const addressStart = windowStartOf(now, LEAD_LIMITS.addressWindowSeconds);
    const nowSeconds = Math.floor(now.getTime() / 1000);
    const full = (start: number, seconds: number) => () =>
      new LeadWindowFullError(start + seconds - nowSeconds);
    return [
      countInWindowOp(
        {
          key: keys.leadFormRateWindow(form.tenantId, form.id, formStart),
          entityType: EntityType.LeadRateWindow,
          tenantId: form.tenantId,
          windowStart: formStart,
          windowSeconds: LEAD_LIMITS.formWindowSeconds,
          limit: LEAD_LIMITS.perFormPerMinute,
        },
        full(formStart, LEAD_LIMITS.formWindowSeconds),
      ),
      countInWindowOp(
        {
          key: keys.leadAddressRateWindow(form.tenantId, addressHash, addressStart),
          entityType: EntityType.LeadRateWindow,
          tenantId: form.tenantId,
          windowStart: addressStart,
          windowSeconds: LEAD_LIMITS.addressWindowSeconds,
          limit: LEAD_LIMITS.perAddressPerHour,
        },
        full(addressStart, LEAD_LIMITS.addressWindowSeconds),
      ),
      turnOp(form),
    ];
  }

  /**
   * The ops accepting a partner's portal lead, as {@link acceptLeadOps} for a form's: count it in
   * the partner's hourly window (a sub-agent has its own) and take the partner form's next turn.
   */
  acceptPartnerLeadOps(form: LeadForm, partnerId: string, now: Date): TransactOp[] {
    const start = windowStartOf(now, PARTNER_LEAD_LIMITS.windowSeconds);
    const nowSeconds = Math.floor(now.getTime() / 1000);
    return [
      countInWindowOp(
        {
          key: keys.partnerLeadRateWindow(form.tenantId, partnerId, start),
          entityType: EntityType.LeadRateWindow,
          tenantId: form.tenantId,
          windowStart: start,
          windowSeconds: PARTNER_LEAD_LIMITS.windowSeconds,
          limit: PARTNER_LEAD_LIMITS.perPartnerPerHour,
        },
        () => new LeadWindowFullError(start + PARTNER_LEAD_LIMITS.windowSeconds - nowSeconds),
      ),
      turnOp(form),
    ];
  }

  /**
   * The op keeping a partner's receipt under its external reference, in the lead's transaction: a
   * reference filed meanwhile fails it with {@link PartnerLeadRepeatedError} and nothing is written.
   */
  partnerLeadReceiptOp(
    tenantId: string,
    receipt: PartnerLeadReceipt & { externalReference: string },
  ): TransactOp {
    return putNewOp(
      toItem(
        keys.partnerLeadReceipt(tenantId, receipt.partnerId, receipt.externalReference),
        EntityType.PartnerLeadReceipt,
        tenantId,
        receipt,
      ),
      () => new PartnerLeadRepeatedError(),
    );
  }

  /** getPartnerLeadReceipt: a partner's receipt by its own reference (one GetItem). */
  async findPartnerLeadReceipt(
    tenantId: string,
    partnerId: string,
    externalReference: string,
  ): Promise<PartnerLeadReceipt | undefined> {
    const item = await this.db.get(keys.partnerLeadReceipt(tenantId, partnerId, externalReference), {
      consistent: true,
    });
    return item ? fromItem<PartnerLeadReceipt>(item) : undefined;
  }

  /** Writes a lead's ops (acceptance, client, consents, task) all or nothing. */
  async transact(ops: TransactOp[]): Promise<void> {
    await this.db.transact(ops);
  }
}

/** The op taking a form's next round-robin turn (`leadsAccepted` as read), or {@link LeadTurnTakenError}. */
function turnOp(form: LeadForm): TransactOp {
  const formKey = keys.leadForm(form.tenantId, form.id);
  return {
    item: {
      Update: {
        TableName: '',
        Key: { pk: formKey.pk, sk: formKey.sk },
        UpdateExpression: 'SET leadsAccepted = :next',
        ConditionExpression: 'leadsAccepted = :seen',
        ExpressionAttributeValues: { ':seen': form.leadsAccepted, ':next': form.leadsAccepted + 1 },
      },
    },
    onConditionFailed: () => new LeadTurnTakenError(),
  };
}
