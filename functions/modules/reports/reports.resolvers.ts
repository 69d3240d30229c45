import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';

/** Report jobs: requested here, built by the reports function, read back here with a fresh link. */
export const reportsResolvers: Resolvers = {
  Query: {
    reportJob: (_root, { id }, { principal, services }) => services.reports.jobs.getJob(principal, id),
    reportJobs: async (_root, args, { principal, services }) =>
      toConnection(await services.reports.jobs.listJobs(principal, pageArgs(args))),
  },
  Mutation: {
    requestReport: (_root, { input }, { principal, services }) =>
      services.reports.jobs.requestReport(principal, input),
  },
  ReportJob: {
    type: (job) => job.reportType,
    url: async (job, _args, { services }) => (await services.reports.jobs.link(job)).url,
    expiresAt: async (job, _args, { services }) => (await services.reports.jobs.link(job)).expiresAt,
  },
};
