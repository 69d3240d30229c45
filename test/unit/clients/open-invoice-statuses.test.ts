import { describe, expect, it } from 'vitest';
import { OPEN_INVOICE_STATUSES } from '../../../functions/modules/clients/client-reads.service.js';
import { OPEN_STATUSES } from '../../../functions/modules/invoices/invoices.model.js';

describe("the client card's open invoices", () => {
  it('are the statuses the invoices module counts as open', () => {
    expect([...OPEN_INVOICE_STATUSES].sort()).toEqual([...OPEN_STATUSES].sort());
  });
});
