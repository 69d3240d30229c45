import { beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../../../functions/shared/auth/principal.js';
import { createTestApp, errorCode } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';

/**
 * The book's authorization matrix: every query and mutation, for every role, on a record inside and
 * outside the caller's scope. "allowed" means the call was not refused (it may still fail for a
 * domain reason such as a rule violation); "FORBIDDEN" and "UNAUTHENTICATED" must be exactly that.
 */
const app = createTestApp();
let b: Brokerage;

interface Fixture {
  clientId: string;
  clientVersion: number;
  policyId: string;
  policyVersion: number;
}

type Access = 'staff' | 'transfer' | 'partner';
type Placement = 'inScope' | 'outOfScope';

interface Operation {
  name: string;
  access: Access;
  /** Whether the answer depends on where the record sits (own/branch scope). */
  recordScoped: boolean;
  document: string;
  variables(fx: Fixture): Record<string, unknown>;
  /** Reads change nothing, so callers may share one fixture per placement. */
  readOnly?: boolean;
  /** Prepares the record (e.g. releases it to the pool) before the call. */
  prepare?(fx: Fixture): Promise<Fixture>;
}

const status = (op: string) => `mutation($i: PolicyStatusInput!) { ${op}(input: $i) { id } }`;

const OPERATIONS: Operation[] = [
  {
    name: 'client',
    readOnly: true,
    access: 'staff',
    recordScoped: true,
    document: `query($id: ID!) { client(id: $id) { id } }`,
    variables: (f) => ({ id: f.clientId }),
  },
  {
    name: 'clientCard',
    readOnly: true,
    access: 'staff',
    recordScoped: true,
    document: `query($id: ID!) { clientCard(id: $id) { client { id } } }`,
    variables: (f) => ({ id: f.clientId }),
  },
  {
    name: 'clientTimeline',
    readOnly: true,
    access: 'staff',
    recordScoped: true,
    document: `query($id: ID!) { clientTimeline(clientId: $id) { edges { node { id } } } }`,
    variables: (f) => ({ id: f.clientId }),
  },
  {
    name: 'clients',
    readOnly: true,
    access: 'staff',
    recordScoped: false,
    document: `{ clients { edges { node { id } } } }`,
    variables: () => ({}),
  },
  {
    name: 'clientPool',
    readOnly: true,
    access: 'staff',
    recordScoped: false,
    document: `query($b: ID) { clientPool(branchId: $b) { edges { node { id } } } }`,
    variables: () => ({ b: b.ownBranchId }),
  },
  {
    name: 'referredClients',
    readOnly: true,
    access: 'partner',
    recordScoped: false,
    document: `{ referredClients { edges { node { id } } } }`,
    variables: () => ({}),
  },
  {
    name: 'policy',
    readOnly: true,
    access: 'staff',
    recordScoped: true,
    document: `query($id: ID!) { policy(id: $id) { id } }`,
    variables: (f) => ({ id: f.policyId }),
  },
  {
    name: 'policies',
    readOnly: true,
    access: 'staff',
    recordScoped: false,
    document: `{ policies { edges { node { id } } } }`,
    variables: () => ({}),
  },
  {
    name: 'createClient',
    access: 'staff',
    recordScoped: false,
    document: `mutation($i: CreateClientInput!) { createClient(input: $i) { id } }`,
    variables: () => ({ i: personInput({ ownerAdvisorId: b.advisorId }) }),
  },
  {
    name: 'updateClient',
    access: 'staff',
    recordScoped: true,
    document: `mutation($i: UpdateClientInput!) { updateClient(input: $i) { id } }`,
    variables: (f) => ({ i: { id: f.clientId, expectedVersion: f.clientVersion, segment: 'VIP' } }),
  },
  {
    name: 'changeClientStatus',
    access: 'staff',
    recordScoped: true,
    document: `mutation($i: ChangeClientStatusInput!) { changeClientStatus(input: $i) { id } }`,
    variables: (f) => ({
      i: { id: f.clientId, expectedVersion: f.clientVersion, status: 'LOST', reason: 'matrix' },
    }),
  },
  {
    name: 'recordConsent',
    access: 'staff',
    recordScoped: true,
    document: `mutation($i: RecordConsentInput!) { recordConsent(input: $i) { id } }`,
    variables: (f) => ({
      i: {
        clientId: f.clientId,
        expectedVersion: f.clientVersion,
        channel: 'SMS',
        granted: true,
        how: 'form',
      },
    }),
  },
  {
    name: 'addContact',
    access: 'staff',
    recordScoped: true,
    document: `mutation($i: AddContactInput!) { addContact(input: $i) { id } }`,
    variables: (f) => ({ i: { clientId: f.clientId, name: 'Contact' } }),
  },
  {
    name: 'addNote',
    access: 'staff',
    recordScoped: true,
    document: `mutation($i: AddNoteInput!) { addNote(input: $i) { id } }`,
    variables: (f) => ({ i: { clientId: f.clientId, kind: 'NOTE', text: 'matrix' } }),
  },
  {
    name: 'transferClient',
    access: 'transfer',
    recordScoped: true,
    document: `mutation($i: TransferClientInput!) { transferClient(input: $i) { id } }`,
    variables: (f) => ({
      i: {
        clientId: f.clientId,
        expectedVersion: f.clientVersion,
        toAdvisorId: b.subAgentId,
        reason: 'matrix',
      },
    }),
  },
  {
    name: 'transferBook',
    access: 'transfer',
    recordScoped: false,
    document: `mutation($i: TransferBookInput!) { transferBook(input: $i) { transferred } }`,
    variables: () => ({ i: { fromAdvisorId: 'nobody', toAdvisorId: b.subAgentId, reason: 'matrix' } }),
  },
  {
    name: 'releaseToPool',
    access: 'staff',
    recordScoped: true,
    document: `mutation($i: ReleaseToPoolInput!) { releaseToPool(input: $i) { id } }`,
    variables: (f) => ({ i: { clientId: f.clientId, expectedVersion: f.clientVersion, reason: 'matrix' } }),
  },
  {
    name: 'takeFromPool',
    access: 'staff',
    recordScoped: false,
    document: `mutation($i: TakeFromPoolInput!) { takeFromPool(input: $i) { id } }`,
    variables: (f) => ({ i: { clientId: f.clientId, expectedVersion: f.clientVersion } }),
    prepare: async (f) => {
      await app.services.clients.transfers.releaseToPool(b.admin, {
        clientId: f.clientId,
        expectedVersion: f.clientVersion,
        reason: 'matrix',
      });
      return { ...f, clientVersion: f.clientVersion + 1 };
    },
  },
  {
    name: 'writePolicy',
    access: 'staff',
    recordScoped: true,
    document: `mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }`,
    variables: (f) => ({ i: mtplInput(b, f.clientId) }),
  },
  {
    name: 'endorsePolicy',
    access: 'staff',
    recordScoped: true,
    document: `mutation($i: EndorsePolicyInput!) { endorsePolicy(input: $i) { id } }`,
    variables: (f) => ({
      i: {
        id: f.policyId,
        expectedVersion: f.policyVersion,
        newPremium: { amount: '13000.00', currency: 'CZK' },
        effectiveDate: '2026-06-01',
        reason: 'matrix',
      },
    }),
  },
  {
    name: 'renewPolicy',
    access: 'staff',
    recordScoped: true,
    document: `mutation($i: RenewPolicyInput!) { renewPolicy(input: $i) { id } }`,
    variables: (f) => ({
      i: {
        id: f.policyId,
        expectedVersion: f.policyVersion,
        premium: { amount: '13000.00', currency: 'CZK' },
        writtenDate: '2026-12-20',
        termStart: '2027-01-15',
        termEnd: '2028-01-14',
      },
    }),
  },
  ...(['cancelPolicy', 'lapsePolicy'] as const).map(
    (op): Operation => ({
      name: op,
      access: 'staff',
      recordScoped: true,
      document: status(op),
      variables: (f) => ({
        i: { id: f.policyId, expectedVersion: f.policyVersion, date: '2026-06-01', reason: 'matrix' },
      }),
    }),
  ),
  {
    name: 'reactivatePolicy',
    access: 'staff',
    recordScoped: true,
    document: status('reactivatePolicy'),
    variables: (f) => ({
      i: { id: f.policyId, expectedVersion: f.policyVersion, date: '2026-06-02', reason: 'matrix' },
    }),
    prepare: async (f) => {
      await app.services.policies.lifecycle.cancelPolicy(b.admin, {
        id: f.policyId,
        expectedVersion: f.policyVersion,
        date: '2026-06-01',
        reason: 'matrix',
      });
      return { ...f, policyVersion: f.policyVersion + 1 };
    },
  },
  {
    name: 'acceptOffer',
    access: 'staff',
    recordScoped: true,
    document: status('acceptOffer'),
    variables: (f) => ({
      i: { id: f.policyId, expectedVersion: f.policyVersion, date: '2026-01-15', reason: 'signed' },
    }),
  },
];

type Caller = 'anonymous' | 'admin' | 'backoffice' | 'manager' | 'advisor' | 'partner';
const CALLERS: Caller[] = ['anonymous', 'admin', 'backoffice', 'manager', 'advisor', 'partner'];

function principal(caller: Caller): Principal | null {
  return caller === 'anonymous' ? null : b.as[caller];
}

/** What the policy module promises, per caller, access kind and the record's placement. */
function expected(
  caller: Caller,
  op: Operation,
  placement: Placement,
): 'allowed' | 'FORBIDDEN' | 'UNAUTHENTICATED' {
  if (caller === 'anonymous') return 'UNAUTHENTICATED';
  if (op.access === 'partner') return caller === 'partner' ? 'allowed' : 'FORBIDDEN';
  if (caller === 'partner') return 'FORBIDDEN';
  if (op.access === 'transfer' && caller === 'advisor') return 'FORBIDDEN';
  if (op.recordScoped && placement === 'outOfScope' && (caller === 'advisor' || caller === 'manager'))
    return 'FORBIDDEN';
  return 'allowed';
}

/** A fresh client with one policy (an offer for acceptOffer), owned by the advisor or by someone out of reach. */
async function fixture(op: Operation, placement: Placement): Promise<Fixture> {
  const owner = placement === 'inScope' ? b.advisorId : b.franchiseAdvisorId;
  const client = await app.services.clients.records.createClient(
    b.admin,
    personInput({ ownerAdvisorId: owner }),
  );
  const policy = await app.services.policies.writing.writePolicy(b.admin, {
    ...mtplInput(b, client.id, { status: op.name === 'acceptOffer' ? 'OFFER' : 'ACTIVE' }),
    insuredObjects: [{ kind: 'VEHICLE', attributes: { registrationPlate: '1AB', vin: 'VIN1' } }],
  });
  const reread = await app.services.clients.reads.getClient(b.admin, client.id);
  const fx = {
    clientId: client.id,
    clientVersion: reread?.version ?? 1,
    policyId: policy.id,
    policyVersion: policy.version,
  };
  return op.prepare ? op.prepare(fx) : fx;
}

beforeAll(async () => {
  b = await createBrokerage(app, 'Authorization Matrix Brokerage');
}, 60_000);

describe('book authorization matrix', () => {
  for (const op of OPERATIONS) {
    const placements: Placement[] = op.recordScoped ? ['inScope', 'outOfScope'] : ['inScope'];
    for (const placement of placements) {
      it(`${op.name} (${placement}): ${CALLERS.map((c) => `${c}=${expected(c, op, placement)}`).join(', ')}`, async () => {
        const outcomes: Record<string, string> = {};
        const wanted: Record<string, string> = {};
        const shared = op.readOnly ? await fixture(op, placement) : null;
        for (const caller of CALLERS) {
          const fx = shared ?? (await fixture(op, placement));
          const result = await app.exec(principal(caller), op.document, op.variables(fx));
          const code = errorCode(result);
          outcomes[caller] = code === 'FORBIDDEN' || code === 'UNAUTHENTICATED' ? code : 'allowed';
          wanted[caller] = expected(caller, op, placement);
        }
        expect(outcomes).toEqual(wanted);
      });
    }
  }
});
