/**
 * The Kubernetes manifests' operational side, checked statically (no cluster here): who
 * may reach each pod under the NetworkPolicies, autoscaling and disruption budgets, resource
 * requests, the restricted pod security standard, shutdown timing, and the backup CronJob
 * (the one scheduled definition of `npm run backup`, which docs/operations.md points to).
 */
import { loadConfig, type Config } from '@polystore/common';
import { APP_NAMES } from './apps.js';
import { readRepoFile, words } from './files.js';
import {
  configOf,
  environmentOf,
  named,
  objects,
  ofKind,
  portsOf,
  workload,
  workloads,
} from './kubernetes-manifests.js';
import { allows, matches, selectorsOf, type LabelSelector, type Peer, type Target } from './kubernetes-network.js';

const NAMESPACE = 'polystore';
const inNamespace = (name: string, labels: Record<string, string>): Peer => ({
  name,
  pod: { labels, namespace: NAMESPACE, namespaceLabels: { 'kubernetes.io/metadata.name': NAMESPACE } },
});
/** Every source of connections: each workload's pods, a stranger pod, Prometheus, another namespace, the internet. */
const PEERS: Peer[] = [
  ...workloads.map(({ name, template }) => inNamespace(name, template.metadata.labels)),
  inNamespace('another pod of the namespace', { app: 'debug' }),
  {
    name: 'monitoring',
    pod: {
      labels: { 'app.kubernetes.io/name': 'prometheus' },
      namespace: 'monitoring',
      namespaceLabels: { 'kubernetes.io/metadata.name': 'monitoring' },
    },
  },
  {
    name: 'another namespace',
    pod: { labels: {}, namespace: 'default', namespaceLabels: { 'kubernetes.io/metadata.name': 'default' } },
  },
  { name: 'internet' },
];
const EVERYONE = PEERS.map(({ name }) => name).sort();
const policies = ofKind('NetworkPolicy');
const targetOf = (name: string): Target => {
  const { template, container } = workload(name);
  return { labels: template.metadata.labels, namespace: NAMESPACE, ports: portsOf(container) };
};
const reaching = (name: string, port: string) =>
  PEERS.filter((peer) => allows(policies, peer, targetOf(name), port))
    .map((peer) => peer.name)
    .sort();

describe('NetworkPolicies', () => {
  it('let clients reach the gateway, and only the gateway reach the subgraphs (sql-subgraph also from the subgraphs that check references with it)', () => {
    expect(reaching('gateway', 'http')).toEqual(EVERYONE);
    expect(reaching('sql-subgraph', 'http')).toEqual(['gateway', 'mongo-subgraph', 'storage-subgraph']);
    expect(reaching('mongo-subgraph', 'http')).toEqual(['gateway']);
    expect(reaching('storage-subgraph', 'http')).toEqual(['gateway']);
  });

  it.each(APP_NAMES)("let only the monitoring namespace reach %s's metrics port", (name) => {
    expect(reaching(name, 'metrics')).toEqual(['monitoring']);
  });

  it('deny everything else, so a pod without a policy of its own (the backup) is reached by no one', () => {
    const backup: Target = {
      labels: workload('backup').template.metadata.labels,
      namespace: NAMESPACE,
      ports: { any: 1 },
    };
    expect(PEERS.filter((peer) => allows(policies, peer, backup, 'any'))).toEqual([]);
    // Without the default deny, it would be open: the check can tell.
    const withoutDefault = policies.filter(({ metadata }) => metadata.name !== 'default-deny-ingress');
    expect(PEERS.filter((peer) => allows(withoutDefault, peer, backup, 'any'))).toHaveLength(PEERS.length);
  });

  it("select pods by the Deployments' labels: every selector matches a workload", () => {
    for (const policy of policies) {
      for (const { where, selector } of selectorsOf(policy)) {
        const selected = workloads.filter(({ template }) => matches(selector, template.metadata.labels));
        expect(`${policy.metadata.name} ${where}: ${selected.length > 0}`).toBe(
          `${policy.metadata.name} ${where}: true`,
        );
      }
    }
  });
});

describe.each(APP_NAMES)('%s: scaling and disruptions', (name) => {
  const { object, template, container } = workload(name);

  it('is scaled by one HorizontalPodAutoscaler on CPU, from at least two replicas', () => {
    const autoscalers = ofKind('HorizontalPodAutoscaler').filter(
      ({ spec }) => (spec as { scaleTargetRef: { kind: string; name: string } }).scaleTargetRef.name === name,
    );
    expect(autoscalers).toHaveLength(1);
    const spec = autoscalers[0]!.spec as {
      scaleTargetRef: { apiVersion: string; kind: string };
      minReplicas: number;
      maxReplicas: number;
      metrics: { resource?: { name: string } }[];
    };
    expect(spec.scaleTargetRef).toMatchObject({ apiVersion: 'apps/v1', kind: 'Deployment' });
    expect(spec.minReplicas).toBeGreaterThanOrEqual(2);
    expect(spec.maxReplicas).toBeGreaterThan(spec.minReplicas);
    expect(spec.metrics.map(({ resource }) => resource?.name)).toEqual(['cpu']);
    // A replica count in the Deployment would be re-applied over the autoscaler's on every apply.
    expect((object.spec as { replicas?: number }).replicas).toBeUndefined();
    // Utilization is a share of the request: without one the autoscaler cannot act.
    expect(container.resources?.requests?.cpu).toBeDefined();
  });

  it('has one PodDisruptionBudget selecting its pods and no other, keeping one of the minimum up', () => {
    const budgets = ofKind('PodDisruptionBudget').filter(({ spec }) =>
      matches((spec as { selector: LabelSelector }).selector, template.metadata.labels),
    );
    expect(budgets).toHaveLength(1);
    const spec = budgets[0]!.spec as { selector: LabelSelector; maxUnavailable?: number; minAvailable?: number };
    for (const other of workloads.filter((candidate) => candidate.name !== name)) {
      expect(matches(spec.selector, other.template.metadata.labels)).toBe(false);
    }
    expect(spec.maxUnavailable ?? 0).toBe(1);
    expect(spec.minAvailable).toBeUndefined();
  });
});

describe.each(workloads.map(({ name }) => name))('%s: pod', (name) => {
  const { template, container } = workload(name);
  let config: Config;
  beforeAll(() => (config = configOf(name)));

  it('requests CPU and memory, and limits memory above the request', () => {
    const { requests = {}, limits = {} } = container.resources ?? {};
    expect(Object.keys(requests).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(limits)).toEqual(['memory']); // no CPU limit: throttling adds latency
    expect(mebibytes(limits.memory!)).toBeGreaterThan(mebibytes(requests.memory!));
  });

  it('runs as the restricted pod security standard requires, without service links or an API token', () => {
    const pod = template.spec;
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } });
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true });
    expect(container.securityContext?.capabilities?.drop).toEqual(['ALL']);
    // Service links would set GATEWAY_PORT=tcp://… in every pod, a value loadConfig refuses.
    expect(pod.enableServiceLinks).toBe(false);
    expect(() => loadConfig({ ...environmentOf(container).env, GATEWAY_PORT: 'tcp://10.0.0.1:4000' })).toThrow(
      /GATEWAY_PORT/,
    );
    expect(pod.automountServiceAccountToken).toBe(false);
    // A read-only root: tsx's compile cache needs a writable /tmp.
    expect(container.volumeMounts?.map(({ mountPath }) => mountPath)).toContain('/tmp');
  });

  it('lets the process finish its own shutdown before the kubelet kills it', () => {
    if (template.spec.restartPolicy === 'Never') return; // a Job's run ends by itself
    const preStop = container.lifecycle?.preStop?.exec?.command ?? [];
    const pauseSeconds = preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
    expect(pauseSeconds).toBeGreaterThan(0);
    const grace = template.spec.terminationGracePeriodSeconds ?? 30;
    expect(grace).toBeGreaterThan(pauseSeconds + config.shutdownTimeoutMs / 1000);
  });
});

const mebibytes = (quantity: string) => {
  const [, amount, unit = ''] = /^(\d+)(Mi|Gi)?$/.exec(quantity) ?? [];
  if (!amount) throw new Error(`quantity ${quantity} not in Mi or Gi`);
  return Number(amount) * (unit === 'Gi' ? 1024 : 1);
};

describe('the backup CronJob', () => {
  const { object, template, container } = workload('backup');
  let config: Config;
  beforeAll(() => (config = configOf('backup')));
  const spec = object.spec as { schedule: string; concurrencyPolicy: string };

  it('runs `npm run backup -- --keep N` in the image', () => {
    expect(object.kind).toBe('CronJob');
    const [npm, run, script, separator, keep, count] = container.command ?? [];
    expect([npm, run, script, separator, keep]).toEqual(['npm', 'run', 'backup', '--', '--keep']);
    expect(Number.isInteger(Number(count)) && Number(count) >= 1).toBe(true);
    expect(JSON.parse(readRepoFile('package.json')).scripts.backup).toMatch(/tools\/operations\/src\/backup-cli\.ts$/);
    expect(container.image).toBe(workload('gateway').container.image);
  });

  it('writes its sets under BACKUP_DIR on the PersistentVolumeClaim, as the owner of the schema', () => {
    const mount = container.volumeMounts?.find(({ mountPath }) => mountPath === config.backups.dir);
    expect(mount).toBeDefined();
    const volume = template.spec.volumes?.find(({ name }) => name === mount!.name);
    expect(named('PersistentVolumeClaim', volume!.persistentVolumeClaim!.claimName).kind).toBe('PersistentVolumeClaim');
    expect(template.spec.securityContext).toMatchObject({ fsGroup: 1000 });
    expect(config.postgres.ownerUrl).toBeDefined();
    expect(config.backups.encryptionKey).toBeDefined(); // from the Secret, when it has the key
    expect(config.redis.keyPrefix).toBe(configOf('gateway').redis.keyPrefix);
    expect(config.s3.bucket).toBe(configOf('storage-subgraph').s3.bucket);
  });

  it('never runs twice at once, and keeps the schedule of the cron line in docs/operations.md, which points to it', () => {
    expect(spec.concurrencyPolicy).toBe('Forbid');
    expect(template.spec.restartPolicy).toBe('Never');
    const operations = readRepoFile('docs/operations.md');
    const cronLine = /`((?:\S+ ){5})cd [^`]*npm run backup -- --keep (\d+)[^`]*`/.exec(operations);
    expect(cronLine).not.toBeNull();
    expect(spec.schedule).toBe(cronLine![1]!.trim());
    expect(words(container.command).at(-1)).toBe(cronLine![2]);
    expect(operations).toContain('deploy/kubernetes/base/backup.yaml');
  });

  it('is the only scheduled backup among the manifests', () => {
    expect(ofKind('CronJob')).toHaveLength(1);
    expect(objects.filter(({ kind }) => kind === 'Job')).toEqual([]);
  });
});
