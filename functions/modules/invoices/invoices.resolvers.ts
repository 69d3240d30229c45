import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';
import { invoiceAge } from './invoices.model.js';

const todays = new WeakMap<GraphQLContext, Promise<string>>();

/**
 * Today in the tenant's calendar, read once per request: every invoice of a page ages against the
 * same day, and a page of 100 costs one read of the tenant's settings, not 100.
 */
function todayOf(context: GraphQLContext): Promise<string> {
  let today = todays.get(context);
  if (!today) {
    // Invoices reach a response only through an authorized read, so there is a caller.
    today = context.principal
      ? context.services.invoices.invoices.today(context.principal.tenantId)
      : Promise.reject(new Error('An invoice was resolved without a caller'));
    todays.set(context, today);
  }
  return today;
}

/** Invoice, payment and dunning resolvers: parse arguments, call the invoices service, map to the schema. */
export const invoicesResolvers: Resolvers = {
  Query: {
    invoice: (_root, { id }, { principal, services }) => services.invoices.invoices.getInvoice(principal, id),
    clientInvoices: (_root, { clientId }, { principal, services }) =>
      services.invoices.invoices.clientInvoices(principal, clientId),
    debtors: async (_root, args, { principal, services }) =>
      toConnection(await services.invoices.receivables.debtors(principal, args.filter ?? {}, pageArgs(args))),
    debtorAging: (_root, args, { principal, services }) =>
      services.invoices.receivables.debtorAging(principal, args.filter ?? {}),
    invoicesDue: async (_root, args, { principal, services }) =>
      toConnection(
        await services.invoices.receivables.invoicesDue(principal, args.status, args.period, pageArgs(args)),
      ),
    payments: async (_root, args, { principal, services }) =>
      toConnection(await services.invoices.receivables.payments(principal, args.filter, pageArgs(args))),
    paymentStatistics: (_root, args, { principal, services }) =>
      services.invoices.receivables.paymentStatistics(principal, args),
    unmatchedPayments: async (_root, args, { principal, services }) =>
      toConnection(await services.invoices.payments.unmatchedPayments(principal, pageArgs(args))),
    collectorTasks: async (_root, args, { principal, services }) =>
      toConnection(await services.invoices.dunning.collectorTasks(principal, pageArgs(args))),
    dunningPolicy: (_root, _args, { principal, services }) =>
      services.invoices.dunning.dunningPolicy(principal),
  },
  Mutation: {
    createInvoice: (_root, { input }, { principal, services }) =>
      services.invoices.invoices.createInvoice(principal, input),
    issueInvoice: (_root, { input }, { principal, services }) =>
      services.invoices.invoices.issueInvoice(principal, input),
    generateInstalmentInvoices: (_root, { input }, { principal, services }) =>
      services.invoices.invoices.generateInstalmentInvoices(principal, input),
    cancelInvoice: (_root, { input }, { principal, services }) =>
      services.invoices.invoices.cancelInvoice(principal, input),
    writeOffInvoice: (_root, { input }, { principal, services }) =>
      services.invoices.invoices.writeOffInvoice(principal, input),
    registerPayment: (_root, { input }, { principal, services }) =>
      services.invoices.payments.registerPayment(principal, input),
    reversePayment: (_root, { input }, { principal, services }) =>
      services.invoices.payments.reversePayment(principal, input),
    importBankStatement: (_root, { input }, { principal, services }) =>
      services.invoices.payments.importBankStatement(principal, input),
    resolveUnmatchedPayment: (_root, { input }, { principal, services }) =>
      services.invoices.payments.resolveUnmatchedPayment(principal, input),
    setDunningPolicy: (_root, { input }, { principal, services }) =>
      services.invoices.dunning.setDunningPolicy(principal, input),
  },
  Invoice: {
    client: (invoice, _args, { principal, services }) =>
      services.clients.reads.getClient(principal, invoice.clientId),
    policy: (invoice, _args, { principal, services }) =>
      invoice.policyId ? services.policies.reads.getPolicy(principal, invoice.policyId) : null,
    daysOverdue: async (invoice, _args, context) => invoiceAge(invoice, await todayOf(context)),
    pdfUrl: (invoice, _args, { services }) => services.invoices.invoices.pdfUrl(invoice),
    payments: (invoice, _args, { principal, services }) =>
      services.invoices.payments.paymentsOfInvoice(principal, invoice.id),
    dunningSteps: (invoice, _args, { principal, services }) =>
      services.invoices.dunning.dunningSteps(principal, invoice.id),
  },
  CollectorTask: {
    letterUrl: (task, _args, { services }) => services.invoices.dunning.letterUrl(task),
  },
  ClientCard: {
    debtor: (card, _args, { services }) =>
      services.invoices.receivables.debtorSummary(card.invoices, card.credits),
    balance: (card, _args, { services }) =>
      services.invoices.receivables.debtorSummary(card.invoices, card.credits).outstanding,
  },
  DebtorSummary: {
    // Only this field needs today (one read of the tenant's settings): a card without it reads none.
    oldestDaysOverdue: async (summary, _args, context) =>
      summary.oldestOverdue ? invoiceAge(summary.oldestOverdue, await todayOf(context)) : 0,
  },
};
