import { describe, expect, it } from 'vitest';
import {
  AGE_BUCKETS,
  bucketOf,
  dueRangeOfBucket,
  type InvoiceStatus,
  invoiceAge,
} from '../../../functions/modules/invoices/invoices.model.js';
import { addDays } from '../../../functions/shared/dates.js';

const today = '2026-11-30';

describe("an invoice's age: one definition for daysOverdue, the aging buckets and the debtor filter", () => {
  it('gives an open invoice due 45 days ago an age of 45, in the 31–60 bucket, whatever the sweep stored', () => {
    const invoice = { status: 'ISSUED' as InvoiceStatus, dueDate: addDays(today, -45), daysOverdue: 0 };
    expect(invoiceAge(invoice, today)).toBe(45);
    expect(bucketOf(invoiceAge(invoice, today))).toBe('D31_60');
  });

  it('puts every open invoice due 1–400 days ago in the bucket whose due-date range holds its due date', () => {
    for (let days = 1; days <= 400; days++) {
      const dueDate = addDays(today, -days);
      for (const status of ['ISSUED', 'PARTIALLY_PAID', 'OVERDUE'] as const) {
        const age = invoiceAge({ status, dueDate }, today);
        expect(age).toBe(days);
        const [from, to] = dueRangeOfBucket(bucketOf(age), today);
        expect(dueDate >= from && dueDate <= to, `${dueDate} in ${bucketOf(age)} [${from}, ${to}]`).toBe(
          true,
        );
        const others = AGE_BUCKETS.filter((b) => b !== bucketOf(age)).map((b) => dueRangeOfBucket(b, today));
        expect(others.some(([f, t]) => dueDate >= f && dueDate <= t)).toBe(false);
      }
    }
  });

  it('is 0 on and before the due date, and for drafts and closed invoices however late', () => {
    expect(invoiceAge({ status: 'ISSUED', dueDate: today }, today)).toBe(0);
    expect(invoiceAge({ status: 'ISSUED', dueDate: addDays(today, 10) }, today)).toBe(0);
    for (const status of ['DRAFT', 'PAID', 'WRITTEN_OFF', 'CANCELLED'] as const) {
      expect(invoiceAge({ status, dueDate: addDays(today, -45) }, today)).toBe(0);
    }
  });
});
