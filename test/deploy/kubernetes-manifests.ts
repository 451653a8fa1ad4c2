/**
 * The Kubernetes manifests as the production overlay applies them, and what each
 * workload's container is given: the objects, the example Secret, and lookups that throw
 * when a reference names nothing.
 */
import { loadConfig, type Config } from '@polystore/common';
import type { Env } from './files.js';
import {
  buildKustomization,
  podTemplateOf,
  readObjects,
  type Container,
  type KubeObject,
  type PodTemplate,
} from './kustomize.js';

export const BASE = 'deploy/kubernetes/base';
export const OVERLAY = 'deploy/kubernetes/overlays/production';
export const SECRET_EXAMPLE = 'deploy/kubernetes/secret.example.yaml';

export const objects = buildKustomization(OVERLAY);
export const exampleSecret = readObjects(SECRET_EXAMPLE)[0]!;
export const secretValues = (exampleSecret.stringData ?? {}) as Env;

export const ofKind = (kind: string) => objects.filter((object) => object.kind === kind);

export function named(kind: string, name: string): KubeObject {
  const found = objects.find((object) => object.kind === kind && object.metadata.name === name);
  if (!found) throw new Error(`the manifests have no ${kind} "${name}"`);
  return found;
}

function configMapValue(name: string, key: string): string {
  const value = (named('ConfigMap', name).data as Env | undefined)?.[key];
  if (value === undefined) throw new Error(`ConfigMap ${name} has no key ${key}`);
  return value;
}

function secretValue(name: string, key: string): string {
  if (name !== exampleSecret.metadata.name) throw new Error(`Secret ${name} is not the example Secret's name`);
  const value = secretValues[key];
  if (value === undefined) throw new Error(`the example Secret has no key ${key}`);
  return value;
}

/** Where each variable of a container comes from. */
export type Origin = 'value' | 'configMap' | 'secret';

/**
 * A container's environment as the kubelet builds it (`envFrom` first, then `env`, a later
 * one replacing an earlier), the Secret's values from the example; with each variable's origin.
 */
export function environmentOf(container: Container): { env: Env; origins: Record<string, Origin> } {
  const env: Env = {};
  const origins: Record<string, Origin> = {};
  for (const source of container.envFrom ?? []) {
    if (!source.configMapRef) throw new Error(`${container.name}: envFrom other than a ConfigMap`);
    for (const [name, value] of Object.entries((named('ConfigMap', source.configMapRef.name).data ?? {}) as Env)) {
      env[name] = value;
      origins[name] = 'configMap';
    }
  }
  for (const { name, value, valueFrom } of container.env ?? []) {
    if (valueFrom?.secretKeyRef) {
      env[name] = secretValue(valueFrom.secretKeyRef.name, valueFrom.secretKeyRef.key);
      origins[name] = 'secret';
    } else if (valueFrom?.configMapKeyRef) {
      env[name] = configMapValue(valueFrom.configMapKeyRef.name, valueFrom.configMapKeyRef.key);
      origins[name] = 'configMap';
    } else if (value !== undefined) {
      env[name] = value;
      origins[name] = 'value';
    } else {
      throw new Error(`${container.name}: ${name} has neither a value nor a reference`);
    }
  }
  return { env, origins };
}

/** A Deployment or CronJob with its one container. */
export interface Workload {
  name: string;
  object: KubeObject;
  template: PodTemplate;
  container: Container;
}

export const workloads: Workload[] = objects.flatMap((object) => {
  const template = podTemplateOf(object);
  if (!template) return [];
  if (template.spec.containers.length !== 1) throw new Error(`${object.metadata.name}: one container expected`);
  return [{ name: object.metadata.name, object, template, container: template.spec.containers[0]! }];
});

export function workload(name: string): Workload {
  const found = workloads.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`the manifests have no Deployment or CronJob "${name}"`);
  return found;
}

/** A container's named ports. */
export const portsOf = (container: Container): Record<string, number> =>
  Object.fromEntries(
    (container.ports ?? []).map(({ name, containerPort }) => [name ?? String(containerPort), containerPort]),
  );

/** A probe's or Service's port (a number, or a container port's name) as a number. */
export function resolvePort(container: Container, port: string | number): number {
  if (typeof port === 'number') return port;
  const resolved = portsOf(container)[port];
  if (resolved === undefined) throw new Error(`${container.name} has no port named ${port}`);
  return resolved;
}

/** The config a workload's process reads from the environment its container is given. */
export const configOf = (name: string): Config => loadConfig(environmentOf(workload(name).container).env);
