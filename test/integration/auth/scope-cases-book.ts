import { expect } from 'vitest';
import { mtplInput, personInput } from '../../support/brokerage.js';
import { must } from '../commissions/commission-fixtures.js';
import {
  advisorIn,
  app,
  CAMPAIGN_OP,
  CLIENT_OP,
  policyVersion,
  rm,
  type ScopedCase,
  STATUS,
  sided,
  startedCampaign,
  taskOf,
  tenantWide,
  unique,
  w,
} from './scope-harness.js';
import { clientOf, policyOf } from './scope-world.js';

/** Scope cases of the book and its work: campaigns, tasks, lead forms, calendar feeds, clients and policies. */
export const BOOK_CASES: Record<string, ScopedCase> = {
  // ---- campaigns: the brokerage's marketing, managed with tenant-wide scope ----------------
  createCampaign: tenantWide(async (as) => ({
    as,
    query: CAMPAIGN_OP('createCampaign', 'CreateCampaignInput'),
    variables: {
      i: {
        name: unique('c'),
        periodFrom: '2026-03-01',
        periodTo: '2026-03-31',
        productLineIds: [w.b.mtplId],
      },
    },
  })),
  startCampaign: tenantWide(async (as) => {
    const created = await app.services.campaigns.campaigns.createCampaign(w.b.admin, {
      name: unique('c'),
      periodFrom: '2026-03-01',
      periodTo: '2026-03-31',
      productLineIds: [w.b.mtplId],
      segment: { tags: [unique('nobody')] },
    });
    return {
      as,
      query: 'mutation($i: StartCampaignInput!) { startCampaign(input: $i) { status } }',
      variables: { i: { id: created.id, expectedVersion: created.version } },
      allowed: (result) => {
        expect(result.data).toEqual({ startCampaign: { status: 'STARTED' } });
      },
    };
  }),
  distributeCampaign: tenantWide(async (as) => ({
    as,
    query: CAMPAIGN_OP('distributeCampaign', 'DistributeCampaignInput'),
    variables: { i: { campaignId: (await startedCampaign()).id, advisorIds: [w.near.advisorId] } },
  })),
  setCampaignEmailTemplate: tenantWide(async (as) => ({
    as,
    query: CAMPAIGN_OP('setCampaignEmailTemplate', 'SetCampaignEmailTemplateInput'),
    variables: {
      i: { key: 'matrix', language: 'EN', subject: 'Hi {firstName}', html: '<p>Hi</p>', text: 'Hi' },
    },
  })),
  sendCampaignEmails: tenantWide(async (as) => {
    await app.services.campaigns.emails.setTemplate(w.b.admin, {
      key: 'matrix-send',
      language: 'en',
      subject: 'Hi',
      html: 'Hi',
      text: 'Hi',
    });
    return {
      as,
      query: CAMPAIGN_OP('sendCampaignEmails', 'SendCampaignEmailsInput'),
      variables: { i: { campaignId: (await startedCampaign()).id, templateKey: 'matrix-send' } },
    };
  }),
  importCampaignProspects: tenantWide(async (as) => {
    const draft = await app.services.campaigns.campaigns.createCampaign(w.b.admin, {
      name: unique('prospects'),
      periodFrom: '2026-03-01',
      periodTo: '2026-03-31',
      productLineIds: [w.b.mtplId],
      ownerId: w.near.advisorId,
    });
    const csv = `firstName,lastName,email\nJana,Nová,${unique('p')}@example.test\n`;
    return {
      as,
      query: CAMPAIGN_OP('importCampaignProspects', 'ImportCampaignProspectsInput'),
      variables: {
        i: {
          campaignId: draft.id,
          format: 'CSV',
          contentBase64: Buffer.from(csv).toString('base64'),
          leadSourceId: w.b.leadSourceId,
        },
      },
    };
  }),
  // ---- tasks -------------------------------------------------------------------------------
  createTask: sided(async (side) => ({
    as: rm(),
    query: CLIENT_OP('createTask', 'CreateTaskInput'),
    variables: {
      i: {
        typeCode: 'MEETING',
        title: 'Meet',
        clientId: (await clientOf(app, side)).id,
        assigneeId: side.advisorId,
      },
    },
  })),
  createLeadForm: sided(async (side) => ({
    as: rm(),
    query: 'mutation($i: CreateLeadFormInput!) { createLeadForm(input: $i) { id branchId } }',
    variables: { i: { name: unique('form'), branchId: side.branchId, leadSourceId: w.b.leadSourceId } },
    allowed: (result) => {
      expect(result.data).toEqual({ createLeadForm: { id: expect.any(String), branchId: side.branchId } });
    },
  })),
  completeTask: sided(async (side) => {
    const task = await taskOf(side);
    return {
      as: rm(),
      query: CLIENT_OP('completeTask', 'CompleteTaskInput'),
      variables: { i: { id: task.id, expectedVersion: task.version, outcome: 'DONE' } },
    };
  }),
  reassignTasks: sided(async (side) => {
    const task = await taskOf(side);
    const to = await advisorIn(side);
    return {
      as: rm(),
      query: 'mutation($i: ReassignTasksInput!) { reassignTasks(input: $i) { reassigned } }',
      variables: { i: { taskIds: [task.id], toUserId: to.id } },
      allowed: (result) => {
        expect(result.data).toEqual({ reassignTasks: { reassigned: 1 } });
      },
    };
  }),
  createCalendarFeed: sided(async (side) => ({
    as: rm(),
    query: 'mutation($i: CalendarFeedInput) { createCalendarFeed(input: $i) { userId } }',
    variables: { i: { userId: side.advisorId } },
    allowed: (result) => {
      expect(result.data).toEqual({ createCalendarFeed: { userId: side.advisorId } });
    },
  })),
  revokeCalendarFeed: sided(async (side) => {
    await app.services.tasks.feeds.createFeed(w.b.admin, { userId: side.advisorId });
    return {
      as: rm(),
      query: 'mutation($i: CalendarFeedInput) { revokeCalendarFeed(input: $i) { revoked } }',
      variables: { i: { userId: side.advisorId } },
      allowed: (result) => {
        expect(result.data).toEqual({ revokeCalendarFeed: { revoked: true } });
      },
    };
  }),
  // ---- clients -----------------------------------------------------------------------------
  createClient: sided(async (side) => ({
    as: rm(),
    query: CLIENT_OP('createClient', 'CreateClientInput'),
    variables: { i: personInput({ ownerAdvisorId: side.advisorId }) },
  })),
  updateClient: sided(async (side) => {
    const c = await clientOf(app, side);
    return {
      as: rm(),
      query: CLIENT_OP('updateClient', 'UpdateClientInput'),
      variables: { i: { id: c.id, expectedVersion: c.version, phone: '+420601234567' } },
    };
  }),
  changeClientStatus: sided(async (side) => {
    const c = await clientOf(app, side);
    return {
      as: rm(),
      query: CLIENT_OP('changeClientStatus', 'ChangeClientStatusInput'),
      variables: { i: { id: c.id, expectedVersion: c.version, status: 'LOST', reason: 'moved abroad' } },
    };
  }),
  recordConsent: sided(async (side) => {
    const c = await clientOf(app, side);
    return {
      as: rm(),
      query: CLIENT_OP('recordConsent', 'RecordConsentInput'),
      variables: {
        i: { clientId: c.id, expectedVersion: c.version, channel: 'SMS', granted: true, how: 'signed form' },
      },
    };
  }),
  // ---- data subject requests: admins, and managers for the clients in their scope -----------
  exportDataSubject: sided(async (side) => ({
    as: rm(),
    query: 'mutation($i: ExportDataSubjectInput!) { exportDataSubject(input: $i) { clientId } }',
    variables: { i: { clientId: (await clientOf(app, side)).id } },
  })),
  eraseDataSubject: sided(async (side) => ({
    as: rm(),
    query: 'mutation($i: EraseDataSubjectInput!) { eraseDataSubject(input: $i) { clientId } }',
    variables: { i: { clientId: (await clientOf(app, side)).id, reason: 'GDPR request' } },
  })),
  addContact: sided(async (side) => ({
    as: rm(),
    query: CLIENT_OP('addContact', 'AddContactInput'),
    variables: { i: { clientId: (await clientOf(app, side)).id, name: 'Spouse' } },
  })),
  addNote: sided(async (side) => ({
    as: rm(),
    query: CLIENT_OP('addNote', 'AddNoteInput'),
    variables: {
      i: { clientId: (await clientOf(app, side)).id, kind: 'CALL', text: 'Called about renewal' },
    },
  })),
  transferClient: sided(async (side) => {
    const c = await clientOf(app, side);
    const to = await advisorIn(side);
    return {
      as: rm(),
      query: CLIENT_OP('transferClient', 'TransferClientInput'),
      variables: {
        i: { clientId: c.id, expectedVersion: c.version, toAdvisorId: to.id, reason: 'hand-over' },
      },
    };
  }),
  transferBook: sided(async (side) => {
    // Outside the scope the leaving advisor's book is empty: the advisor himself is the target.
    const leaver = await advisorIn(side);
    const inScope = side === w.near;
    if (inScope)
      await app.services.clients.records.createClient(w.b.admin, personInput({ ownerAdvisorId: leaver.id }));
    return {
      as: rm(),
      query: 'mutation($i: TransferBookInput!) { transferBook(input: $i) { transferred } }',
      variables: { i: { fromAdvisorId: leaver.id, toAdvisorId: side.advisorId, reason: 'leaving' } },
      allowed: (result) => {
        expect(result.data).toEqual({ transferBook: { transferred: 1 } });
      },
    };
  }),
  releaseToPool: sided(async (side) => {
    const c = await clientOf(app, side);
    return {
      as: rm(),
      query: CLIENT_OP('releaseToPool', 'ReleaseToPoolInput'),
      variables: { i: { clientId: c.id, expectedVersion: c.version, reason: 'no time' } },
    };
  }),
  takeFromPool: sided(async (side) => {
    const c = await clientOf(app, side);
    await must(app, side.advisor, CLIENT_OP('releaseToPool', 'ReleaseToPoolInput'), {
      i: { clientId: c.id, expectedVersion: c.version, reason: 'no time' },
    });
    return {
      as: rm(),
      query: CLIENT_OP('takeFromPool', 'TakeFromPoolInput'),
      variables: { i: { clientId: c.id, expectedVersion: c.version + 1 } },
    };
  }),

  // ---- policies ----------------------------------------------------------------------------
  writePolicy: sided(async (side) => ({
    as: rm(),
    query: 'mutation($i: WritePolicyInput!) { writePolicy(input: $i) { id } }',
    variables: { i: mtplInput(w.b, (await clientOf(app, side)).id) },
  })),
  endorsePolicy: sided(async (side) => {
    const p = await policyOf(app, w, side);
    return {
      as: rm(),
      query: 'mutation($i: EndorsePolicyInput!) { endorsePolicy(input: $i) { id } }',
      variables: {
        i: {
          id: p.id,
          expectedVersion: p.version,
          effectiveDate: '2026-06-01',
          newPremium: { amount: '13200.00', currency: 'CZK' },
          reason: 'second driver',
        },
      },
    };
  }),
  renewPolicy: sided(async (side) => {
    const p = await policyOf(app, w, side);
    return {
      as: rm(),
      query: 'mutation($i: RenewPolicyInput!) { renewPolicy(input: $i) { id } }',
      variables: {
        i: {
          id: p.id,
          expectedVersion: p.version,
          premium: { amount: '12500.00', currency: 'CZK' },
          writtenDate: '2027-01-05',
          termStart: '2027-01-15',
          termEnd: '2028-01-14',
        },
      },
    };
  }),
  cancelPolicy: sided(async (side) => {
    const p = await policyOf(app, w, side);
    return {
      as: rm(),
      query: STATUS('cancelPolicy'),
      variables: { i: { id: p.id, expectedVersion: p.version, date: '2026-06-01', reason: 'sold the car' } },
    };
  }),
  lapsePolicy: sided(async (side) => {
    const p = await policyOf(app, w, side);
    return {
      as: rm(),
      query: STATUS('lapsePolicy'),
      variables: { i: { id: p.id, expectedVersion: p.version, date: '2026-06-01', reason: 'unpaid' } },
    };
  }),
  reactivatePolicy: sided(async (side) => {
    const p = await policyOf(app, w, side);
    await must(app, side.advisor, STATUS('cancelPolicy'), {
      i: { id: p.id, expectedVersion: p.version, date: '2026-06-01', reason: 'sold the car' },
    });
    return {
      as: rm(),
      query: STATUS('reactivatePolicy'),
      variables: {
        i: {
          id: p.id,
          expectedVersion: await policyVersion(p.id),
          date: '2026-07-01',
          reason: 'bought it back',
        },
      },
    };
  }),
  acceptOffer: sided(async (side) => {
    const p = await policyOf(app, w, side, { status: 'OFFER' });
    return {
      as: rm(),
      query: STATUS('acceptOffer'),
      variables: { i: { id: p.id, expectedVersion: p.version, date: '2026-01-12', reason: 'signed' } },
    };
  }),

  // ---- invoices and payments ---------------------------------------------------------------
};
