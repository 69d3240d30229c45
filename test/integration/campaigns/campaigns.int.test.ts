import { beforeAll, describe, expect, it } from 'vitest';
import { bookRepositories } from '../../../functions/modules/book-wiring.js';
import {
  type CampaignsModule,
  campaignTaskId,
  unsubscribeKeysFrom,
  verifyUnsubscribe,
} from '../../../functions/modules/campaigns/index.js';
import { composeCampaigns } from '../../../functions/modules/campaigns-wiring.js';
import { systemClock } from '../../../functions/shared/clock.js';
import { ephemeralCursorKeys } from '../../../functions/shared/cursor-seal.js';
import { addDays } from '../../../functions/shared/dates.js';
import { MemoryMailer } from '../../../functions/shared/mailer.js';
import { Dec } from '../../../functions/shared/money.js';
import { createTestApp, errorCode } from '../../support/app.js';
import { type Brokerage, createBrokerage, mtplInput, personInput } from '../../support/brokerage.js';

/**
 * Campaigns on DynamoDB Local: a segment frozen into members, distribution as tasks, personal
 * e-mails with unsubscribe links, and the funnel. Each test tags its own clients, so segments
 * never see another test's.
 */
const app = createTestApp();
let b: Brokerage;
let campaigns: CampaignsModule;
const mailer = new MemoryMailer();
const signing = unsubscribeKeysFrom(ephemeralCursorKeys());

let serial = 0;
const tagOf = (name: string) => `${name}-${++serial}`;
const MARKETING = { channel: 'MARKETING_EMAIL', granted: true, how: 'signed form' };

async function client(overrides: Record<string, unknown>): Promise<string> {
  const created = await app.services.clients.records.createClient(
    b.admin,
    personInput({ ownerAdvisorId: b.advisorId, ...overrides }),
  );
  return created.id;
}

/** Writes a policy through GraphQL (the input as the API takes it). */
async function policy(clientId: string, overrides: Record<string, unknown> = {}): Promise<void> {
  const result = await app.exec(
    b.admin,
    'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
    {
      i: mtplInput(b, clientId, overrides),
    },
  );
  expect(result.errors).toBeUndefined();
}

async function started(
  segment: Record<string, unknown>,
  period = { periodFrom: '2026-03-01', periodTo: '2026-03-31' },
) {
  const created = await campaigns.campaigns.createCampaign(b.admin, {
    name: 'Spring motor',
    ...period,
    productLineIds: [b.mtplId],
    segment,
  });
  return campaigns.campaigns.startCampaign(b.admin, { id: created.id, expectedVersion: created.version });
}

const memberIds = async (campaignId: string) =>
  (await campaigns.campaigns.listMembers(b.admin, campaignId, { limit: 100, cursor: null })).items.map(
    (m) => m.clientId,
  );

beforeAll(async () => {
  b = await createBrokerage(app, 'Campaigns Brokerage');
  campaigns = composeCampaigns(
    app.db,
    systemClock,
    bookRepositories(app.db),
    { tasks: app.services.tasks, clients: app.services.clients },
    {
      mail: { mailer, from: 'offers@test', publicBaseUrl: 'https://crm.test' },
      signing,
    },
  );
});

describe('member snapshot', () => {
  it('freezes exactly the clients of the segment: owner, tag, consent, product line not held', async () => {
    const tag = tagOf('spring');
    const wanted = [
      await client({ tags: [tag], consents: [MARKETING] }),
      await client({ tags: [tag, 'other'], consents: [MARKETING], lastName: 'Dvořák' }),
    ];
    await client({ tags: [tag] }); // no consent
    await client({ tags: [tag], consents: [MARKETING], ownerAdvisorId: b.subAgentId }); // another owner
    const holdsMtpl = await client({ tags: [tag], consents: [MARKETING] });
    await policy(holdsMtpl);
    const campaign = await started({
      ownerId: b.advisorId,
      tags: [tag],
      marketingConsent: true,
      productLinesNotHeld: [b.mtplId],
    });
    expect(campaign.status).toBe('STARTED');
    expect(await memberIds(campaign.id)).toEqual([...wanted].sort());
    expect(campaign.memberCount).toBe(2);

    // Frozen: a client matching later does not join.
    await client({ tags: [tag], consents: [MARKETING] });
    expect(await memberIds(campaign.id)).toEqual([...wanted].sort());
  });

  it('serves product lines held and a renewal window from the policy indexes', async () => {
    const tag = tagOf('renewal');
    const renewing = await client({ tags: [tag] });
    const later = await client({ tags: [tag] });
    await client({ tags: [tag] }); // holds nothing
    await policy(renewing, { termEnd: '2027-01-14' });
    await policy(later, { termStart: '2026-06-01', termEnd: '2027-05-31' });
    const campaign = await started({
      tags: [tag],
      productLinesHeld: [b.mtplId],
      renewalFrom: '2027-01-01',
      renewalTo: '2027-01-31',
    });
    expect(await memberIds(campaign.id)).toEqual([renewing]);
  });

  it('refuses a manager without tenant-wide scope, and a second start', async () => {
    const result = await app.exec(
      b.as.manager,
      'mutation($i: CreateCampaignInput!) { createCampaign(input: $i) { id } }',
      { i: { name: 'X', periodFrom: '2026-03-01', periodTo: '2026-03-31', productLineIds: [b.mtplId] } },
    );
    expect(errorCode(result)).toBe('FORBIDDEN');
    const campaign = await started({ tags: [tagOf('empty')] });
    await expect(
      campaigns.campaigns.startCampaign(b.admin, { id: campaign.id, expectedVersion: campaign.version }),
    ).rejects.toMatchObject({ code: 'RULE_VIOLATION' });
  });
});

describe('distribution', () => {
  it('balances by open-task load and creates nothing the second time', async () => {
    const tag = tagOf('load');
    // The sub-agent starts with 3 open tasks more than the franchise advisor.
    const busy = await client({ tags: ['busy'] });
    for (let i = 0; i < 3; i++)
      await app.services.tasks.tasks.createTask(b.admin, {
        typeCode: 'CALL',
        title: `Busy ${i}`,
        clientId: busy,
        assigneeId: b.subAgentId,
      });
    for (let i = 0; i < 7; i++) await client({ tags: [tag] });
    const campaign = await started({ tags: [tag] });
    const advisors = [b.subAgentId, b.franchiseAdvisorId];
    const load = await app.services.tasks.reads.openTaskLoad(b.tenantId);
    const before = advisors.map((id) => load.get(id) ?? 0);
    expect((before[0] as number) - (before[1] as number)).toBe(3);
    const first = await campaigns.distribution.distribute(b.admin, {
      campaignId: campaign.id,
      advisorIds: advisors,
      mode: 'OPEN_TASK_LOAD',
      keepOwners: false,
    });
    expect(first.created).toBe(7);
    const got = Object.fromEntries(first.byAdvisor.map((a) => [a.advisorId, a.tasks]));
    // 7 new tasks even out a gap of 3: 2 to the busy one, 5 to the other.
    expect([got[b.subAgentId], got[b.franchiseAdvisorId]]).toEqual([2, 5]);
    const loadAfter = await app.services.tasks.reads.openTaskLoad(b.tenantId);
    expect(advisors.map((id) => loadAfter.get(id) ?? 0)).toEqual([
      (before[0] ?? 0) + 2,
      (before[1] ?? 0) + 5,
    ]);

    const again = await campaigns.distribution.distribute(b.admin, {
      campaignId: campaign.id,
      advisorIds: advisors,
      mode: 'OPEN_TASK_LOAD',
      keepOwners: false,
    });
    expect(again).toEqual({ created: 0, alreadyDistributed: 7, byAdvisor: [] });
  });

  it('leaves owners their own clients and shares the rest round-robin', async () => {
    const tag = tagOf('rr');
    const owned = [await client({ tags: [tag] }), await client({ tags: [tag] })];
    for (let i = 0; i < 4; i++) await client({ tags: [tag], ownerAdvisorId: b.managerId });
    const campaign = await started({ tags: [tag] });
    const kept = await campaigns.distribution.distribute(b.admin, {
      campaignId: campaign.id,
      advisorIds: [b.subAgentId, b.franchiseAdvisorId],
    });
    const got = Object.fromEntries(kept.byAdvisor.map((a) => [a.advisorId, a.tasks]));
    expect(got).toEqual({ [b.advisorId]: 2, [b.managerId]: 4 });
    const task = await app.services.tasks.reads.getTask(
      b.admin,
      campaignTaskId(campaign.id, owned[0] as string),
    );
    expect(task).toMatchObject({ assigneeId: b.advisorId, typeCode: 'CALL', status: 'OPEN' });

    const tag2 = tagOf('rr');
    for (let i = 0; i < 4; i++) await client({ tags: [tag2] });
    const shared = await started({ tags: [tag2] });
    const result = await campaigns.distribution.distribute(b.admin, {
      campaignId: shared.id,
      advisorIds: [b.subAgentId, b.franchiseAdvisorId],
      keepOwners: false,
    });
    expect(Object.fromEntries(result.byAdvisor.map((a) => [a.advisorId, a.tasks]))).toEqual({
      [b.subAgentId]: 2,
      [b.franchiseAdvisorId]: 2,
    });
  });
});

describe('campaign e-mails', () => {
  it('sends each member one personal e-mail with an unsubscribe link, none without consent', async () => {
    const tag = tagOf('mail');
    const jana = await client({ tags: [tag], consents: [MARKETING], email: 'jana@example.test' });
    await client({ tags: [tag], firstName: 'Petr', email: 'petr@example.test' }); // no consent
    await client({ tags: [tag], firstName: 'Eva', consents: [MARKETING] }); // no address
    const campaign = await started({ tags: [tag] });
    // The tenant's locale is cs-CZ: the Czech template is used.
    for (const [language, subject] of [
      ['en', 'Hello {firstName}'],
      ['cs', 'Dobrý den, {firstName}'],
    ])
      await campaigns.emails.setTemplate(b.admin, {
        key: 'spring',
        language,
        subject,
        html: '<p>Dear {firstName} & co.</p><a href="{unsubscribeUrl}">unsubscribe</a>',
        text: 'Dear {firstName}, {brokerage} offers. Unsubscribe: {unsubscribeUrl}',
      });
    const sentBefore = mailer.sent.length;
    const first = await campaigns.emails.send(b.admin, { campaignId: campaign.id, templateKey: 'spring' });
    expect(first).toEqual({
      sent: 1,
      alreadySent: 0,
      skippedNoConsent: 1,
      skippedNoEmail: 1,
      failed: 0,
      retried: 0,
    });
    const again = await campaigns.emails.send(b.admin, { campaignId: campaign.id, templateKey: 'spring' });
    expect(again).toMatchObject({ sent: 0, alreadySent: 1 });

    const mails = mailer.sent.slice(sentBefore);
    expect(mails.map((m) => [m.to, m.subject])).toEqual([['jana@example.test', 'Dobrý den, Jana']]);
    const mail = mails[0];
    const url = mail?.headers?.['List-Unsubscribe']?.slice(1, -1) ?? '';
    expect(url).toMatch(/^https:\/\/crm\.test\/unsubscribe\/[\w-]+\.[\w-]+$/);
    expect(mail?.text).toContain(`Unsubscribe: ${url}`);
    expect(mail?.html).toContain(`<p>Dear Jana & co.</p><a href="${url}">`);
    const token = url.split('/').at(-1) as string;
    expect(await verifyUnsubscribe(signing, token)).toEqual({
      tenantId: b.tenantId,
      clientId: jana,
      campaignId: campaign.id,
    });
  });

  it('withdraws marketing consent through the link, answers in the tenant language, and refuses a forged token', async () => {
    const tag = tagOf('unsub');
    const jana = await client({ tags: [tag], consents: [MARKETING], email: 'jana2@example.test' });
    const campaign = await started({ tags: [tag] });
    await campaigns.emails.setTemplate(b.admin, {
      key: 'unsub',
      language: 'en',
      subject: 'Offer',
      html: '<a href="{unsubscribeUrl}">x</a>',
      text: '{unsubscribeUrl}',
    });
    const sentBefore = mailer.sent.length;
    await campaigns.emails.send(b.admin, { campaignId: campaign.id, templateKey: 'unsub' });
    const token = (mailer.sent[sentBefore]?.text ?? '').split('/').at(-1) as string;

    const page = await campaigns.unsubscribe.unsubscribe(token);
    expect(page.statusCode).toBe(200);
    expect(page.html).toContain('lang="cs"');
    expect(page.html).toContain('Odhlášeno');
    const after = await app.services.clients.reads.getClient(b.admin, jana);
    expect(after?.consents.at(-1)).toMatchObject({ channel: 'MARKETING_EMAIL', granted: false });
    // A repeat changes nothing more; a later send skips the client.
    await campaigns.unsubscribe.unsubscribe(token);
    expect((await app.services.clients.reads.getClient(b.admin, jana))?.consents).toHaveLength(2);
    await campaigns.emails.setTemplate(b.admin, {
      key: 'second',
      language: 'en',
      subject: 'S',
      html: 'h',
      text: 't',
    });
    expect(
      await campaigns.emails.send(b.admin, { campaignId: campaign.id, templateKey: 'second' }),
    ).toMatchObject({
      sent: 0,
      skippedNoConsent: 1,
    });

    const forged = `${token.split('.')[0]}.${'A'.repeat(43)}`;
    expect((await campaigns.unsubscribe.unsubscribe(forged)).statusCode).toBe(400);
  });
});

describe('funnel', () => {
  it('counts contacted, interested, and a policy of a campaign line written in the period as sold', async () => {
    const tag = tagOf('funnel');
    const sold = await client({ tags: [tag] });
    const declined = await client({ tags: [tag] });
    const unreached = await client({ tags: [tag] });
    const outside = await client({ tags: [tag] });
    const campaign = await started({ tags: [tag] }, { periodFrom: '2026-03-01', periodTo: '2026-03-31' });
    await campaigns.distribution.distribute(b.admin, { campaignId: campaign.id, advisorIds: [b.advisorId] });
    const complete = async (clientId: string, outcome: string) => {
      const id = campaignTaskId(campaign.id, clientId);
      const task = await app.services.tasks.reads.getTask(b.admin, id);
      await app.services.tasks.tasks.completeTask(b.admin, { id, expectedVersion: task?.version, outcome });
    };
    await complete(sold, 'SUCCESSFUL');
    await complete(declined, 'DECLINED');
    await complete(unreached, 'NO_CONTACT');
    await policy(sold, { writtenDate: '2026-03-15' });
    // Written after the period: not the campaign's sale.
    await policy(outside, { writtenDate: '2026-04-02' });

    const funnel = await campaigns.funnel.funnel(b.admin, campaign.id);
    const counts = { members: 4, contacted: 2, interested: 1, offer: 1, sold: 1 };
    expect(funnel.total).toEqual(counts);
    expect(funnel.byAdvisor).toEqual([{ advisorId: b.advisorId, counts }]);
    expect(funnel.leads.during).toMatchObject({ from: '2026-03-01', to: '2026-03-31' });
    expect(funnel.leads.before).toMatchObject({ from: '2026-01-29', to: '2026-02-28' });

    const viaGraphql = await app.exec(
      b.as.manager,
      'query($id: ID!) { campaignFunnel(id: $id) { total { members sold } } }',
      { id: campaign.id },
    );
    expect(viaGraphql.data).toEqual({ campaignFunnel: { total: { members: 4, sold: 1 } } });
  });

  it('counts new clients per day on the creation index, with reads that do not grow with the book', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const campaign = await started(
      { tags: [tagOf('leads')] },
      { periodFrom: addDays(today, -1), periodTo: addDays(today, 1) },
    );
    const queries = () => app.db.stats.requests.Query ?? 0;
    let spent = queries();
    const before = await campaigns.funnel.funnel(b.admin, campaign.id);
    spent = queries() - spent;
    for (let i = 0; i < 4; i++) await client({ tags: [tagOf('lead')] });
    let again = queries();
    const after = await campaigns.funnel.funnel(b.admin, campaign.id);
    again = queries() - again;
    expect(again).toBe(spent);
    expect(after.leads.during.leads).toBe(before.leads.during.leads + 4);
    expect(after.leads.during.perDay).toBe(new Dec(after.leads.during.leads).div(3).toFixed(2));
    expect(after.leads.before).toEqual({
      ...before.leads.before,
      from: addDays(today, -4),
      to: addDays(today, -2),
    });
    expect(after.leads.after.leads).toBe(0);
  });
});
