import fs from 'node:fs';
import path from 'node:path';

/**
 * A self-hosted GraphiQL (graphiql 3 + React 18 UMD builds from node_modules): works with no
 * internet access. The header editor is open by default with an Authorization template.
 */
const ASSETS: Record<string, { pkg: string; file: string; type: string }> = {
  'graphiql.min.css': { pkg: 'graphiql', file: 'graphiql.min.css', type: 'text/css; charset=utf-8' },
  'graphiql.min.js': { pkg: 'graphiql', file: 'graphiql.min.js', type: 'text/javascript; charset=utf-8' },
  'react.production.min.js': { pkg: 'react', file: 'umd/react.production.min.js', type: 'text/javascript; charset=utf-8' },
  'react-dom.production.min.js': { pkg: 'react-dom', file: 'umd/react-dom.production.min.js', type: 'text/javascript; charset=utf-8' },
};

const cache = new Map<string, Buffer>();

/** Reads one GraphiQL asset from its installed package; null for unknown names. */
export function graphiqlAsset(name: string): { body: Buffer; type: string } | null {
  const asset = ASSETS[name];
  if (!asset) return null;
  let body = cache.get(name);
  if (!body) {
    const dir = path.dirname(require.resolve(`${asset.pkg}/package.json`));
    body = fs.readFileSync(path.join(dir, asset.file));
    cache.set(name, body);
  }
  return { body, type: asset.type };
}

/** The GraphiQL page; `base` is the path prefix where assets are served. */
export function graphiqlPage(opts: { endpoint: string; assetsBase: string }): string {
  const defaultHeaders = JSON.stringify({ Authorization: 'Bearer <paste your API key>' }, null, 2);
  const defaultQuery = '# Paste your API key in the Headers tab below, then run:\n{\n  me {\n    role\n    keyName\n  }\n}\n';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · VPN platform API</title>
<link rel="stylesheet" href="${opts.assetsBase}/graphiql.min.css">
<style>html,body,#graphiql{height:100%;margin:0;}</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script src="${opts.assetsBase}/react.production.min.js"></script>
<script src="${opts.assetsBase}/react-dom.production.min.js"></script>
<script src="${opts.assetsBase}/graphiql.min.js"></script>
<script>
  const fetcher = GraphiQL.createFetcher({ url: ${JSON.stringify(opts.endpoint)} });
  const root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(React.createElement(GraphiQL, {
    fetcher,
    defaultEditorToolsVisibility: 'headers',
    defaultHeaders: ${JSON.stringify(defaultHeaders)},
    defaultQuery: ${JSON.stringify(defaultQuery)},
    shouldPersistHeaders: true,
  }));
</script>
</body>
</html>
`;
}
