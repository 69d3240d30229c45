import type * as z from 'zod';
import { AlreadyExistsError, ValidationFailedError, VersionConflictError } from '../../shared/errors.js';
import type { InsurerPolicy } from './ports.js';
import type { DeliveryContext } from './processing.js';
import type {
  Holder,
  PolicyEndorsedSchema,
  PolicyIssuedSchema,
  PolicyRenewedSchema,
  PolicyStatusEventSchema,
  RawEvent,
} from './webhooks.model.js';

const CONFLICT_ATTEMPTS = 5;

/**
 * What applying an event did: the policy it concerns and a note for the insurer's report, and the
 * client the policy belongs to (kept on the event's record, never in the report: the delivery's
 * archive is linked to it for data subject requests).
 */
export interface Applied {
  policyId: string;
  note: string;
  clientId: string;
}

/** The policy an event names by number, read fresh from its home item. */
export async function currentPolicy(ctx: DeliveryContext, policyNumber: string): Promise<InsurerPolicy> {
  const found = await ctx.policies.currentByNumber(ctx.tenantId, ctx.insurerId, policyNumber);
  if (!found) {
    throw new ValidationFailedError('Unknown policy', [
      { path: 'data.policyNumber', message: 'names no policy of this insurer' },
    ]);
  }
  return found;
}

/**
 * Applies a policy event through the policies service (so commissions follow by the stream). Each
 * is idempotent on its own too: a policy already in the event's end state is left as it is.
 */
export async function applyPolicyEvent(
  ctx: DeliveryContext,
  event: RawEvent,
  data: Record<string, unknown>,
): Promise<Applied> {
  // A conflict (the policy or its client changed between read and write, e.g. by another event of
  // the batch for the same client) is retried on fresh reads; the writes are idempotent.
  for (let attempt = 1; ; attempt++) {
    try {
      return event.type === 'policy.issued'
        ? await issue(ctx, data as z.output<typeof PolicyIssuedSchema>)
        : await changePolicy(ctx, event, data);
    } catch (error) {
      if (!(error instanceof VersionConflictError) || attempt >= CONFLICT_ATTEMPTS) throw error;
    }
  }
}

async function changePolicy(
  ctx: DeliveryContext,
  event: RawEvent,
  data: Record<string, unknown>,
): Promise<Applied> {
  const p = ctx.principal;
  const current = await currentPolicy(ctx, String(data.policyNumber));
  const base = { id: current.id, expectedVersion: current.version };
  const clientId = current.clientId;
  switch (event.type) {
    case 'policy.renewed': {
      const d = data as z.output<typeof PolicyRenewedSchema>;
      if (current.status === 'RENEWED' && current.renewedByPolicyId)
        return { policyId: current.renewedByPolicyId, note: 'already renewed', clientId };
      const renewal = await ctx.policies.renewPolicy(p, {
        ...base,
        policyNumber: d.newPolicyNumber ?? null,
        premium: d.premium,
        writtenDate: d.writtenDate,
        termStart: d.termStart,
        termEnd: d.termEnd,
      });
      return { policyId: renewal.id, note: `renewed as ${renewal.policyNumber}`, clientId };
    }
    case 'policy.endorsed': {
      const d = data as z.output<typeof PolicyEndorsedSchema>;
      const tag = `[insurer event ${event.id}]`;
      if (current.endorsements.some((e) => e.reason.endsWith(tag)))
        return { policyId: current.id, note: 'already endorsed', clientId };
      await ctx.policies.endorsePolicy(p, {
        ...base,
        newPremium: d.newPremium,
        effectiveDate: d.effectiveDate,
        reason: `${d.reason} ${tag}`,
      });
      return { policyId: current.id, note: 'endorsed', clientId };
    }
    case 'policy.cancelled':
    case 'policy.reactivated': {
      const d = data as z.output<typeof PolicyStatusEventSchema>;
      const cancel = event.type === 'policy.cancelled';
      const target = cancel ? 'CANCELLED' : 'REACTIVATED';
      if (current.status === target)
        return { policyId: current.id, note: `already ${target.toLowerCase()}`, clientId };
      const input = { ...base, date: d.date, reason: d.reason };
      await (cancel ? ctx.policies.cancelPolicy(p, input) : ctx.policies.reactivatePolicy(p, input));
      return { policyId: current.id, note: target.toLowerCase(), clientId };
    }
    default:
      throw new Error(`No policy handler for ${event.type}`);
  }
}

/** New business from the insurer: the holder matched or created as a potential client, then the policy. */
async function issue(ctx: DeliveryContext, d: z.output<typeof PolicyIssuedSchema>): Promise<Applied> {
  const code = d.productLineCode.toUpperCase();
  const productLine = (await ctx.productLines()).find((l) => l.code.toUpperCase() === code && l.active);
  if (!productLine) {
    throw new ValidationFailedError('Unknown product line', [
      { path: 'data.productLineCode', message: 'names no active product line of this brokerage' },
    ]);
  }
  let sellerId: string | undefined;
  if (d.sellerEmail) {
    sellerId = (await ctx.usersByEmail()).get(d.sellerEmail)?.id;
    if (!sellerId) {
      throw new ValidationFailedError('Unknown seller', [
        { path: 'data.sellerEmail', message: 'is not the e-mail of a user of this brokerage' },
      ]);
    }
  }
  const holder = await matchOrCreateHolder(ctx, d.holder, sellerId);
  const policy = await ctx.policies.writePolicy(
    ctx.principal,
    {
      clientId: holder.clientId,
      insurerId: ctx.insurerId,
      productLineId: productLine.id,
      policyNumber: d.policyNumber,
      insuredObjects: d.insuredObjects,
      premium: d.premium,
      frequency: d.frequency,
      writtenDate: d.writtenDate,
      termStart: d.termStart,
      termEnd: d.termEnd,
      status: d.status,
      sellerId,
      externalId: d.externalId,
    },
    { source: 'WEBHOOK', idempotent: true },
  );
  return {
    policyId: policy.id,
    note: holder.created ? 'policy written for a new potential client' : 'policy written',
    clientId: holder.clientId,
  };
}

/**
 * The client an event's holder is: first by national id, then tax id, then e-mail (each unique in
 * the tenant); none → a new potential client owned by the seller or the mapping's default advisor.
 */
async function matchOrCreateHolder(
  ctx: DeliveryContext,
  holder: Holder,
  sellerId: string | undefined,
): Promise<{ clientId: string; created: boolean }> {
  const match = async () => {
    const lookups = [
      ['NATIONAL_ID', holder.nationalId],
      ['TAX_ID', holder.taxId],
      ['CLIENT_EMAIL', holder.email],
    ] as const;
    for (const [key, value] of lookups) {
      if (!value) continue;
      const owner = await ctx.holders.clientHolding(ctx.tenantId, key, value);
      if (owner) return owner;
    }
    return undefined;
  };
  const found = await match();
  if (found) return { clientId: found, created: false };
  const ownerAdvisorId = sellerId ?? ctx.mapping.defaultAdvisorId;
  if (!ownerAdvisorId) {
    throw new ValidationFailedError('No owner for a new client', [
      {
        path: 'data.holder',
        message:
          'matches no client, and neither a sellerEmail nor the mapping’s defaultAdvisorId names an owner',
      },
    ]);
  }
  try {
    const client = await ctx.holders.createClient(
      ctx.principal,
      {
        kind: holder.kind,
        firstName: holder.firstName,
        lastName: holder.lastName,
        companyName: holder.companyName,
        nationalId: holder.nationalId,
        taxId: holder.taxId,
        email: holder.email,
        phone: holder.phone,
        segment: holder.kind === 'COMPANY' ? 'BUSINESS' : 'INDIVIDUAL',
        acquisitionType: 'ADVISOR',
        ownerAdvisorId,
        status: 'POTENTIAL',
      },
      { source: 'insurer webhook' },
    );
    return { clientId: client.id, created: true };
  } catch (error) {
    // Another event of this delivery created the same holder a moment ago.
    if (error instanceof AlreadyExistsError) {
      const raced = await match();
      if (raced) return { clientId: raced, created: false };
    }
    if (error instanceof ValidationFailedError) {
      throw new ValidationFailedError(
        error.message,
        error.fieldErrors.map((f) => ({
          path: f.path === 'input.ownerAdvisorId' ? 'data.holder' : f.path.replace(/^input/, 'data.holder'),
          message: f.path === 'input.ownerAdvisorId' ? `owner ${f.message}` : f.message,
        })),
      );
    }
    throw error;
  }
}
