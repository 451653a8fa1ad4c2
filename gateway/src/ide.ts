import { randomBytes } from 'node:crypto';
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

// What the page opens on lives in ide-first-screen.ts; tests import its examples from here.
export { IDE_DEFAULT_QUERY, IDE_SUBSCRIPTION_EXAMPLE } from './ide-first-screen.js';

/** Where the page gets the nonce of the response it is rendered for (a symbol: never printed into the page's options). */
const NONCE = Symbol('ide nonce');
/** Yoga's options plus `query`, the document the page opens on, which its page reads but its type omits. */
export type IdeOptions = GraphiQLOptions & { query?: string };
type PageOptions = IdeOptions & { [NONCE]?: string };

/** GraphiQL's editor workers, loaded from this gateway by URL (yoga's page copies them into blob: URLs). */
const WORKERS = {
  editorWorkerService: 'monacoeditorwork/editor.worker.bundle.js',
  json: 'monacoeditorwork/json.worker.bundle.js',
  graphql: 'monacoeditorwork/graphql.worker..bundle.js',
};
const BLOB_WORKERS = /<script>function prepareBlob[\s\S]*?<\/script>/;

/**
 * The page's first script, in place of yoga's: workers from this origin, and
 * what a strict CSP (no 'unsafe-inline') would refuse of GraphiQL and Monaco,
 * let through the ways the policy allows: every <style> they create carries the
 * response's nonce, and inline `style` attributes (Monaco renders its lines as
 * HTML strings with them) are applied through the CSSOM instead.
 */
const bootstrap = (nonce: string) =>
  `<script nonce="${nonce}">(() => {
  const nonce = document.currentScript.nonce;
  const createElement = Document.prototype.createElement;
  Document.prototype.createElement = function (tag, options) {
    const element = createElement.call(this, tag, options);
    if (String(tag).toLowerCase() === 'style') element.nonce = nonce;
    return element;
  };
  const STYLE_ATTRIBUTE = /(<[a-zA-Z][^>]*?\\s)style=("[^"]*"|'[^']*')/g;
  const deferStyles = (html) => (html == null ? '' : String(html).replace(STYLE_ATTRIBUTE, '$1data-inline-style=$2'));
  const applyStyles = (root) => {
    for (const element of root.querySelectorAll('[data-inline-style]')) {
      element.style.cssText = element.getAttribute('data-inline-style');
      element.removeAttribute('data-inline-style');
    }
  };
  const innerHTML = Object.getOwnPropertyDescriptor(Element.prototype, 'innerHTML');
  Object.defineProperty(Element.prototype, 'innerHTML', {
    ...innerHTML,
    set(html) {
      innerHTML.set.call(this, deferStyles(html));
      applyStyles(this);
    },
  });
  const insertAdjacentHTML = Element.prototype.insertAdjacentHTML;
  Element.prototype.insertAdjacentHTML = function (position, html) {
    insertAdjacentHTML.call(this, position, deferStyles(html));
    applyStyles(this.parentNode ?? this);
  };
  const setAttribute = Element.prototype.setAttribute;
  Element.prototype.setAttribute = function (name, value) {
    if (String(name).toLowerCase() === 'style') this.style.cssText = value;
    else setAttribute.call(this, name, value);
  };
  const workers = ${JSON.stringify(Object.fromEntries(Object.entries(WORKERS).map(([label, file]) => [label, IDE_ASSETS_PATH + file])))};
  self.MonacoEnvironment = { globalAPI: false, getWorkerUrl: (_, label) => workers[label] };
})();
function prepareWorkers() { return Promise.resolve(); }</script>`;

/**
 * GraphiQL's page with every asset pointing at this gateway and every inline
 * script carrying the response's nonce (`ideSecurityHeaders`).
 */
export function renderLocalGraphiQL(options: PageOptions = {}): string {
  const nonce = options[NONCE];
  if (!nonce) throw new Error('the IDE page is rendered only with a nonce (localGraphiQL)');
  const page = renderGraphiQL(options);
  // A new GraphiQL package whose page differs must be looked at, not served half-patched.
  if (!BLOB_WORKERS.test(page)) throw new Error('GraphiQL page changed: update the worker bootstrap in ide.ts');
  return page
    .replace(BLOB_WORKERS, bootstrap(nonce))
    .replace(/<script>/g, `<script nonce="${nonce}">`)
    .replace(CDN_ASSETS, IDE_ASSETS_PATH)
    .replace(REMOTE_ICON, ICON);
}

/**
 * The IDE page's headers: only this origin's scripts, styles, workers and
 * connections, inline scripts and styles by nonce only; never framed (no
 * clickjacking), no type guessing, no referrer sent to anyone.
 */
export function ideSecurityHeaders(nonce: string): Record<string, string> {
  return {
    'content-security-policy': [
      "default-src 'self'",
      `script-src 'self' 'nonce-${nonce}'`,
      `style-src 'self' 'nonce-${nonce}'`,
      // The icon and the editor's own images are data: URLs.
      "img-src 'self' data:",
      "font-src 'self' data:",
      "connect-src 'self'",
      "worker-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
      "object-src 'none'",
      "form-action 'self'",
    ].join('; '),
    'x-frame-options': 'DENY',
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cross-origin-opener-policy': 'same-origin',
    // A nonce is for one response: never served again from a cache.
    'cache-control': 'no-store',
  };
}

/**
 * The IDE as the runtime serves it (its `graphiql` and `renderGraphiQL`
 * options, and a plugin): a fresh nonce per page, and the page's headers
 * set on that response.
 */
export function localGraphiQL(options: IdeOptions) {
  const nonces = new WeakMap<Request, string>();
  return {
    graphiql: (request: Request): PageOptions => {
      const nonce = randomBytes(16).toString('base64');
      nonces.set(request, nonce);
      return { ...options, [NONCE]: nonce };
    },
    renderGraphiQL: renderLocalGraphiQL,
    plugin: {
      onResponse({ request, response }: { request: Request; response: Response }) {
        const nonce = nonces.get(request);
        if (!nonce) return;
        for (const [name, value] of Object.entries(ideSecurityHeaders(nonce))) response.headers.set(name, value);
      },
    },
  };
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
