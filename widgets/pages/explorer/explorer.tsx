import { GraphiQL } from 'graphiql';
import 'graphiql/style.css';
import { createRoot } from 'react-dom/client';

/**
 * The offline explorer: GraphiQL bundled from its npm package, served by this server, talking to /graphql, with the
 * README's examples as tabs (extracted by the build). Nothing is fetched from any other host; Apollo's hosted
 * sandbox is only a link for people who are online.
 */
declare const __README_EXAMPLES__: { title: string; query: string }[];

const endpoint = new URL('/graphql', location.href).href;

const fetcher = async (params: unknown, opts?: { headers?: Record<string, string> }) => {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(opts?.headers ?? {}) },
    body: JSON.stringify(params),
  });
  return res.json();
};

const sandbox = `https://studio.apollographql.com/sandbox/explorer?endpoint=${encodeURIComponent(endpoint)}`;
document.getElementById('sandbox')?.setAttribute('href', sandbox);

createRoot(document.getElementById('graphiql')!).render(
  <GraphiQL
    fetcher={fetcher as never}
    defaultTabs={__README_EXAMPLES__.map((e) => ({ query: `# ${e.title}\n${e.query}` }))}
    defaultEditorToolsVisibility="variables"
  />,
);
