import { assertReach, authorize } from '../../shared/auth/policy.js';
import type { Principal } from '../../shared/auth/principal.js';
import type { TransactOp } from '../../shared/db.js';
import { RuleViolationError, ValidationFailedError } from '../../shared/errors.js';
import { newId } from '../../shared/ids.js';
import { OrgKind } from '../../shared/table-design.js';
import { parseInput } from '../../shared/validation.js';
import type { ClientBook } from './client-book.js';
import {
  AddContactSchema,
  AddNoteSchema,
  ChangeClientStatusSchema,
  type Client,
  type Contact,
  CreateClientSchema,
  RecordConsentSchema,
  STATUS_TRANSITIONS,
  sortNameOf,
  type TimelineEntry,
  UpdateClientSchema,
} from './clients.model.js';
import type { ClientsRepository, UniqueValue } from './clients.repository.js';

/**
 * Client records: creating people and companies with unique ids, editing them, the lifecycle status
 * workflow, consents, contacts and notes. Every write is checked against the principal's scope.
 */
export class ClientRecordsService {
  constructor(
    private readonly repo: ClientsRepository,
    private readonly book: ClientBook,
  ) {}

  async createClient(
    principal: Principal | null,
    input: unknown,
    options: { source?: string } = {},
  ): Promise<Client> {
    const { client, ops } = await this.createClientOps(principal, input, options);
    await this.repo.transact(ops);
    return client;
  }

  /**
   * Everything `createClient` checks, and the ops that write the client, for a caller that writes
   * them in one transaction with its own (a lead with its first-contact task).
   */
  async createClientOps(
    principal: Principal | null,
    input: unknown,
    options: { source?: string } = {},
  ): Promise<{ client: Client; ops: TransactOp[] }> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(CreateClientSchema, input);
    const ownerId = data.ownerAdvisorId ?? p.userId;
    const owner = await this.book.requireAdvisor(p.tenantId, ownerId, 'input.ownerAdvisorId');
    const branch = await this.book.requireBranch(p.tenantId, owner.branchId, 'input.ownerAdvisorId');
    assertReach(
      p,
      { ownerUserId: owner.id, branchId: branch.id, regionId: branch.regionId },
      'The owner advisor',
    );
    if (data.leadSourceId)
      await this.book.requireReference(
        p.tenantId,
        OrgKind.LeadSource,
        data.leadSourceId,
        'input.leadSourceId',
        'lead source',
      );
    if (data.referringPartnerId) {
      await this.book.requireReference(
        p.tenantId,
        OrgKind.Partner,
        data.referringPartnerId,
        'input.referringPartnerId',
        'partner',
      );
    }
    if (data.parentClientId) await this.book.requireClient(p, data.parentClientId);
    const now = this.book.now();
    const name = data.kind === 'PERSON' ? `${data.lastName} ${data.firstName}` : (data.companyName ?? '');
    const client: Client = {
      id: newId(),
      kind: data.kind,
      name,
      firstName: data.kind === 'PERSON' ? (data.firstName ?? null) : null,
      lastName: data.kind === 'PERSON' ? (data.lastName ?? null) : null,
      birthDate: data.birthDate ?? null,
      nationalId: data.nationalId ?? null,
      companyName: data.kind === 'COMPANY' ? (data.companyName ?? null) : null,
      taxId: data.taxId ?? null,
      email: data.email ?? null,
      phone: data.phone ?? null,
      address: data.address ?? null,
      parentClientId: data.parentClientId ?? null,
      segment: data.segment,
      acquisitionType: data.acquisitionType,
      leadSourceId: data.leadSourceId ?? null,
      referringPartnerId: data.referringPartnerId ?? null,
      ownerAdvisorId: owner.id,
      branchId: branch.id,
      regionId: branch.regionId,
      status: data.status,
      tags: [...new Set(data.tags)],
      consents: data.consents.map((c) => ({ ...c, at: now, recordedBy: p.userId })),
      inPool: false,
      externalId: data.externalId ?? null,
      sortName: sortNameOf(name),
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    const ops = this.repo.createClientOps(
      p.tenantId,
      client,
      uniqueValuesOf(client),
      this.book.entry(
        client.id,
        'CREATED',
        p.userId,
        `Client created${options.source ? ` (${options.source})` : ''}`,
        {
          toStatus: client.status,
        },
      ),
    );
    return { client, ops };
  }

  async updateClient(principal: Principal | null, input: unknown): Promise<Client> {
    const p = authorize(principal, 'book:write');
    const { id, expectedVersion, ...changes } = parseInput(UpdateClientSchema, input);
    const current = await this.book.requireClient(p, id);
    const defined = Object.fromEntries(
      Object.entries(changes).filter(([, v]) => v !== undefined),
    ) as Partial<Client>;
    if (current.kind === 'PERSON' && (defined.firstName !== undefined || defined.lastName !== undefined)) {
      defined.name = `${defined.lastName ?? current.lastName} ${defined.firstName ?? current.firstName}`;
    }
    if (current.kind === 'COMPANY' && defined.companyName) defined.name = defined.companyName;
    if (defined.name) defined.sortName = sortNameOf(defined.name);
    if (defined.parentClientId) {
      if (defined.parentClientId === current.id) {
        throw new ValidationFailedError('A client cannot be its own parent', [
          { path: 'input.parentClientId', message: 'cannot be the client itself' },
        ]);
      }
      await this.book.requireClient(p, defined.parentClientId);
    }
    const merged = { ...current, ...defined };
    const before = new Map(uniqueValuesOf(current).map((u) => [u.field, u.value]));
    const after = new Map(uniqueValuesOf(merged).map((u) => [u.field, u.value]));
    const uniqueChanges = [...new Set([...before.keys(), ...after.keys()])]
      .filter((f) => before.get(f) !== after.get(f))
      .map((field) => ({ field, from: before.get(field) ?? null, to: after.get(field) ?? null }));
    return this.repo.updateClient(
      p.tenantId,
      current,
      expectedVersion,
      { ...defined, updatedAt: this.book.now() },
      [],
      uniqueChanges,
    );
  }

  /** Moves a client along the lifecycle (POTENTIAL → ACTIVE → LOST …), keeping who, when and why. */
  async changeStatus(principal: Principal | null, input: unknown): Promise<Client> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(ChangeClientStatusSchema, input);
    const current = await this.book.requireClient(p, data.id);
    if (!STATUS_TRANSITIONS[current.status].includes(data.status)) {
      throw new RuleViolationError(`A client cannot go from ${current.status} to ${data.status}`, {
        from: current.status,
        to: data.status,
        allowed: STATUS_TRANSITIONS[current.status],
      });
    }
    return this.repo.updateClient(
      p.tenantId,
      current,
      data.expectedVersion,
      { status: data.status, updatedAt: this.book.now() },
      [
        this.repo.timelineOp(
          p.tenantId,
          this.book.entry(current.id, 'STATUS_CHANGED', p.userId, `${current.status} → ${data.status}`, {
            fromStatus: current.status,
            toStatus: data.status,
            reason: data.reason,
          }),
        ),
      ],
    );
  }

  /**
   * The ops recording consents given at once (a lead form) on a client, at the version read: one
   * update and a timeline entry per channel, for a caller that writes them with its own.
   */
  async recordConsentsOps(
    principal: Principal,
    clientId: string,
    consents: Array<{ channel: Client['consents'][number]['channel']; granted: boolean; how: string }>,
  ): Promise<TransactOp[]> {
    const p = authorize(principal, 'book:write');
    const current = await this.book.requireClient(p, clientId);
    const at = this.book.now();
    return [
      this.repo.updateClientOp(p.tenantId, current, current.version, {
        consents: [...current.consents, ...consents.map((c) => ({ ...c, at, recordedBy: p.userId }))],
        updatedAt: at,
      }),
      ...consents.map((c) => this.consentEntryOp(p, current.id, c)),
    ];
  }

  /** The timeline entry of a consent given or withdrawn. */
  private consentEntryOp(
    p: Principal,
    clientId: string,
    c: { channel: string; granted: boolean; how: string },
  ): TransactOp {
    const summary = `${c.channel} consent ${c.granted ? 'given' : 'withdrawn'}`;
    return this.repo.timelineOp(
      p.tenantId,
      this.book.entry(clientId, 'CONSENT', p.userId, summary, { text: c.how }),
    );
  }

  /** Records a consent given or withdrawn; the latest record per channel is the one in force. */
  async recordConsent(principal: Principal | null, input: unknown): Promise<Client> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(RecordConsentSchema, input);
    const current = await this.book.requireClient(p, data.clientId);
    const consent = {
      channel: data.channel,
      granted: data.granted,
      how: data.how,
      at: this.book.now(),
      recordedBy: p.userId,
    };
    return this.repo.updateClient(
      p.tenantId,
      current,
      data.expectedVersion,
      { consents: [...current.consents, consent], updatedAt: this.book.now() },
      [this.consentEntryOp(p, current.id, data)],
    );
  }

  async addContact(principal: Principal | null, input: unknown): Promise<Contact> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(AddContactSchema, input);
    await this.book.requireClient(p, data.clientId);
    const now = this.book.now();
    const contact: Contact = {
      id: newId(),
      clientId: data.clientId,
      name: data.name,
      role: data.role ?? null,
      email: data.email ?? null,
      phone: data.phone ?? null,
      version: 1,
      createdAt: now,
      updatedAt: now,
    };
    await this.repo.addContact(p.tenantId, contact);
    return contact;
  }

  async addNote(principal: Principal | null, input: unknown): Promise<TimelineEntry> {
    const p = authorize(principal, 'book:write');
    const data = parseInput(AddNoteSchema, input);
    await this.book.requireClient(p, data.clientId);
    const note = this.book.entry(data.clientId, 'NOTE', p.userId, data.text.slice(0, 120), {
      noteKind: data.kind,
      text: data.text,
    });
    await this.repo.transact([this.repo.timelineOp(p.tenantId, note)]);
    return note;
  }
}

/** The unique values of a client, by the field names that claim them. */
export function uniqueValuesOf(
  client: Pick<Client, 'nationalId' | 'taxId' | 'email' | 'externalId'>,
): UniqueValue[] {
  const values: UniqueValue[] = [];
  if (client.nationalId) values.push({ field: 'NATIONAL_ID', value: client.nationalId });
  if (client.taxId) values.push({ field: 'TAX_ID', value: client.taxId });
  if (client.email) values.push({ field: 'CLIENT_EMAIL', value: client.email });
  if (client.externalId) values.push({ field: 'CLIENT_EXTERNAL_ID', value: client.externalId });
  return values;
}
