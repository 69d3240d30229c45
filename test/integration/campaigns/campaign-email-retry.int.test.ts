import { SESClient, SendRawEmailCommand } from '@aws-sdk/client-ses';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bookRepositories } from '../../../functions/modules/book-wiring.js';
import { type CampaignsModule, unsubscribeKeysFrom } from '../../../functions/modules/campaigns/index.js';
import { composeCampaigns } from '../../../functions/modules/campaigns-wiring.js';
import { systemClock } from '../../../functions/shared/clock.js';
import { ephemeralCursorKeys } from '../../../functions/shared/cursor-seal.js';
import { SesMailer } from '../../../functions/shared/mailer.js';
import { keys } from '../../../functions/shared/table-design.js';
import { createTestApp } from '../../support/app.js';
import { type Brokerage, createBrokerage, personInput } from '../../support/brokerage.js';

/**
 * Campaign e-mails through the SES mailer over a mocked SES that refuses one recipient once: the
 * refused send is recorded as FAILED before anything else happens, the next run retries exactly that
 * member, and a third run sends nothing more.
 */
const app = createTestApp();
const ses = mockClient(SESClient);
let b: Brokerage;
let campaigns: CampaignsModule;

const recipientsOf = (from: number) =>
  ses
    .commandCalls(SendRawEmailCommand)
    .slice(from)
    .map((c) => c.args[0].input.Destinations?.[0])
    .sort();

beforeAll(async () => {
  b = await createBrokerage(app, 'Campaign Retry Brokerage');
  campaigns = composeCampaigns(
    app.db,
    systemClock,
    bookRepositories(app.db),
    { tasks: app.services.tasks, clients: app.services.clients },
    {
      mail: {
        mailer: new SesMailer(new SESClient({ region: 'eu-central-1' })),
        from: 'offers@test',
        publicBaseUrl: 'https://crm.test',
      },
      signing: unsubscribeKeysFrom(ephemeralCursorKeys()),
    },
  );
});
afterAll(() => ses.restore());

describe('campaign e-mail retries', () => {
  it('retries a send the provider refused on the next run, once, and never repeats a sent one', async () => {
    const consent = [{ channel: 'MARKETING_EMAIL', granted: true, how: 'signed form' }];
    const ids: Record<string, string> = {};
    for (const name of ['ok', 'flaky']) {
      const client = await app.services.clients.records.createClient(
        b.admin,
        personInput({
          ownerAdvisorId: b.advisorId,
          tags: ['retry'],
          consents: consent,
          email: `${name}@example.test`,
        }),
      );
      ids[name] = client.id;
    }
    const created = await campaigns.campaigns.createCampaign(b.admin, {
      name: 'Retry',
      periodFrom: '2026-03-01',
      periodTo: '2026-03-31',
      productLineIds: [b.mtplId],
      segment: { tags: ['retry'] },
    });
    const campaign = await campaigns.campaigns.startCampaign(b.admin, { id: created.id, expectedVersion: 1 });
    await campaigns.emails.setTemplate(b.admin, {
      key: 'offer',
      language: 'en',
      subject: 'Offer',
      html: '<a href="{unsubscribeUrl}">x</a>',
      text: '{unsubscribeUrl}',
    });
    const throttled = Object.assign(new Error('Maximum sending rate exceeded.'), { name: 'Throttling' });
    ses
      .on(SendRawEmailCommand)
      .resolves({ MessageId: 'ses-ok', $metadata: {} })
      .on(SendRawEmailCommand, { Destinations: ['flaky@example.test'] })
      .rejectsOnce(throttled)
      .resolves({ MessageId: 'ses-retried', $metadata: {} });
    const send = () => campaigns.emails.send(b.admin, { campaignId: campaign.id, templateKey: 'offer' });

    const first = await send();
    expect(first).toMatchObject({ sent: 1, failed: 1, retried: 0, alreadySent: 0 });
    expect(recipientsOf(0)).toEqual(['flaky@example.test', 'ok@example.test']);
    const failed = await app.db.get(
      keys.campaignEmail(b.tenantId, campaign.id, 'offer', ids.flaky as string),
    );
    expect(failed).toMatchObject({
      status: 'FAILED',
      attempts: 1,
      error: 'Throttling: Maximum sending rate exceeded.',
    });

    const second = await send();
    expect(second).toMatchObject({ sent: 1, failed: 0, retried: 1, alreadySent: 1 });
    expect(recipientsOf(2)).toEqual(['flaky@example.test']);
    const retried = await app.db.get(
      keys.campaignEmail(b.tenantId, campaign.id, 'offer', ids.flaky as string),
    );
    expect(retried).toMatchObject({ status: 'SENT', attempts: 2, messageId: 'ses-retried' });

    expect(await send()).toMatchObject({ sent: 0, failed: 0, retried: 0, alreadySent: 2 });
    expect(ses.commandCalls(SendRawEmailCommand)).toHaveLength(3);
  });
});
