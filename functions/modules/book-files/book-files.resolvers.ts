import type { Resolvers } from '../../graphql/__generated__/resolvers-types.js';

/** Import and export resolvers: the service parses and authorizes. */
export const bookFilesResolvers: Resolvers = {
  Mutation: {
    importBook: (_root, { input }, { principal, services }) =>
      services.bookFiles.imports.importBook(principal, input),
    exportBook: (_root, { input }, { principal, services }) =>
      services.bookFiles.exports.exportBook(principal, input),
  },
};
