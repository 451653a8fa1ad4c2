import { readdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { dirname, join, relative } from 'node:path';
import { renderGraphiQL, type GraphiQLOptions } from 'graphql-yoga';

/**
 * The GraphiQL IDE served from the installed `@graphql-yoga/graphiql`
 * package instead of a public CDN, so it works offline and tells no third
 * party who uses it. Its assets live under a versioned path and are cached
 * for good by browsers.
 */
const require = createRequire(import.meta.url);
const DIST = dirname(require.resolve('@graphql-yoga/graphiql'));
const VERSION = (require('@graphql-yoga/graphiql/package.json') as { version: string }).version;
export const IDE_ASSETS_PATH = `/graphiql/${VERSION}/`;

const CDN_ASSETS = /https:\/\/unpkg\.com\/@graphql-yoga\/graphiql@[^/]+\/dist\//g;
const REMOTE_ICON = /<link rel=icon href=https:[^>]+>/;
// A small inline icon: the page asks nothing of any other host.
const ICON =
  '<link rel=icon href="data:image/svg+xml,%3Csvg xmlns=%22http://www.w3.org/2000/svg%22 viewBox=%220 0 16 16%22%3E%3Ccircle cx=%228%22 cy=%228%22 r=%227%22 fill=%22%23e535ab%22/%3E%3C/svg%3E">';

/** What the IDE shows first: one query that reaches all three stores. */
export const IDE_DEFAULT_QUERY = `# Polystore: one GraphQL API over PostgreSQL, MongoDB and S3.
# Run it with the button on the right, or Ctrl-Enter.
{
  products(first: 3) {
    totalCount
    edges {
      node {
        sku
        name
        price { amount currency }   # PostgreSQL
        details { category tags }   # MongoDB
        images { filename url }     # S3
      }
    }
  }
}
`;

/** GraphiQL's page with every asset pointing at this gateway. */
export function renderLocalGraphiQL(options: GraphiQLOptions = {}): string {
  return renderGraphiQL(options).replace(CDN_ASSETS, IDE_ASSETS_PATH).replace(REMOTE_ICON, ICON);
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

let assets: Promise<Map<string, string>> | undefined;
/** The files the IDE may ask for, by URL path: nothing else under the folder is reachable. */
function assetFiles(): Promise<Map<string, string>> {
  assets ??= readdir(DIST, { recursive: true }).then(
    (names) =>
      new Map(
        names
          .filter((name) => Object.keys(CONTENT_TYPES).some((extension) => name.endsWith(extension)))
          .map((name) => [`${IDE_ASSETS_PATH}${relative(DIST, join(DIST, name)).split('\\').join('/')}`, name]),
      ),
  );
  return assets;
}

/** Serves one IDE asset; false when the request is for something else. */
export async function handleIdeAssetRequest(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
  const path = (req.url ?? '/').split('?')[0]!;
  if (!path.startsWith(IDE_ASSETS_PATH) || (req.method !== 'GET' && req.method !== 'HEAD')) return false;
  const file = (await assetFiles()).get(path);
  if (!file) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return true;
  }
  const body = await readFile(join(DIST, file));
  const extension = file.slice(file.lastIndexOf('.'));
  res.writeHead(200, {
    'content-type': CONTENT_TYPES[extension]!,
    'content-length': body.length,
    // The path carries the package version: a new version is a new URL.
    'cache-control': 'public, max-age=31536000, immutable',
  });
  res.end(req.method === 'HEAD' ? undefined : body);
  return true;
}
