/**
 * The demo brokerage's commission scheme, seeded on the local stack so `npm start` shows lines and
 * accruals for the seeded book: the insurer pays the brokerage 12 % on MTPL and 18 % on property
 * (RECEIVABLE), the seller earns 40 % of that with a 3 % override for the first upline (ADVISOR), a
 * referring partner 5 % of the premium (PARTNER). Cancellations recover 100 % in months 1–6 and 50 %
 * in months 7–12.
 */
export function demoCommissionScheme(): Record<string, unknown> {
  const clawback = {
    type: 'TENURE',
    bands: [
      { fromMonth: 1, toMonth: 6, percent: '100' },
      { fromMonth: 7, toMonth: 12, percent: '50' },
    ],
  };
  const receivable = (code: string, rate: string) => ({
    id: `${code.toLowerCase()}-receivable`,
    name: `${code} receivable`,
    ledger: 'RECEIVABLE',
    match: { productLines: [code] },
    computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate },
    clawback,
  });
  return {
    name: 'Demo scheme',
    currency: 'EUR',
    versions: [
      {
        validFrom: '2020-01-01',
        rules: [
          receivable('MTPL', '12'),
          receivable('PROPERTY', '18'),
          {
            id: 'advisor',
            name: 'Advisor share',
            ledger: 'ADVISOR',
            computation: { type: 'PERCENT', base: { kind: 'LEDGER', ledger: 'RECEIVABLE' }, rate: '40' },
            overrides: [{ type: 'PERCENT', rate: '3' }],
            clawback,
          },
          {
            id: 'partner',
            name: 'Partner referral',
            ledger: 'PARTNER',
            computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '5' },
            clawback,
          },
        ],
      },
    ],
  };
}
