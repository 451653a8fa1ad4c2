/**
 * What `kubectl apply -k` would send, for the kustomizations in deploy/kubernetes: no
 * kustomize runs here (it is a Go program, and kubectl does not install), so this reads
 * the few fields they use (`resources`, `namespace`, `images`) as kustomize does, and
 * throws on any other field, so that a kustomization never means more than is checked.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { readRepoFile } from './files.js';

/** A Kubernetes object as written, with the file it came from (relative to the repository root). */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  source: string;
  [field: string]: unknown;
}

interface Kustomization {
  apiVersion?: string;
  kind?: string;
  resources?: string[];
  namespace?: string;
  images?: { name: string; newName?: string; newTag?: string }[];
}
const KNOWN_FIELDS = new Set(['apiVersion', 'kind', 'resources', 'namespace', 'images']);

/** Kinds that live outside any namespace, among those the manifests use. */
const CLUSTER_SCOPED = new Set(['Namespace']);

/** Every object of a YAML file (several documents separated by `---`). */
export function readObjects(path: string): KubeObject[] {
  return parseAllDocuments(readRepoFile(path)).map((document) => {
    if (document.errors.length > 0) throw new Error(`${path}: ${document.errors[0]!.message}`);
    return { ...(document.toJS() as object), source: path } as KubeObject;
  });
}

/** The objects `kubectl apply -k <dir>` would apply; `dir` relative to the repository root. */
export function buildKustomization(dir: string): KubeObject[] {
  const [kustomization] = readObjects(join(dir, 'kustomization.yaml')) as unknown as Kustomization[];
  const unknown = Object.keys(kustomization ?? {}).filter((field) => !KNOWN_FIELDS.has(field) && field !== 'source');
  if (unknown.length > 0) throw new Error(`${dir}/kustomization.yaml: fields this check does not read: ${unknown}`);
  if (kustomization!.kind !== 'Kustomization') throw new Error(`${dir}/kustomization.yaml is no Kustomization`);
  const objects = (kustomization!.resources ?? []).flatMap((resource) => {
    const path = join(dir, resource);
    return isDirectory(path) ? buildKustomization(path) : readObjects(path);
  });
  const { namespace, images = [] } = kustomization!;
  for (const object of objects) {
    if (namespace && !CLUSTER_SCOPED.has(object.kind)) object.metadata.namespace = namespace;
    for (const container of containersOf(object)) {
      const image = images.find(({ name }) => container.image === name || container.image.startsWith(`${name}:`));
      if (image) container.image = `${image.newName ?? image.name}:${image.newTag ?? 'latest'}`;
    }
  }
  return objects;
}

/** The YAML files of a folder, relative to the repository root. */
export const yamlFilesIn = (dir: string) =>
  readdirSync(repoPath(dir))
    .filter((name) => /\.ya?ml$/.test(name))
    .map((name) => join(dir, name));

const repoPath = (path: string) => new URL(`../../${path}`, import.meta.url).pathname;
const isDirectory = (path: string) => statSync(repoPath(path)).isDirectory();

export interface Container {
  name: string;
  image: string;
  command?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  readinessProbe?: Probe;
  livenessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { preStop?: { exec?: { command: string[] } } };
  securityContext?: Record<string, unknown> & { capabilities?: { drop?: string[] } };
  volumeMounts?: { name: string; mountPath: string }[];
}
export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: {
    secretKeyRef?: { name: string; key: string; optional?: boolean };
    configMapKeyRef?: { name: string; key: string };
  };
}
export interface Probe {
  httpGet?: { path: string; port: string | number };
}
export interface PodSpec {
  containers: Container[];
  restartPolicy?: string;
  enableServiceLinks?: boolean;
  automountServiceAccountToken?: boolean;
  terminationGracePeriodSeconds?: number;
  securityContext?: Record<string, unknown>;
  volumes?: { name: string; persistentVolumeClaim?: { claimName: string } }[];
}
export interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: PodSpec;
}

/** The pod template of a Deployment or a CronJob; undefined for other kinds. */
export function podTemplateOf(object: KubeObject): PodTemplate | undefined {
  if (object.kind === 'Deployment') return (object.spec as { template: PodTemplate }).template;
  if (object.kind === 'CronJob')
    return (object.spec as { jobTemplate: { spec: { template: PodTemplate } } }).jobTemplate.spec.template;
  return undefined;
}

export const containersOf = (object: KubeObject): Container[] => podTemplateOf(object)?.spec.containers ?? [];
