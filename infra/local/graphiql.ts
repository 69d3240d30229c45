import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

/** A file inside a package, found from its package.json (the UMD builds are not in `exports`). */
const packageFile = (pkg: string, file: string) =>
  join(dirname(require.resolve(`${pkg}/package.json`)), file);

/** GraphiQL and React served from node_modules, so the IDE works offline (no CDN). */
export const IDE_ASSETS: Record<string, { file: string; type: string }> = {
  'react.js': { file: packageFile('react', 'umd/react.production.min.js'), type: 'text/javascript' },
  'react-dom.js': {
    file: packageFile('react-dom', 'umd/react-dom.production.min.js'),
    type: 'text/javascript',
  },
  'graphiql.js': { file: packageFile('graphiql', 'graphiql.min.js'), type: 'text/javascript' },
  'graphiql.css': { file: packageFile('graphiql', 'graphiql.min.css'), type: 'text/css' },
};

export const IDE_ASSET_PREFIX = '/local/assets/';

/** The IDE page; the demo admin token is prefilled in the headers editor. */
export function graphiqlPage(defaultToken: string | undefined): string {
  const headers = defaultToken ? JSON.stringify({ Authorization: `Bearer ${defaultToken}` }, null, 2) : '{}';
  return `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Broker CRM · GraphiQL (local)</title>
  <link rel="stylesheet" href="${IDE_ASSET_PREFIX}graphiql.css" />
  <style>body { margin: 0; height: 100vh; } #graphiql { height: 100vh; }</style>
</head>
<body>
  <div id="graphiql">Loading…</div>
  <script src="${IDE_ASSET_PREFIX}react.js"></script>
  <script src="${IDE_ASSET_PREFIX}react-dom.js"></script>
  <script src="${IDE_ASSET_PREFIX}graphiql.js"></script>
  <script>
    const fetcher = GraphiQL.createFetcher({ url: '/graphql' });
    const root = ReactDOM.createRoot(document.getElementById('graphiql'));
    root.render(React.createElement(GraphiQL, {
      fetcher,
      defaultHeaders: ${JSON.stringify(headers)},
      defaultQuery: '{\\n  me { userId role tenantId }\\n  branches { edges { node { id name kind } } }\\n}\\n',
      shouldPersistHeaders: true,
    }));
  </script>
</body>
</html>`;
}
