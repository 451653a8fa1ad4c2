/**
 * `docker compose up --scale gateway=2 --scale sql-subgraph=2 …` must work, and no Docker
 * daemon runs here: docker-compose.yml and deploy/compose/haproxy.cfg are checked
 * statically. The stateless services publish no host port and have no fixed container
 * name (either would stop a second replica); the balancer is the one endpoint, finds every
 * replica through Docker's DNS and sends traffic only to those whose /ready answers; every
 * URL a service is given for another leads there. HAProxy's own parser (`haproxy -c`,
 * installed by .ci/run) checks the file's syntax.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { loadConfig, SUBGRAPHS } from '@polystore/common';
import { APP_NAMES, APPS, BALANCER, COMPOSE_SECRETS } from './apps.js';
import { environmentOf, loadCompose, portOf, publishedPorts, type ComposeService } from './files.js';
import { backendServers, directive, frontends, HAPROXY_CONFIG, readHaproxy, routeOf, section } from './haproxy.js';

const { compose } = loadCompose(COMPOSE_SECRETS);
const service = (name: string): ComposeService & { container_name?: string } => {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
};
function haproxyCheck(path: string): string {
  try {
    return execFileSync('haproxy', ['-c', '-f', path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT')
      throw new Error('no haproxy binary: apt-get install haproxy (.ci/run does)');
    throw new Error(`haproxy -c refused ${HAPROXY_CONFIG}: ${(err as { stderr?: string }).stderr ?? err}`);
  }
}
const configOf = (name: string) => loadConfig(environmentOf(service(name)));
const portOfService = (name: string) => configOf(name).ports[APPS[name]!.port];

describe('the balancer in docker-compose.yml', () => {
  it('is HAProxy reading deploy/compose/haproxy.cfg, published on the port clients use', () => {
    const balancer = service(BALANCER);
    expect(balancer.image).toMatch(/^haproxy:\d/);
    expect(balancer.volumes).toContain(`./${HAPROXY_CONFIG}:/usr/local/etc/haproxy/haproxy.cfg:ro`);
    expect(publishedPorts(balancer)).toEqual([{ host: 4000, container: 4000 }]);
    expect(routeOf(4000).servers).toEqual([
      expect.objectContaining({ host: 'gateway', port: portOfService('gateway') }),
    ]);
  });

  it('is the only way in to the services: they publish no port, so that each can scale', () => {
    const publishing = Object.entries(compose.services)
      .filter(([, candidate]) => publishedPorts(candidate).length > 0)
      .map(([name]) => name);
    expect(publishing.filter((name) => APP_NAMES.includes(name))).toEqual([]);
    for (const name of APP_NAMES) {
      expect(service(name).container_name).toBeUndefined();
    }
  });

  it.each(APP_NAMES)(
    'sends %s its requests on its port, to every replica Docker DNS names, once /ready answers',
    (name) => {
      const frontend = frontends().find(({ backend }) => backendServers(backend!).some(({ host }) => host === name));
      expect(frontend).toBeDefined();
      const servers = backendServers(frontend!.backend!);
      expect(servers).toHaveLength(1);
      const [server] = servers;
      expect(server).toMatchObject({ host: name, port: portOfService(name) });
      // Room for replicas, found by DNS, the balancer starting before any of them.
      expect(server!.count).toBeGreaterThanOrEqual(4);
      expect(server!.options).toEqual(expect.arrayContaining(['check', 'resolvers', 'init-addr', 'none']));
      const resolvers = server!.options[server!.options.indexOf('resolvers') + 1];
      expect(directive(section(`resolvers ${resolvers}`), 'nameserver')?.[1]).toBe('127.0.0.11:53'); // Docker's DNS
      const backend = section(`backend ${frontend!.backend}`);
      expect(directive(backend, 'option', 'httpchk')).toEqual(['GET', '/ready']);
      expect(directive(backend, 'http-check', 'expect')).toEqual(['status', '200']);
    },
  );

  it('lets subscriptions stay open: graphql-ws and SSE tunnels time out after an hour, not a minute', () => {
    const defaults = section('defaults');
    expect(directive(defaults, 'mode')).toEqual(['http']);
    expect(directive(defaults, 'timeout', 'tunnel')).toEqual(['1h']);
  });

  it('is where every URL between services leads, to the service it names', () => {
    const urls = [
      ...Object.entries(configOf('gateway').subgraphUrls).map(([subgraph, url]) => ({ subgraph, url: url! })),
      ...['mongo-subgraph', 'storage-subgraph'].map((name) => ({
        subgraph: 'sql',
        url: configOf(name).subgraphUrls.sql!,
      })),
    ];
    expect(urls).toHaveLength(5);
    for (const { subgraph, url } of urls) {
      const target = SUBGRAPHS.find(({ name }) => name === subgraph)!.service;
      expect(new URL(url).hostname).toBe(BALANCER);
      expect(routeOf(portOf(new URL(url))).servers.map(({ host }) => host)).toEqual([target]);
    }
    for (const name of APP_NAMES) {
      if (Object.keys(environmentOf(service(name))).some((variable) => variable.endsWith('_SUBGRAPH_URL'))) {
        expect(service(name).depends_on).toMatchObject({ [BALANCER]: { condition: 'service_started' } });
      }
    }
  });

  it("passes HAProxy's own configuration check, and the route reader refuses what it cannot read", () => {
    const output = haproxyCheck(fileURLToPath(new URL(`../../${HAPROXY_CONFIG}`, import.meta.url)));
    expect(output).toMatch(/Configuration file is valid/);
    expect(() => readHaproxy('  bind :4000')).toThrow(/outside any section/);
    expect(() => routeOf(4999)).toThrow(/no frontend on port 4999/);
  });
});
