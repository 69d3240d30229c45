import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';
import { IMPORT_ROW_OUTCOMES } from './imports.model.js';

/** Import jobs: started here, run by the imports function, read back here. */
export const importsResolvers: Resolvers = {
  Query: {
    importJob: (_root, { id }, { principal, services }) => services.imports.jobs.getJob(principal, id),
    importJobs: async (_root, args, { principal, services }) =>
      toConnection(await services.imports.jobs.listJobs(principal, pageArgs(args))),
  },
  Mutation: {
    startBookImport: (_root, { input }, { principal, services }) =>
      services.imports.jobs.startBookImport(principal, input),
    startBankStatementImport: (_root, { input }, { principal, services }) =>
      services.imports.jobs.startBankStatementImport(principal, input),
  },
  ImportJob: {
    counts: (job) =>
      IMPORT_ROW_OUTCOMES.filter((o) => (job.counts[o] ?? 0) > 0).map((outcome) => ({
        outcome,
        rows: job.counts[outcome] ?? 0,
      })),
    rows: async (job, args, { principal, services }) =>
      toConnection(await services.imports.jobs.listRows(principal, job, pageArgs(args))),
  },
};
