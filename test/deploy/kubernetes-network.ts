/**
 * Who may open a connection to which pod and port under the manifests' NetworkPolicies,
 * evaluated as the NetworkPolicy API defines it (networking.k8s.io/v1, ingress only): a pod
 * that no policy selects accepts everything; a selected pod accepts what one of the
 * policies selecting it allows, by peer (pods of the policy's namespace, pods of
 * namespaces, addresses) and by port (number or the container port's name).
 */
import type { KubeObject } from './kustomize.js';

export type Labels = Record<string, string>;
export interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** Whether `labels` match `selector`, as the API matches them (`{}` matches everything). */
export function matches(selector: LabelSelector, labels: Labels): boolean {
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([key, value]) => labels[key] === value);
  const byExpression = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    if (operator === 'In') return key in labels && values.includes(labels[key]!);
    if (operator === 'NotIn') return !(key in labels && values.includes(labels[key]!));
    if (operator === 'Exists') return key in labels;
    if (operator === 'DoesNotExist') return !(key in labels);
    throw new Error(`unknown selector operator ${operator as string}`);
  });
  return byLabel && byExpression;
}

/** A source of connections: a pod (its labels, its namespace's labels) or an address outside the cluster. */
export interface Peer {
  name: string;
  pod?: { labels: Labels; namespace: string; namespaceLabels: Labels };
}
/** A pod that receives: its labels, namespace and named container ports. */
export interface Target {
  labels: Labels;
  namespace: string;
  ports: Record<string, number>;
}

interface PolicyPeer {
  podSelector?: LabelSelector;
  namespaceSelector?: LabelSelector;
  ipBlock?: { cidr: string; except?: string[] };
}
interface IngressRule {
  from?: PolicyPeer[];
  ports?: { port?: string | number; protocol?: string }[];
}
interface PolicySpec {
  podSelector: LabelSelector;
  policyTypes?: string[];
  ingress?: IngressRule[];
}

const specOf = (policy: KubeObject) => policy.spec as PolicySpec;

/** The policies that select `target` for ingress. */
export function policiesSelecting(policies: readonly KubeObject[], target: Target): KubeObject[] {
  return policies.filter((policy) => {
    const spec = specOf(policy);
    const types = spec.policyTypes ?? ['Ingress'];
    return (
      policy.metadata.namespace === target.namespace &&
      types.includes('Ingress') &&
      matches(spec.podSelector, target.labels)
    );
  });
}

function peerAllows(peer: PolicyPeer, from: Peer, policyNamespace: string): boolean {
  if (peer.ipBlock) {
    if (peer.podSelector || peer.namespaceSelector) throw new Error('ipBlock with a selector is invalid');
    // Addresses of clients outside the cluster; pod addresses are in the cluster's own range.
    return !from.pod && peer.ipBlock.cidr === '0.0.0.0/0' && !peer.ipBlock.except?.length;
  }
  if (!from.pod) return false;
  const namespaceMatches = peer.namespaceSelector
    ? matches(peer.namespaceSelector, from.pod.namespaceLabels)
    : from.pod.namespace === policyNamespace;
  return namespaceMatches && matches(peer.podSelector ?? {}, from.pod.labels);
}

function portAllowed(rule: IngressRule, target: Target, port: string): boolean {
  if (!rule.ports?.length) return true;
  return rule.ports.some(({ port: allowed, protocol = 'TCP' }) => {
    if (protocol !== 'TCP') return false;
    if (allowed === undefined) return true;
    return typeof allowed === 'number' ? allowed === target.ports[port] : allowed === port;
  });
}

/** Whether `from` may connect to `target`'s container port named `port`. */
export function allows(policies: readonly KubeObject[], from: Peer, target: Target, port: string): boolean {
  if (target.ports[port] === undefined) throw new Error(`the target has no port named ${port}`);
  const selecting = policiesSelecting(policies, target);
  if (selecting.length === 0) return true;
  return selecting.some((policy) =>
    (specOf(policy).ingress ?? []).some(
      (rule) =>
        portAllowed(rule, target, port) &&
        (rule.from === undefined ||
          rule.from.length === 0 ||
          rule.from.some((peer) => peerAllows(peer, from, policy.metadata.namespace!))),
    ),
  );
}

/** Every selector a policy holds (its own and its peers'), to check that each selects something. */
export function selectorsOf(policy: KubeObject): { where: string; selector: LabelSelector }[] {
  const spec = specOf(policy);
  const peers = (spec.ingress ?? []).flatMap((rule) => rule.from ?? []);
  return [
    { where: 'spec.podSelector', selector: spec.podSelector },
    ...peers.flatMap((peer, i) =>
      peer.podSelector && Object.keys(peer.podSelector).length > 0
        ? [{ where: `ingress peer ${i} podSelector`, selector: peer.podSelector }]
        : [],
    ),
  ];
}
