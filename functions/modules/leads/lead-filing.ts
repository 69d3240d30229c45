import type { Clock } from '../../shared/clock.js';
import type { TransactOp } from '../../shared/db.js';
import { AlreadyExistsError, VersionConflictError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import type { LeadForm } from './leads.model.js';
import { type LeadsRepository, LeadTurnTakenError } from './leads.repository.js';
import type { LeadClients, LeadConsent, LeadMatchField, LeadTasks } from './ports.js';

/** A first contact is due within a day (the CALL type's SLA). */
const FIRST_CONTACT_HOURS = 24;
/**
 * Concurrent leads race for the form's round-robin turn (and the same person's client): a loser
 * reads again and rebuilds its transaction, at most this many times in all.
 */
const ATTEMPTS = 5;

/** A lead on its way into the book, whichever way it came: a public form or a partner's portal. */
export interface IncomingLead {
  kind: 'PERSON' | 'COMPANY';
  firstName: string | null;
  lastName: string | null;
  companyName: string | null;
  email: string | null;
  phone: string | null;
  nationalId: string | null;
  taxId: string | null;
  /** The consents given, each with how it was given. */
  consents: LeadConsent[];
  /** The partner who refers it (a portal lead); null for a public form's lead. */
  referringPartnerId: string | null;
  /** Where it came from, for the client's history: `lead form "…"`, `partner:<id>`. */
  source: string;
  /** Who files it, in the client's history (default: the lead intake). */
  actor?: string;
  /** Where the first-contact task's title says the lead came from. */
  via: string;
  /** The first-contact task's note. */
  note: string | null;
}

/** How a lead was filed: the client it names, and whether that client existed already. */
export interface FiledLead {
  clientId: string;
  /** True when the lead matched an existing client instead of creating one. */
  matched: boolean;
  /** For a match: the partner the existing client was referred by (null for none). */
  matchedReferrer: string | null;
}

/**
 * Files leads into the book, the one path both public forms and partners' portals take: match an
 * existing client (national id, tax id, then e-mail) or create a POTENTIAL one, record the consents
 * given, and give the advisor whose turn it is a first-contact task, in one transaction with the
 * caller's acceptance ops (rate windows, the form's turn, a receipt).
 */
export class LeadFiling {
  constructor(
    private readonly repo: LeadsRepository,
    private readonly clients: LeadClients,
    private readonly tasks: LeadTasks,
    private readonly clock: Clock,
  ) {}

  /**
   * Files the lead in the form's next turn. `acceptOps` counts it (rate windows) and takes the turn
   * of the form as read; `extraOps` adds what depends on the outcome (a receipt). A concurrent lead
   * that took the turn, created the same person's client or changed the matched client makes the
   * next attempt read again and rebuild; any other failure (a full window) is thrown as it is.
   */
  async fileInTurn(
    form: LeadForm,
    advisors: string[],
    lead: IncomingLead,
    acceptOps: (current: LeadForm) => TransactOp[],
    extraOps: (filed: FiledLead) => TransactOp[] = () => [],
  ): Promise<FiledLead> {
    let current = form;
    for (let attempt = 1; ; attempt++) {
      const assigneeId = advisors[current.leadsAccepted % advisors.length] as string;
      const { filed, ops } = await this.fileOps(current, lead, assigneeId);
      try {
        await this.repo.transact([...acceptOps(current), ...ops, ...extraOps(filed)]);
        return filed;
      } catch (error) {
        const retry =
          error instanceof LeadTurnTakenError ||
          error instanceof AlreadyExistsError ||
          error instanceof VersionConflictError;
        if (!retry || attempt >= ATTEMPTS) throw error;
        if (error instanceof LeadTurnTakenError) current = (await this.repo.findLeadForm(form.id)) ?? current;
      }
    }
  }

  /** The ops filing a lead: the client (matched or new) with its consents, and the first-contact task. */
  private async fileOps(
    form: LeadForm,
    lead: IncomingLead,
    assigneeId: string,
  ): Promise<{ filed: FiledLead; ops: TransactOp[] }> {
    const matched = await this.match(form.tenantId, lead);
    const ops: TransactOp[] = [];
    let filed: FiledLead;
    if (matched) {
      filed = {
        clientId: matched,
        matched: true,
        matchedReferrer: lead.referringPartnerId
          ? await this.clients.referringPartnerOf(form.tenantId, matched)
          : null,
      };
      if (lead.consents.length > 0)
        ops.push(...(await this.clients.consentOps(form.tenantId, matched, lead.consents, lead.actor)));
    } else {
      const created = await this.clients.potentialClientOps(form.tenantId, {
        kind: lead.kind,
        firstName: lead.firstName,
        lastName: lead.lastName,
        companyName: lead.companyName,
        email: lead.email,
        phone: lead.phone,
        nationalId: lead.nationalId,
        taxId: lead.taxId,
        leadSourceId: form.leadSourceId,
        referringPartnerId: lead.referringPartnerId,
        ownerAdvisorId: assigneeId,
        consents: lead.consents,
        how: lead.source,
        ...(lead.actor ? { actor: lead.actor } : {}),
      });
      filed = { clientId: created.clientId, matched: false, matchedReferrer: null };
      ops.push(...created.ops);
    }
    const due = new Date(this.clock.now().getTime() + FIRST_CONTACT_HOURS * 3_600_000);
    const name = lead.kind === 'COMPANY' ? lead.companyName : `${lead.firstName} ${lead.lastName}`;
    ops.push(
      ...(await this.tasks.firstContactTaskOps(
        form.tenantId,
        {
          id: newId(),
          clientId: filed.clientId,
          assigneeId,
          title: `First contact: ${name} (${lead.via})`,
          dueAt: due.toISOString(),
          note: lead.note,
        },
        lead.actor,
      )),
    );
    return { filed, ops };
  }

  /** An existing client by national id, tax id, then e-mail. */
  private async match(tenantId: string, lead: IncomingLead): Promise<string | undefined> {
    const tries: Array<[LeadMatchField, string | null]> = [
      ['NATIONAL_ID', lead.nationalId],
      ['TAX_ID', lead.taxId],
      ['CLIENT_EMAIL', lead.email],
    ];
    for (const [field, value] of tries) {
      if (!value) continue;
      const id = await this.clients.clientHolding(tenantId, field, value);
      if (id) return id;
    }
    return undefined;
  }
}
