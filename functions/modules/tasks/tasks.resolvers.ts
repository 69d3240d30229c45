import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';
import { pageArgs, toConnection } from '../../shared/pagination.js';

/** Tasks: lists, one task, types and templates; create, complete (with its chain), reassign. */
export const tasksResolvers: Resolvers = {
  Query: {
    task: (_root, { id }, { principal, services }) => services.tasks.reads.getTask(principal, id),
    tasks: async (_root, args, { principal, services }) =>
      toConnection(await services.tasks.reads.listTasks(principal, args.filter, pageArgs(args))),
    calendar: (_root, args, { principal, services }) => services.tasks.reads.calendar(principal, args),
    taskTypes: (_root, _args, { principal, services }) => services.tasks.catalog.listTaskTypes(principal),
    processTemplates: (_root, _args, { principal, services }) =>
      services.tasks.catalog.listProcessTemplates(principal),
    sellerPerformance: (_root, args, { principal, services }) =>
      services.tasks.performance.sellerPerformance(principal, args),
    alerts: async (_root, args, { principal, services }) =>
      toConnection(await services.tasks.alerts.listAlerts(principal, pageArgs(args))),
  },
  Mutation: {
    createTask: (_root, { input }, { principal, services }) =>
      services.tasks.tasks.createTask(principal, input),
    completeTask: (_root, { input }, { principal, services }) =>
      services.tasks.tasks.completeTask(principal, input),
    reassignTasks: async (_root, { input }, { principal, services }) => {
      const tasks = await services.tasks.tasks.reassignTasks(principal, input);
      return { reassigned: tasks.length, tasks };
    },
    createCalendarFeed: (_root, { input }, { principal, services }) =>
      services.tasks.feeds.createFeed(principal, input),
    revokeCalendarFeed: async (_root, { input }, { principal, services }) => ({
      revoked: await services.tasks.feeds.revokeFeed(principal, input),
    }),
  },
};
