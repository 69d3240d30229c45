import { describe, expect, it } from 'vitest';
import { errorCode } from '../../support/app.js';
import { fieldPaths } from '../../support/brokerage.js';

import { b, clientId, clock, data, gql, ids, issued, setUpInvoiceBook } from './invoices-graphql-harness.js';

// The invoices module through GraphQL over DynamoDB Local: input errors with field paths, optimistic locking and an invoice's age.
setUpInvoiceBook();

describe('input errors and optimistic locking', () => {
  it('answers bad invoice input with field paths', async () => {
    const empty = await gql(
      b.as.advisor,
      'mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { id } }',
      { i: { clientId, currency: 'EUR', lines: [], issueDate: '2026-03-10', dueDate: '2026-03-01' } },
    );
    expect(errorCode(empty)).toBe('BAD_USER_INPUT');
    expect(fieldPaths(empty).sort()).toEqual(['input.dueDate', 'input.lines']);
    const currency = await gql(
      b.as.backoffice,
      'mutation($i: RegisterPaymentInput!) { registerPayment(input: $i) { id } }',
      { i: { invoiceId: ids.small.id, amount: '10.00', currency: 'CZK', paidDate: '2026-03-09' } },
    );
    expect(fieldPaths(currency)).toEqual(['input.currency']);
    const steps = await gql(
      b.as.manager,
      'mutation($i: SetDunningPolicyInput!) { setDunningPolicy(input: $i) { version } }',
      {
        i: {
          expectedVersion: 0,
          steps: [
            { id: 'a', afterDays: 1, action: 'EMAIL' },
            { id: 'a', afterDays: 2, action: 'SMS' },
          ],
          quietHoursStart: '25:00',
          quietHoursEnd: '08:00',
        },
      },
    );
    expect(fieldPaths(steps).sort()).toEqual(['input.quietHoursStart', 'input.steps.1.id']);
  });

  it('writes off with the version read and refuses a stale one; a written-off invoice leaves the debtors', async () => {
    const stale = await gql(
      b.as.backoffice,
      'mutation($i: CloseInvoiceInput!) { writeOffInvoice(input: $i) { id } }',
      { i: { id: ids.franchise.id, expectedVersion: ids.franchise.version, reason: 'uncollectable' } },
    );
    expect(errorCode(stale)).toBe('CONFLICT');
    const current = data(
      await gql<{ invoice: { version: number } }>(
        b.as.backoffice,
        'query($id: ID!) { invoice(id: $id) { version } }',
        {
          id: ids.franchise.id,
        },
      ),
    ).invoice.version;
    const done = data(
      await gql<{ writeOffInvoice: { status: string } }>(
        b.as.backoffice,
        'mutation($i: CloseInvoiceInput!) { writeOffInvoice(input: $i) { status } }',
        { i: { id: ids.franchise.id, expectedVersion: current, reason: 'uncollectable' } },
      ),
    );
    expect(done.writeOffInvoice.status).toBe('WRITTEN_OFF');
    const listed = data(
      await gql<{ debtors: { edges: Array<{ node: { id: string } }> } }>(
        b.as.backoffice,
        '{ debtors(first: 100) { edges { node { id } } } }',
      ),
    );
    expect(listed.debtors.edges.map((e) => e.node.id)).not.toContain(ids.franchise.id);
    const cancel = await gql(
      b.as.advisor,
      'mutation($i: CloseInvoiceInput!) { cancelInvoice(input: $i) { id } }',
      { i: { id: ids.franchise.id, expectedVersion: current + 1, reason: 'r' } },
    );
    expect(errorCode(cancel)).toBe('FORBIDDEN');
  });

  it('gives a signed link to the issued PDF and none for a draft', async () => {
    const issuedPdf = data(
      await gql<{ invoice: { pdfUrl: string | null } }>(
        b.as.advisor,
        'query($id: ID!) { invoice(id: $id) { pdfUrl } }',
        { id: ids.small.id },
      ),
    );
    expect(issuedPdf.invoice.pdfUrl).toContain(`${ids.small.number}.pdf`);
    const draft = data(
      await gql<{ createInvoice: { pdfUrl: string | null; number: string | null; status: string } }>(
        b.as.advisor,
        'mutation($i: CreateInvoiceInput!) { createInvoice(input: $i) { pdfUrl number status } }',
        {
          i: {
            clientId,
            currency: 'EUR',
            lines: [{ description: 'Fee', unitPrice: '5' }],
            dueDate: '2026-04-30',
          },
        },
      ),
    );
    expect(draft.createInvoice).toEqual({ pdfUrl: null, number: null, status: 'DRAFT' });
  });
});

describe("an invoice's age", () => {
  it('shows daysOverdue as the age that puts it in its aging bucket, even on days the sweep has not run yet', async () => {
    const unswept = await issued(b.as.advisor, clientId, '80.00', '2026-01-20');
    // Five days after the last sweep: the stored ages are five days old, the buckets are not.
    clock.set(new Date('2026-03-15T09:00:00Z'));
    try {
      const buckets = { D0_30: [0, 30], D31_60: [31, 60], D61_90: [61, 90] } as const;
      const seen: Record<string, number> = {};
      for (const [bucket, [min, max]] of Object.entries(buckets)) {
        const page = data(
          await gql<{ debtors: { edges: Array<{ node: { id: string; daysOverdue: number } }> } }>(
            b.as.admin,
            `{ debtors(filter: { bucket: ${bucket} }) { edges { node { id daysOverdue } } } }`,
          ),
        );
        for (const { node } of page.debtors.edges) {
          expect(node.daysOverdue, bucket).toBeGreaterThanOrEqual(min);
          expect(node.daysOverdue, bucket).toBeLessThanOrEqual(max);
          seen[node.id] = node.daysOverdue;
        }
      }
      // Due 2026-02-28 and 2025-12-31: 15 and 74 days on 2026-03-15 (the sweep stored 10 and 69).
      expect(seen).toMatchObject({ [ids.small.id]: 15, [ids.policy.id]: 74 });
      // Issued past its due date on 2026-03-10 and never swept: 54 days on 2026-03-15, the 31–60 bucket.
      const one = data(
        await gql<{ invoice: { daysOverdue: number; status: string } }>(
          b.as.admin,
          'query($id: ID!) { invoice(id: $id) { daysOverdue status } }',
          { id: unswept.id },
        ),
      );
      expect(one.invoice.daysOverdue).toBe(54);
      // The card's debtor summary ages its oldest overdue invoice the same way.
      const card = data(
        await gql<{ clientCard: { debtor: { oldestDaysOverdue: number } } }>(
          b.as.admin,
          'query($id: ID!) { clientCard(id: $id) { debtor { oldestDaysOverdue } } }',
          { id: clientId },
        ),
      );
      expect(card.clientCard.debtor.oldestDaysOverdue).toBe(74);
    } finally {
      clock.set(new Date('2026-03-10T09:00:00Z'));
    }
  });
});
