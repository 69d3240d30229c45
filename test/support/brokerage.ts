import type { Principal } from '../../functions/shared/auth/principal.js';
import { createTenant, principalFor, type TestApp } from './app.js';

/** A small brokerage: a region with an own and a franchise branch, a manager, advisors, a sub-agent, references. */
export interface Brokerage {
  tenantId: string;
  admin: Principal;
  regionId: string;
  ownBranchId: string;
  franchiseBranchId: string;
  managerId: string;
  advisorId: string;
  subAgentId: string;
  franchiseAdvisorId: string;
  insurerId: string;
  otherInsurerId: string;
  mtplId: string;
  propertyId: string;
  partnerId: string;
  leadSourceId: string;
  juniorGroupId: string;
  as: {
    admin: Principal;
    backoffice: Principal;
    manager: Principal;
    advisor: Principal;
    subAgent: Principal;
    franchiseAdvisor: Principal;
    partner: Principal;
  };
}

/** Seeds a fresh tenant through the org service, so each test file works in its own brokerage. */
export async function createBrokerage(app: TestApp, name = 'Book Test Brokerage'): Promise<Brokerage> {
  const { tenantId, admin } = await createTenant(app, name);
  const org = app.services.org;
  const region = await org.structure.createRegion(admin, { name: 'Bohemia' });
  const own = await org.structure.createBranch(admin, { name: 'Prague', kind: 'OWN', regionId: region.id });
  const franchise = await org.structure.createBranch(admin, {
    name: 'Pilsen',
    kind: 'FRANCHISE',
    regionId: region.id,
  });
  const manager = await org.structure.createUser(admin, {
    name: 'Marta Manager',
    email: `manager@${tenantId}.test`,
    role: 'manager',
    scope: 'branch',
    branchId: own.id,
  });
  const advisor = await org.structure.createUser(admin, {
    name: 'Adam Advisor',
    email: `adam@${tenantId}.test`,
    role: 'advisor',
    scope: 'own',
    branchId: own.id,
    managerId: manager.id,
  });
  const subAgent = await org.structure.createUser(admin, {
    name: 'Sara Subagent',
    email: `sara@${tenantId}.test`,
    role: 'advisor',
    scope: 'own',
    branchId: own.id,
    managerId: advisor.id,
  });
  const franchiseAdvisor = await org.structure.createUser(admin, {
    name: 'Filip Franchise',
    email: `filip@${tenantId}.test`,
    role: 'advisor',
    scope: 'own',
    branchId: franchise.id,
    managerId: manager.id,
  });
  const { insurer } = await org.catalog.createInsurer(admin, { name: 'Kooperativa' });
  const { insurer: other } = await org.catalog.createInsurer(admin, { name: 'Allianz' });
  const mtpl = await org.catalog.createProductLine(admin, {
    code: 'MTPL',
    name: 'Motor third-party liability',
  });
  const property = await org.catalog.createProductLine(admin, { code: 'PROPERTY', name: 'Property' });
  const partner = await org.partners.createPartner(admin, { name: 'Car Dealer Ltd', kind: 'EXTERNAL' });
  const leadSource = await org.partners.createLeadSource(admin, { name: 'Web form' });
  const junior = await org.structure.createRateGroup(admin, { name: 'Junior' });
  const user = (
    u: { id: string; branchId: string | null },
    role: Principal['role'],
    scope: Principal['scope'],
  ) => principalFor(tenantId, role, { userId: u.id, branchId: u.branchId, regionId: region.id, scope });
  return {
    tenantId,
    admin,
    regionId: region.id,
    ownBranchId: own.id,
    franchiseBranchId: franchise.id,
    managerId: manager.id,
    advisorId: advisor.id,
    subAgentId: subAgent.id,
    franchiseAdvisorId: franchiseAdvisor.id,
    insurerId: insurer.id,
    otherInsurerId: other.id,
    mtplId: mtpl.id,
    propertyId: property.id,
    partnerId: partner.id,
    leadSourceId: leadSource.id,
    juniorGroupId: junior.id,
    as: {
      admin,
      backoffice: principalFor(tenantId, 'backoffice', { userId: `backoffice-${tenantId}` }),
      manager: user(manager, 'manager', 'branch'),
      advisor: user(advisor, 'advisor', 'own'),
      subAgent: user(subAgent, 'advisor', 'own'),
      franchiseAdvisor: user(franchiseAdvisor, 'advisor', 'own'),
      partner: principalFor(tenantId, 'partner', {
        userId: `partner-user-${tenantId}`,
        partnerId: partner.id,
        scope: 'own',
      }),
    },
  };
}

/** A valid person client input; override what a test is about. */
export function personInput(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    kind: 'PERSON',
    firstName: 'Jana',
    lastName: 'Nováková',
    segment: 'INDIVIDUAL',
    acquisitionType: 'ADVISOR',
    ...overrides,
  };
}

/** A valid MTPL policy input for a client; override what a test is about. */
export function mtplInput(
  b: Pick<Brokerage, 'insurerId' | 'mtplId'>,
  clientId: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    clientId,
    insurerId: b.insurerId,
    productLineId: b.mtplId,
    policyNumber: `MT-${Math.random().toString(36).slice(2, 10)}`,
    insuredObjects: [
      {
        kind: 'VEHICLE',
        attributes: [
          { name: 'registrationPlate', value: '1AB2345' },
          { name: 'vin', value: 'WVWZZZ1JZXW000001' },
        ],
      },
    ],
    premium: { amount: '12000.00', currency: 'CZK' },
    frequency: 'QUARTERLY',
    writtenDate: '2026-01-10',
    termStart: '2026-01-15',
    termEnd: '2027-01-14',
    ...overrides,
  };
}

/** The zod field paths of the first error (BAD_USER_INPUT), or an empty list. */
export function fieldPaths(result: { errors?: Array<{ extensions?: Record<string, unknown> }> }): string[] {
  const fieldErrors = result.errors?.[0]?.extensions?.fieldErrors;
  return Array.isArray(fieldErrors) ? fieldErrors.map((f: { path: string }) => f.path) : [];
}
