/**
 * A realistic EUR scheme on every product line of the bench book: the insurer owes the brokerage
 * 15 % of the written premium, the seller earns a marginal-tiered share of that, the two uplines
 * above 2 % and 1 %.
 */
export function benchScheme() {
  return {
    name: 'Bench 2026',
    currency: 'EUR',
    versions: [
      {
        validFrom: '2026-01-01',
        rules: [
          {
            id: 'receivable',
            name: 'Receivable',
            ledger: 'RECEIVABLE',
            match: { productLines: ['MTPL', 'CASCO', 'PROPERTY', 'LIFE'] },
            computation: { type: 'PERCENT', base: { kind: 'WRITTEN_PREMIUM' }, rate: '15' },
            clawback: { type: 'PRO_RATA_MONTHS' },
          },
          {
            id: 'advisor',
            name: 'Advisor',
            ledger: 'ADVISOR',
            match: { productLines: ['MTPL', 'CASCO', 'PROPERTY', 'LIFE'] },
            // Marginal tiers on the line: 35 % of the receivable up to 200.00, 40 % above.
            computation: {
              type: 'TIERED',
              base: { kind: 'LEDGER', ruleId: 'receivable' },
              table: {
                mode: 'MARGINAL',
                volume: 'PER_LINE',
                boundary: 'LOWER_INCLUSIVE',
                tiers: [
                  { from: '0', to: '200', rate: '35' },
                  { from: '200', rate: '40' },
                ],
              },
            },
            overrides: [
              { type: 'PERCENT', rate: '2' },
              { type: 'PERCENT', rate: '1' },
            ],
            clawback: { type: 'PRO_RATA_MONTHS' },
          },
        ],
      },
    ],
  };
}
