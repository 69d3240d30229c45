import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';

/** Bank accounts, commission payout batches, insurer commission settlements and the journal. */
export const settlementResolvers: Resolvers = {
  Query: {
    chartOfAccounts: (_root, _args, { principal, services }) =>
      services.settlement.journal.chartOfAccounts(principal),
    commissionPayouts: (_root, { period }, { principal, services }) =>
      services.settlement.payouts.payoutsOfPeriod(principal, period),
    commissionPayout: (_root, { id }, { principal, services }) =>
      services.settlement.payouts.payout(principal, id),
  },
  Mutation: {
    setChartOfAccounts: (_root, { input }, { principal, services }) =>
      services.settlement.journal.setChartOfAccounts(principal, input),
    exportJournal: (_root, { input }, { principal, services }) =>
      services.settlement.journal.exportJournal(principal, input),
    setBankAccount: (_root, { input }, { principal, services }) =>
      services.settlement.bankAccounts.setBankAccount(principal, input),
    createCommissionPayout: (_root, { input }, { principal, services }) =>
      services.settlement.payouts.createPayout(principal, input),
    matchInsurerSettlement: (_root, { input }, { principal, services }) =>
      services.settlement.insurerSettlements.matchByHand(principal, input),
  },
  Insurer: {
    bankAccount: (insurer, _args, { principal, services }) =>
      services.settlement.bankAccounts.bankAccountOf(principal, { kind: 'INSURER', id: insurer.id }),
  },
  User: {
    bankAccount: (user, _args, { principal, services }) =>
      services.settlement.bankAccounts.bankAccountOf(principal, { kind: 'USER', id: user.id }),
  },
  Partner: {
    bankAccount: (partner, _args, { principal, services }) =>
      services.settlement.bankAccounts.bankAccountOf(principal, { kind: 'PARTNER', id: partner.id }),
  },
  CommissionPayout: {
    payments: (payout, _args, { principal, services }) =>
      services.settlement.payouts.payments(principal, payout),
  },
};
