import { demoCommissionScheme } from '../../functions/modules/commissions/index.js';
import type { ProductLine, User } from '../../functions/modules/org/index.js';
import type { Services } from '../../functions/modules/services.js';
import { composeTasks } from '../../functions/modules/tasks-wiring.js';
import { type Principal, type Role, systemPrincipal } from '../../functions/shared/auth/principal.js';
import { FixedClock } from '../../functions/shared/clock.js';
import { addDays, addMonths } from '../../functions/shared/dates.js';
import { getRuntime } from '../../functions/shared/runtime.js';
import { OrgKind } from '../../functions/shared/table-design.js';

export interface SeededInsurer {
  id: string;
  name: string;
  secret: string;
}

export interface SeededTenant {
  tenantId: string;
  name: string;
  /** One principal per role, built from a seeded user as a verified token would carry it. */
  principals: Partial<Record<Role, Principal>>;
  insurers: SeededInsurer[];
}

export interface SeedResult {
  tenants: SeededTenant[];
}

export const DEMO_TENANT = 'demo-brokerage';
export const OTHER_TENANT = 'other-brokerage';

/** The principal a verified token of a seeded user carries. */
export function principalOf(tenantId: string, user: User, regionId: string | null): Principal {
  return {
    tenantId,
    userId: user.id,
    role: user.role,
    scope: user.scope,
    branchId: user.branchId,
    regionId: user.branchId ? regionId : null,
    partnerId: user.partnerId,
  };
}

/**
 * Seeds a demo brokerage through the same services GraphQL uses: a region with an own and a
 * franchise branch, a manager with three advisors (one a sub-agent), a partner with a portal user,
 * two insurers with webhook secrets, product lines, lead sources and rate groups; and a second
 * brokerage, so tenant isolation can be seen.
 */
export async function seedDemo(services: Services, today: string): Promise<SeedResult> {
  // The two tenants share nothing, so they are seeded side by side (the first start waits on this).
  return { tenants: await Promise.all([seedDemoBrokerage(services, today), seedOtherBrokerage(services)]) };
}

async function seedDemoBrokerage(services: Services, today: string): Promise<SeededTenant> {
  const org = services.org;
  const tenantId = DEMO_TENANT;
  const sys = systemPrincipal(tenantId, 'seed');
  await org.tenant.provisionTenant(tenantId, {
    name: 'Demo Brokerage',
    baseCurrency: 'EUR',
    locale: 'cs-CZ',
    timeZone: 'Europe/Prague',
  });
  const region = await org.structure.createRegion(sys, { name: 'Moravia' });
  const brno = await org.structure.createBranch(sys, { name: 'Brno', kind: 'OWN', regionId: region.id });
  await org.structure.createBranch(sys, { name: 'Olomouc', kind: 'FRANCHISE', regionId: region.id });

  for (const [code, name] of [
    ['MTPL', 'Motor third-party liability'],
    ['CASCO', 'Motor casco'],
    ['PROPERTY', 'Property'],
    ['TRAVEL', 'Travel'],
    ['LIFE', 'Life'],
    ['HEALTH', 'Health'],
  ] as const) {
    await org.catalog.createProductLine(sys, { code, name });
  }
  for (const name of ['Website', 'Referral', 'Campaign', 'Walk-in'])
    await org.partners.createLeadSource(sys, { name });
  const junior = await org.structure.createRateGroup(sys, {
    name: 'Junior',
    description: 'Advisors in their first two years',
  });
  const senior = await org.structure.createRateGroup(sys, {
    name: 'Senior',
    description: 'Experienced advisors',
  });

  const admin = await org.structure.createUser(sys, {
    name: 'Alena Adminová',
    email: 'alena@demo.example',
    role: 'admin',
    scope: 'all',
  });
  const backoffice = await org.structure.createUser(sys, {
    name: 'Bára Backoffice',
    email: 'bara@demo.example',
    role: 'backoffice',
    scope: 'all',
    branchId: brno.id,
  });
  const manager = await org.structure.createUser(sys, {
    name: 'Marek Manažer',
    email: 'marek@demo.example',
    phone: '+420601000001',
    role: 'manager',
    scope: 'region',
    branchId: brno.id,
  });
  const adam = await org.structure.createUser(sys, {
    name: 'Adam Poradce',
    email: 'adam@demo.example',
    phone: '+420601000002',
    role: 'advisor',
    scope: 'own',
    branchId: brno.id,
    managerId: manager.id,
  });
  await org.structure.createUser(sys, {
    name: 'Eva Poradkyně',
    email: 'eva@demo.example',
    role: 'advisor',
    scope: 'own',
    branchId: brno.id,
    managerId: manager.id,
  });
  const simon = await org.structure.createUser(sys, {
    name: 'Šimon Subagent',
    email: 'simon@demo.example',
    role: 'advisor',
    scope: 'own',
    branchId: brno.id,
    managerId: adam.id,
  });
  await org.structure.setUserRateGroup(sys, { userId: adam.id, rateGroupId: senior.id, from: '2024-01-01' });
  await org.structure.setUserRateGroup(sys, { userId: simon.id, rateGroupId: junior.id, from: today });

  const partner = await org.partners.createPartner(sys, {
    name: 'LeadGen s.r.o.',
    kind: 'EXTERNAL',
    companyId: '12345678',
    email: 'leads@leadgen.example',
  });
  const partnerUser = await org.structure.createUser(sys, {
    name: 'Petr Partner',
    email: 'petr@leadgen.example',
    role: 'partner',
    scope: 'own',
    partnerId: partner.id,
  });

  const insurers: SeededInsurer[] = [];
  for (const name of ['Kooperativa', 'Allianz']) {
    const created = await org.catalog.createInsurer(sys, { name });
    insurers.push({ id: created.insurer.id, name, secret: created.webhookSecret });
    // Clients first seen in an insurer's webhook events go to Adam unless an event names a seller.
    await services.webhooks.mappings.setMapping(sys, {
      insurerId: created.insurer.id,
      expectedVersion: 0,
      defaultAdvisorId: adam.id,
      rules: [],
    });
  }

  // Before the book, so the seeded policies earn commission lines as the stream delivers them.
  await services.commissions.schemes.create(
    principalOf(tenantId, manager, region.id),
    demoCommissionScheme(),
  );
  const advisor = principalOf(tenantId, adam, region.id);
  const clients = await seedBook(services, advisor, insurers, partner.id, today);
  await seedTasks(services, advisor, clients, today);
  await seedOverdueInvoices(services, advisor, sys, clients, today);

  return {
    tenantId,
    name: 'Demo Brokerage',
    principals: {
      admin: principalOf(tenantId, admin, region.id),
      manager: principalOf(tenantId, manager, region.id),
      backoffice: principalOf(tenantId, backoffice, region.id),
      advisor: principalOf(tenantId, adam, region.id),
      partner: principalOf(tenantId, partnerUser, null),
    },
    insurers,
  };
}

async function seedOtherBrokerage(services: Services): Promise<SeededTenant> {
  const org = services.org;
  const tenantId = OTHER_TENANT;
  const sys = systemPrincipal(tenantId, 'seed');
  await org.tenant.provisionTenant(tenantId, {
    name: 'Other Brokerage',
    baseCurrency: 'CZK',
    locale: 'cs-CZ',
    timeZone: 'Europe/Prague',
  });
  const region = await org.structure.createRegion(sys, { name: 'Bohemia' });
  const branch = await org.structure.createBranch(sys, { name: 'Praha', kind: 'OWN', regionId: region.id });
  const admin = await org.structure.createUser(sys, {
    name: 'Olga Other',
    email: 'olga@other.example',
    role: 'admin',
    scope: 'all',
  });
  const advisor = await org.structure.createUser(sys, {
    name: 'Ota Advisor',
    email: 'ota@other.example',
    role: 'advisor',
    scope: 'own',
    branchId: branch.id,
    managerId: admin.id,
  });
  await org.catalog.createProductLine(sys, { code: 'MTPL', name: 'Povinné ručení' });
  const insurer = await org.catalog.createInsurer(sys, { name: 'Generali' });
  return {
    tenantId,
    name: 'Other Brokerage',
    principals: {
      admin: principalOf(tenantId, admin, region.id),
      advisor: principalOf(tenantId, advisor, region.id),
    },
    insurers: [{ id: insurer.insurer.id, name: 'Generali', secret: insurer.webhookSecret }],
  };
}

/** A few clients and policies so the card, lists and renewals show something on first start. */
async function seedBook(
  services: Services,
  advisor: Principal,
  insurers: SeededInsurer[],
  partnerId: string,
  today: string,
): Promise<{ jana: string; company: string; tomas: string }> {
  const lines = await services.repositories.org.listAllOrgEntities<ProductLine>(
    advisor.tenantId,
    OrgKind.ProductLine,
  );
  const line = (code: string) => lines.find((l) => l.code === code)?.id ?? '';
  const [kooperativa, allianz] = insurers;
  const jana = await services.clients.records.createClient(advisor, {
    kind: 'PERSON',
    firstName: 'Jana',
    lastName: 'Nováková',
    birthDate: '1985-04-12',
    nationalId: '855412/1234',
    email: 'jana.novakova@example.com',
    phone: '+420602111222',
    segment: 'INDIVIDUAL',
    acquisitionType: 'ADVISOR',
    consents: [{ channel: 'SMS', granted: true, how: 'signed form' }],
  });
  await services.policies.writing.writePolicy(advisor, {
    clientId: jana.id,
    insurerId: kooperativa?.id,
    productLineId: line('MTPL'),
    policyNumber: 'KOOP-MTPL-100001',
    insuredObjects: [
      { kind: 'VEHICLE', attributes: { registrationPlate: '6B2 1234', vin: 'TMBJJ7NE8J0000001' } },
    ],
    premium: { amount: '4860.00', currency: 'EUR' },
    frequency: 'QUARTERLY',
    writtenDate: today,
    termStart: today,
    termEnd: addDays(addMonths(today, 12), -1),
  });
  const company = await services.clients.records.createClient(advisor, {
    kind: 'COMPANY',
    companyName: 'Stavby Brno s.r.o.',
    taxId: 'CZ27182818',
    email: 'office@stavby-brno.example',
    segment: 'BUSINESS',
    acquisitionType: 'PARTNER_REFERRAL',
    referringPartnerId: partnerId,
  });
  await services.policies.writing.writePolicy(advisor, {
    clientId: company.id,
    insurerId: allianz?.id,
    productLineId: line('PROPERTY'),
    policyNumber: 'ALZ-PROP-200002',
    insuredObjects: [{ kind: 'PROPERTY', attributes: { address: 'Cejl 10, 602 00 Brno' } }],
    premium: { amount: '12500.00', currency: 'EUR' },
    writtenDate: addMonths(today, -11),
    termStart: addMonths(today, -11),
    termEnd: addDays(addMonths(today, 1), -1),
  });
  const tomas = await services.clients.records.createClient(advisor, {
    kind: 'PERSON',
    firstName: 'Tomáš',
    lastName: 'Dvořák',
    email: 'tomas.dvorak@example.com',
    segment: 'INDIVIDUAL',
    acquisitionType: 'OWN_PROMOTION',
  });
  return { jana: jana.id, company: company.id, tomas: tomas.id };
}

/**
 * Open tasks a newcomer sees reminders for: a call due within the hour (a due-soon e-mail on the
 * next reminders run), a meeting tomorrow with a client who consented to SMS (a text before it),
 * and a contract checkpoint three days late, filed five days ago so its SLA has ended too (the
 * manager's alert e-mail on the next reminders run).
 */
async function seedTasks(
  services: Services,
  advisor: Principal,
  clients: { jana: string; company: string },
  today: string,
): Promise<void> {
  const { jana: janaId, company: companyId } = clients;
  const create = (input: Record<string, unknown>) => services.tasks.tasks.createTask(advisor, input);
  await create({
    typeCode: 'CALL',
    title: 'Call Jana about travel insurance',
    clientId: janaId,
    dueAt: new Date(Date.now() + 45 * 60_000).toISOString(),
    process: 'CROSS_SELL',
  });
  await create({
    typeCode: 'MEETING',
    title: 'Meet Jana: home insurance',
    clientId: janaId,
    dueAt: `${addDays(today, 1)}T09:00:00Z`,
    checkpoint: 'PRESENTATION',
  });
  const fiveDaysAgo = new FixedClock(new Date(Date.now() - 5 * 86_400_000));
  await composeTasks(getRuntime().db, fiveDaysAgo).tasks.createTask(advisor, {
    typeCode: 'DOCUMENT',
    title: 'Signed property renewal contract',
    clientId: companyId,
    dueAt: `${addDays(today, -3)}T09:00:00Z`,
    checkpoint: 'CONTRACT',
    process: 'RENEWAL',
  });
}

/**
 * Two issued invoices, overdue by 5 (Tomáš) and 12 days (the company), so the `overdue` schedule starts dunning: its run
 * writes their age, and the `debtors` subscriber sends the first step's reminder e-mail to each
 * client (`/local/mail`). Issued through the invoices service (numbered from the tenant's sequence)
 * but without its adapters: the seed renders no PDF and mails nothing, and an invoice issued past its
 * due date takes no dunning step until the sweep ages it, so this adds only a few writes to the start.
 * Not Jana's: the README's invoice walkthrough shows her as a debtor with nothing overdue.
 */
async function seedOverdueInvoices(
  services: Services,
  advisor: Principal,
  admin: Principal,
  clients: { company: string; tomas: string },
  today: string,
): Promise<void> {
  for (const [clientId, overdueDays, fee] of [
    [clients.tomas, 5, '350.00'],
    [clients.company, 12, '1200.00'],
  ] as const) {
    const draft = await services.invoices.invoices.createInvoice(advisor, {
      clientId,
      currency: 'EUR',
      issueDate: addDays(today, -overdueDays - 14),
      dueDate: addDays(today, -overdueDays),
      lines: [{ description: 'Broker fee', quantity: '1', unitPrice: fee }],
    });
    await services.invoices.invoices.issueInvoice(admin, { id: draft.id });
  }
}
