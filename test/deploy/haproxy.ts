/**
 * deploy/compose/haproxy.cfg read as HAProxy reads its sections (`global`, `defaults`,
 * `resolvers NAME`, `frontend NAME`, `backend NAME`: a keyword line, then its indented
 * lines), enough to follow a request from a published port to the service it reaches.
 * `haproxy -c` checks the whole syntax; this only follows the routes.
 */
import { readRepoFile } from './files.js';

export const HAPROXY_CONFIG = 'deploy/compose/haproxy.cfg';

/** Each section's lines, split into words, by `<kind> <name>` (`defaults`, `global` alone). */
export function readHaproxy(text = readRepoFile(HAPROXY_CONFIG)): Map<string, string[][]> {
  const sections = new Map<string, string[][]>();
  let current: string[][] | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*$/, '').trimEnd();
    if (!line.trim()) continue;
    if (/^\S/.test(line)) {
      current = [];
      sections.set(line.trim().split(/\s+/).join(' '), current);
    } else if (current) {
      current.push(line.trim().split(/\s+/));
    } else {
      throw new Error(`haproxy.cfg: "${line.trim()}" is outside any section`);
    }
  }
  return sections;
}

const SECTIONS = readHaproxy();

export function section(name: string): string[][] {
  const found = SECTIONS.get(name);
  if (!found) throw new Error(`haproxy.cfg has no section "${name}"`);
  return found;
}

/** The first line of a section that starts with `keyword` (its words after it), or undefined. */
export const directive = (lines: string[][], ...keyword: string[]) =>
  lines.find((words) => keyword.every((word, i) => words[i] === word))?.slice(keyword.length);

/** The frontends: the port each binds, and its default backend. */
export const frontends = () =>
  [...SECTIONS.keys()]
    .filter((key) => key.startsWith('frontend '))
    .map((key) => {
      const lines = section(key);
      const bind = directive(lines, 'bind')?.[0] ?? '';
      return {
        name: key.slice('frontend '.length),
        port: Number(bind.split(':').at(-1)),
        backend: directive(lines, 'default_backend')?.[0],
      };
    });

/** A backend's servers: from `server-template PREFIX COUNT HOST:PORT …` (replicas by DNS) or `server NAME HOST:PORT …`. */
export function backendServers(name: string) {
  return section(`backend ${name}`).flatMap((words) => {
    if (words[0] === 'server-template') {
      const [host, port] = words[3]!.split(':');
      return [{ host: host!, port: Number(port), count: Number(words[2]), options: words.slice(4) }];
    }
    if (words[0] === 'server') {
      const [host, port] = words[2]!.split(':');
      return [{ host: host!, port: Number(port), count: 1, options: words.slice(3) }];
    }
    return [];
  });
}

/** Where a request to the balancer's `port` goes: its backend's servers. */
export function routeOf(port: number) {
  const frontend = frontends().find((candidate) => candidate.port === port);
  if (!frontend?.backend) throw new Error(`the balancer has no frontend on port ${port}`);
  return { backend: frontend.backend, servers: backendServers(frontend.backend) };
}
