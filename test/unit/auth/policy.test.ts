import { describe, expect, it } from 'vitest';
import {
  type Action,
  assertCanGrant,
  assertReach,
  assertTenantWide,
  authorize,
  canReach,
  canReadCommissionsOf,
  isTenantWide,
  mayOwnClients,
  ownLedgerRecipient,
  PERMISSIONS,
  policyReach,
  seesCommissionBasis,
} from '../../../functions/shared/auth/policy.js';
import { type Principal, ROLES, type Role, type Scope } from '../../../functions/shared/auth/principal.js';
import { ForbiddenError, UnauthenticatedError } from '../../../functions/shared/errors.js';

function principal(role: Role, scope: Scope = 'all', extra: Partial<Principal> = {}): Principal {
  return {
    tenantId: 't1',
    userId: 'me',
    role,
    scope,
    branchId: null,
    regionId: null,
    partnerId: null,
    ...extra,
  };
}

function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to throw');
}

/** The org matrix as the product defines it; a change to PERMISSIONS must change this table too. */
const ORG_MATRIX: Record<Role, Action[]> = {
  admin: ['org:read', 'org:configure', 'users:manage', 'partners:manage', 'self:read'],
  manager: ['org:read', 'users:manage', 'partners:manage', 'self:read'],
  backoffice: ['org:read', 'partners:manage', 'self:read'],
  advisor: ['org:read', 'self:read'],
  partner: ['self:read'],
};
const ORG_ACTIONS: Action[] = ['org:read', 'org:configure', 'users:manage', 'partners:manage', 'self:read'];

describe('authorize: the org permission matrix', () => {
  it.each(ROLES)('allows %s exactly its org actions', (role) => {
    const allowed = ORG_ACTIONS.filter((action) => {
      try {
        authorize(principal(role), action);
        return true;
      } catch (error) {
        if (error instanceof ForbiddenError) return false;
        throw error;
      }
    });
    expect(allowed).toEqual(ORG_MATRIX[role]);
  });

  it('lets only an admin configure the org', () => {
    expect(PERMISSIONS['org:configure']).toEqual(['admin']);
    expect(() => authorize(principal('advisor'), 'org:configure')).toThrow(ForbiddenError);
    expect(() => authorize(principal('manager'), 'org:configure')).toThrow(ForbiddenError);
  });

  it('returns the principal when allowed, and names the action when not', () => {
    const admin = principal('admin');
    expect(authorize(admin, 'org:configure')).toBe(admin);
    expect(() => authorize(principal('advisor'), 'org:configure')).toThrow(
      'Role advisor may not org:configure',
    );
    expect(thrownBy(() => authorize(principal('partner'), 'org:read'))).toMatchObject({
      code: 'FORBIDDEN',
      details: { action: 'org:read' },
    });
  });

  it('answers UNAUTHENTICATED, not FORBIDDEN, without a principal', () => {
    expect(() => authorize(null, 'self:read')).toThrow(UnauthenticatedError);
  });

  it('gives every role at least its own identity', () => {
    for (const role of ROLES) expect(() => authorize(principal(role), 'self:read')).not.toThrow();
  });
});

describe('authorize: book permissions', () => {
  it('defines book permissions for reading, writing, transfer, referrals, import and export', () => {
    expect(Object.keys(PERMISSIONS).filter((a) => a.startsWith('book:'))).toEqual(
      expect.arrayContaining([
        'book:read',
        'book:write',
        'book:transfer',
        'book:referrals',
        'book:import',
        'book:export',
      ]),
    );
  });

  it.each(['book:read', 'book:write', 'book:import', 'book:export', 'book:transfer'] as Action[])(
    'refuses a partner %s on client data',
    (action) => {
      expect(() => authorize(principal('partner', 'own', { partnerId: 'p1' }), action)).toThrow(
        ForbiddenError,
      );
    },
  );

  it('gives partners only the referrals view of the book', () => {
    const partnerBook = Object.entries(PERMISSIONS)
      .filter(
        ([action, roles]) => action.startsWith('book:') && (roles as readonly Role[]).includes('partner'),
      )
      .map(([action]) => action);
    expect(partnerBook).toEqual(['book:referrals']);
  });

  it('lets an advisor read and write their book but not transfer it', () => {
    const advisor = principal('advisor', 'own');
    expect(() => authorize(advisor, 'book:read')).not.toThrow();
    expect(() => authorize(advisor, 'book:write')).not.toThrow();
    expect(() => authorize(advisor, 'book:transfer')).toThrow(ForbiddenError);
  });
});

describe('canReach and assertReach', () => {
  const record = { ownerUserId: 'someone', branchId: 'b1', regionId: 'r1' };

  it('reaches everything with scope all', () => {
    expect(canReach(principal('admin', 'all'), { ownerUserId: null, branchId: null, regionId: null })).toBe(
      true,
    );
  });

  it('reaches records of the own region, and own records elsewhere, with scope region', () => {
    const p = principal('manager', 'region', { regionId: 'r1' });
    expect(canReach(p, record)).toBe(true);
    expect(canReach(p, { ...record, regionId: 'r2' })).toBe(false);
    expect(canReach(p, { ...record, regionId: 'r2', ownerUserId: 'me' })).toBe(true);
  });

  it('reaches records of the own branch only, with scope branch', () => {
    const p = principal('manager', 'branch', { branchId: 'b1', regionId: 'r1' });
    expect(canReach(p, record)).toBe(true);
    expect(canReach(p, { ...record, branchId: 'b2' })).toBe(false);
    expect(canReach(p, { ...record, branchId: 'b2', ownerUserId: 'me' })).toBe(true);
  });

  it('reaches only own records with scope own, even in the own branch', () => {
    const p = principal('advisor', 'own', { branchId: 'b1', regionId: 'r1' });
    expect(canReach(p, record)).toBe(false);
    expect(canReach(p, { ...record, ownerUserId: 'me' })).toBe(true);
  });

  it('does not let a branch- or region-scoped principal without a branch or region reach unplaced records', () => {
    expect(canReach(principal('manager', 'branch'), { ownerUserId: null, branchId: null })).toBe(false);
    expect(canReach(principal('manager', 'region'), { ownerUserId: null, regionId: null })).toBe(false);
  });

  it('throws FORBIDDEN naming the record outside the scope', () => {
    const p = principal('advisor', 'own');
    expect(() => assertReach(p, record, 'Client c1')).toThrow(ForbiddenError);
    expect(() => assertReach(p, record, 'Client c1')).toThrow('Client c1 is outside your scope');
    expect(() => assertReach(p, { ...record, ownerUserId: 'me' }, 'Client c1')).not.toThrow();
  });
});

describe('assertCanGrant: nobody grants above their own role or scope', () => {
  it('lets a region manager grant up to manager with scope region, and nothing more', () => {
    const p = principal('manager', 'region', { regionId: 'r1' });
    expect(() => assertCanGrant(p, { role: 'advisor', scope: 'own' })).not.toThrow();
    expect(() => assertCanGrant(p, { role: 'manager', scope: 'region' })).not.toThrow();
    expect(() => assertCanGrant(p, { role: 'manager', scope: 'all' })).toThrow(ForbiddenError);
    expect(() => assertCanGrant(p, { role: 'admin', scope: 'own' })).toThrow(
      'Only an admin may grant or change the admin role',
    );
  });

  it('lets a branch manager grant branch scope but not region', () => {
    const p = principal('manager', 'branch', { branchId: 'b1' });
    expect(() => assertCanGrant(p, { role: 'backoffice', scope: 'branch' })).not.toThrow();
    expect(() => assertCanGrant(p, { role: 'advisor', scope: 'region' })).toThrow(ForbiddenError);
  });

  it('lets an admin grant anything', () => {
    expect(() => assertCanGrant(principal('admin', 'all'), { role: 'admin', scope: 'all' })).not.toThrow();
  });
});

describe('assertTenantWide', () => {
  it('passes scope all only', () => {
    expect(() => assertTenantWide(principal('manager', 'all'), 'Approving a month')).not.toThrow();
    expect(() =>
      assertTenantWide(principal('manager', 'region', { regionId: 'r1' }), 'Approving a month'),
    ).toThrow('Approving a month needs tenant-wide scope');
  });
});

describe('policyReach', () => {
  it('places a policy by its servicing advisor, branch and region, never its seller', () => {
    const policy = { sellerId: 'me', servicingAdvisorId: 'someone', branchId: 'b2', regionId: 'r2' };
    expect(policyReach(policy)).toEqual({ ownerUserId: 'someone', branchId: 'b2', regionId: 'r2' });
    expect(canReach(principal('advisor', 'own'), policyReach(policy))).toBe(false);
  });
});

describe('mayOwnClients', () => {
  it('lets advisors and managers own clients, and no other role', () => {
    const roles = ['admin', 'manager', 'backoffice', 'advisor', 'partner'] as const;
    expect(roles.filter(mayOwnClients)).toEqual(['manager', 'advisor']);
  });
});

describe('canReadCommissionsOf', () => {
  const far = async () => ({ ownerUserId: 'u2', branchId: 'b2', regionId: 'r2' });
  const near = async () => ({ ownerUserId: 'u1', branchId: 'b1', regionId: 'r1' });

  it("lets a region manager read his region's users, the brokerage and partners, and nobody else's", async () => {
    const p = principal('manager', 'region', { regionId: 'r1' });
    await expect(canReadCommissionsOf(p, { kind: 'USER', id: 'u1' }, near)).resolves.toBe(true);
    await expect(canReadCommissionsOf(p, { kind: 'USER', id: 'u2' }, far)).resolves.toBe(false);
    await expect(canReadCommissionsOf(p, { kind: 'BROKERAGE', id: 'BROKERAGE' }, far)).resolves.toBe(true);
  });

  it('lets advisors and partners read only their own ledger', async () => {
    const advisor = principal('advisor', 'own');
    await expect(canReadCommissionsOf(advisor, { kind: 'USER', id: 'me' }, near)).resolves.toBe(true);
    await expect(canReadCommissionsOf(advisor, { kind: 'USER', id: 'u1' }, near)).resolves.toBe(false);
    const partner = principal('partner', 'own', { partnerId: 'pa1' });
    await expect(canReadCommissionsOf(partner, { kind: 'PARTNER', id: 'pa1' }, near)).resolves.toBe(true);
    await expect(canReadCommissionsOf(partner, { kind: 'USER', id: 'me' }, near)).resolves.toBe(false);
    await expect(canReadCommissionsOf(partner, { kind: 'PARTNER', id: 'pa2' }, near)).resolves.toBe(false);
  });
});

describe('ownLedgerRecipient', () => {
  it("is a partner user's partner, and every other user's own ledger", () => {
    expect(ownLedgerRecipient(principal('partner', 'own', { partnerId: 'pa1' }))).toEqual({
      kind: 'PARTNER',
      id: 'pa1',
    });
    for (const role of ['admin', 'manager', 'backoffice', 'advisor'] as const) {
      expect(ownLedgerRecipient(principal(role, 'all', { partnerId: 'pa1' }))).toEqual({
        kind: 'USER',
        id: 'me',
      });
    }
  });

  it('is a ledger the caller may always read', async () => {
    const nowhere = async () => ({ ownerUserId: 'u9', branchId: 'b9', regionId: 'r9' });
    for (const p of [principal('partner', 'own', { partnerId: 'pa1' }), principal('advisor', 'own')]) {
      await expect(canReadCommissionsOf(p, ownLedgerRecipient(p), nowhere)).resolves.toBe(true);
    }
  });
});

describe('isTenantWide', () => {
  it('holds for scope all only', () => {
    expect(isTenantWide(principal('manager', 'all'))).toBe(true);
    for (const scope of ['own', 'branch', 'region'] as const) {
      expect(isTenantWide(principal('manager', scope))).toBe(false);
    }
  });
});

describe('seesCommissionBasis', () => {
  it('hides how a line was computed from partners only', () => {
    expect(seesCommissionBasis(principal('partner', 'own'))).toBe(false);
    expect(seesCommissionBasis(principal('advisor', 'own'))).toBe(true);
    expect(seesCommissionBasis(null)).toBe(false);
  });
});
