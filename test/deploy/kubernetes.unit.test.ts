/**
 * No cluster runs here, and neither kubectl nor helm installs: the Kubernetes manifests
 * (deploy/kubernetes, as the production overlay applies them) are validated against the
 * Kubernetes API schemas (`kubernetes-models`), and checked against the code: every
 * variable they set is one loadConfig reads and accepts, every secret comes from the
 * example Secret's keys, ports and probes are the ones each service listens and answers on,
 * Services and URLs lead where the config says. kubernetes-operations.unit.test.ts checks
 * the network policies, scaling, disruption budgets, pod security and the backup CronJob.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CONFIG_VARIABLE_DECLARATIONS,
  CONFIG_VARIABLES,
  handleHealthRequest,
  loadConfig,
  type Config,
} from '@polystore/common';
import { APP_NAMES, APPS, COMMON_REQUIRED } from './apps.js';
import { portOf, type Env } from './files.js';
import {
  BASE,
  configOf,
  environmentOf,
  exampleSecret,
  named,
  objects,
  ofKind,
  portsOf,
  resolvePort,
  secretValues,
  workload,
  workloads,
  type Origin,
} from './kubernetes-manifests.js';
import { schemaErrors, unknownFieldErrors } from './kubernetes-schemas.js';
import { buildKustomization, yamlFilesIn, type KubeObject } from './kustomize.js';
import { matches } from './kubernetes-network.js';

const clone = <T>(value: T): T => structuredClone(value);

describe('Kubernetes manifests, against the Kubernetes API schemas', () => {
  it('applies every file of the base once, in the overlay namespace with the overlay image', () => {
    const files = yamlFilesIn(BASE).filter((path) => !path.endsWith('kustomization.yaml'));
    expect(
      [...new Set(objects.map(({ source }) => source).filter((source) => source.startsWith(BASE)))].sort(),
    ).toEqual(files.sort());
    const keys = objects.map(({ kind, metadata }) => `${kind}/${metadata.name}`);
    expect(keys.length).toBe(new Set(keys).size);
    expect(objects.length).toBe(buildKustomization(BASE).length + 1);
    expect(named('Namespace', 'polystore').metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
    });
    for (const object of objects.filter(({ kind }) => kind !== 'Namespace')) {
      expect(`${object.kind}/${object.metadata.name} in ${object.metadata.namespace}`).toMatch(/ in polystore$/);
    }
    for (const { name, container } of workloads) {
      expect(`${name}: ${container.image}`).toBe(`${name}: registry.example.com/polystore:0.1.0`);
    }
  });

  it('validates every object, and the example Secret, against the schemas', async () => {
    const errors: string[] = [];
    // One at a time: Jest's ESM loader fails concurrent first imports of the same module.
    for (const object of [...objects, exampleSecret]) {
      for (const error of await schemaErrors(object))
        errors.push(`${object.source} ${object.kind}/${object.metadata.name}: ${error}`);
    }
    expect(errors).toEqual([]);
    expect(objects.length).toBeGreaterThanOrEqual(25);
  });

  it('sets no field that its Kubernetes type lacks', () => {
    expect(unknownFieldErrors([...objects, exampleSecret])).toEqual([]);
  });

  it('refuses an object with a wrong type or an unknown field, so the checks above can fail', async () => {
    const deployment = clone(named('Deployment', 'gateway'));
    const container = (deployment.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template
      .spec.containers[0]!;
    (container.ports as { containerPort: unknown }[])[0]!.containerPort = 'http';
    expect((await schemaErrors(deployment)).join('\n')).toMatch(/containerPort must be integer/);

    const typo = clone(named('Deployment', 'gateway'));
    const typoContainer = (typo.spec as { template: { spec: { containers: Record<string, unknown>[] } } }).template.spec
      .containers[0]!;
    typoContainer.readinesProbe = typoContainer.readinessProbe;
    delete typoContainer.readinessProbe;
    expect(await schemaErrors(typo)).toEqual([]); // the schemas let unknown fields through…
    expect(unknownFieldErrors([typo]).join('\n')).toMatch(/Deployment\/gateway: .*readinesProbe/); // …the types do not
  });
});

describe.each(workloads.map(({ name }) => name))('%s: its environment', (name) => {
  const { container } = workload(name);
  let env: Env;
  let origins: Record<string, Origin>;
  // Throws for a missing ConfigMap, Secret or key, failing each test with it.
  beforeAll(() => ({ env, origins } = environmentOf(container)));

  it('sets only variables that loadConfig reads, each once', () => {
    const known = new Set(CONFIG_VARIABLES);
    expect(Object.keys(env).filter((variable) => !known.has(variable))).toEqual([]);
    const set = (container.env ?? []).map((variable) => variable.name);
    expect(set.length).toBe(new Set(set).size);
    const fromConfigMaps = (container.envFrom ?? []).flatMap(({ configMapRef }) =>
      Object.keys((named('ConfigMap', configMapRef!.name).data ?? {}) as object),
    );
    expect(fromConfigMaps.length).toBe(new Set(fromConfigMaps).size);
    expect(set.filter((variable) => fromConfigMaps.includes(variable))).toEqual([]);
  });

  it('takes every credential from the Secret, never from a value or a ConfigMap', () => {
    const secrets = CONFIG_VARIABLE_DECLARATIONS.filter((variable) => variable.secret).map((variable) => variable.name);
    expect(secrets).toContain('DATABASE_URL');
    for (const variable of Object.keys(env).filter((variable) => secrets.includes(variable))) {
      expect(`${variable} from ${origins[variable]}`).toBe(`${variable} from secret`);
    }
  });

  it('has an environment loadConfig accepts, with what the service needs', () => {
    const config = loadConfig(env); // throws a ConfigError naming a bad variable
    if (APPS[name]) {
      expect([...COMMON_REQUIRED, ...APPS[name].required].filter((variable) => env[variable] === undefined)).toEqual(
        [],
      );
      expect(container.command).toEqual(['node', '--import', 'tsx', APPS[name].entry]);
      expect(config.host).toBe('0.0.0.0');
    }
  });
});

describe('the example Secret', () => {
  const used = workloads.flatMap(({ container }) =>
    (container.env ?? []).flatMap(({ valueFrom }) => (valueFrom?.secretKeyRef ? [valueFrom.secretKeyRef] : [])),
  );

  it('has every key a secretKeyRef names, and none that nothing reads', () => {
    expect(used.length).toBeGreaterThan(0);
    for (const { name, key } of used) expect(`${name}/${key}`).toBe(`polystore-secrets/${key}`);
    expect(Object.keys(secretValues).sort()).toEqual([...new Set(used.map(({ key }) => key))].sort());
  });

  it('holds placeholders only, and is not applied with the overlay', () => {
    for (const [key, value] of Object.entries(secretValues)) expect(`${key}: ${value}`).toMatch(/CHANGE-ME/);
    expect(objects.filter(({ kind }) => kind === 'Secret')).toEqual([]);
    expect(exampleSecret.metadata.name).toBe('polystore-secrets');
  });
});

describe.each(APP_NAMES)('%s: ports, probes and Service', (name) => {
  const spec = APPS[name]!;
  const { container, template, object } = workload(name);
  let config: Config;
  let port: number;
  let metricsPort: number;
  beforeAll(() => {
    config = configOf(name);
    port = config.ports[spec.port];
    metricsPort = config.metrics.ports[spec.port];
  });

  let health: Server;
  let healthUrl: string;
  // The handler every service (subgraphs and gateway) serves /health and /ready with.
  beforeAll(async () => {
    health = createServer((req, res) => {
      void handleHealthRequest(req, res, []).then((handled) => handled || res.writeHead(404).end());
    });
    await new Promise<void>((resolve) => health.listen(0, '127.0.0.1', resolve));
    healthUrl = `http://127.0.0.1:${(health.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => health.close(resolve)));

  it('declares the ports the service listens on: http and metrics, both on all interfaces', () => {
    expect(object.kind).toBe('Deployment');
    expect(portsOf(container)).toEqual({ http: port, metrics: metricsPort });
    expect(config.metrics).toMatchObject({ enabled: true, host: '0.0.0.0' });
  });

  it('probes paths the service answers, on its http port: readiness /ready, liveness and startup /health', async () => {
    const probes = { readinessProbe: '/ready', livenessProbe: '/health', startupProbe: '/health' } as const;
    for (const [probe, path] of Object.entries(probes)) {
      const httpGet = container[probe as keyof typeof probes]?.httpGet;
      expect(`${probe} ${httpGet?.path}`).toBe(`${probe} ${path}`);
      expect(resolvePort(container, httpGet!.port)).toBe(port);
      expect((await fetch(new URL(httpGet!.path, healthUrl))).status).toBe(200);
    }
    expect((await fetch(new URL('/healthz', healthUrl))).status).toBe(404); // the handler does refuse other paths
  });

  it('is selected by one Service, whose ports lead to its container ports', () => {
    const services = ofKind('Service').filter((service) =>
      matches(
        { matchLabels: (service.spec as { selector: Record<string, string> }).selector },
        template.metadata.labels,
      ),
    );
    expect(services.map(({ metadata }) => metadata.name)).toEqual([name]);
    for (const other of workloads.filter((candidate) => candidate.name !== name)) {
      expect(matches({ matchLabels: serviceSelector(services[0]!) }, other.template.metadata.labels)).toBe(false);
    }
    const ports = (services[0]!.spec as { ports: { name: string; port: number; targetPort: string | number }[] }).ports;
    expect(ports.map((entry) => [entry.name, entry.port, resolvePort(container, entry.targetPort)])).toEqual([
      ['http', port, port],
      ['metrics', metricsPort, metricsPort],
    ]);
  });
});

const serviceSelector = (service: KubeObject) => (service.spec as { selector: Record<string, string> }).selector;

describe('URLs between the services', () => {
  /** The workload a URL leads to through its Service, and the container port it reaches. */
  function destination(url: URL) {
    const service = named('Service', url.hostname);
    const entry = (service.spec as { ports: { port: number; targetPort: string | number }[] }).ports.find(
      ({ port }) => port === portOf(url),
    );
    if (!entry) throw new Error(`Service ${url.hostname} has no port ${portOf(url)}`);
    const target = workloads.find(({ template }) =>
      matches({ matchLabels: serviceSelector(service) }, template.metadata.labels),
    )!;
    return { name: target.name, port: resolvePort(target.container, entry.targetPort) };
  }

  it("routes the gateway to each subgraph's http port through its Service", () => {
    const { subgraphUrls } = configOf('gateway');
    for (const [subgraph, url] of Object.entries(subgraphUrls) as [keyof Config['ports'], string | undefined][]) {
      const service = APP_NAMES.find((candidate) => APPS[candidate]!.port === subgraph)!;
      const port = configOf(service).ports[subgraph];
      expect(destination(new URL(url!))).toEqual({ name: service, port });
      expect(new URL(url!).pathname).toBe('/graphql');
    }
    expect(Object.keys(subgraphUrls)).toHaveLength(3);
  });

  it('routes the subgraphs that check references to sql-subgraph', () => {
    const sqlPort = configOf('sql-subgraph').ports.sql;
    for (const name of ['mongo-subgraph', 'storage-subgraph']) {
      const { subgraphUrls } = configOf(name);
      expect(destination(new URL(subgraphUrls.sql!))).toEqual({ name: 'sql-subgraph', port: sqlPort });
    }
  });
});
