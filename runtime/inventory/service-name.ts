/**
 * NeuVector's service name for a pod: the name of the workload that owns it, so all replicas of a
 * Deployment land in one `nv.<service>.<namespace>` group. Pods only name their direct owner
 * (a ReplicaSet or a Job), so the top-level owner is recovered from owner objects when the input
 * has them, and otherwise from Kubernetes' naming conventions.
 */

export interface OwnerRef {
  kind: string;
  name: string;
}

/** Owner links read from ReplicaSet/Job objects: `namespace/Kind/name` → that object's owner. */
export type OwnerIndex = ReadonlyMap<string, OwnerRef>;

export function ownerKey(namespace: string, kind: string, name: string): string {
  return `${namespace}/${kind}/${name}`;
}

/** A CronJob names its Jobs `<cronjob>-<scheduled time in minutes since the epoch>`. */
const CRONJOB_SUFFIX = /^(.+)-\d{8,}$/;

/**
 * Derive the service name.
 * - no owner (a bare pod): the pod's own name;
 * - ReplicaSet: its Deployment (from the index), else the ReplicaSet name without the
 *   `-<pod-template-hash>` suffix when the pod carries that label, else the ReplicaSet name;
 * - Job: its CronJob (from the index), else the Job name without a `-<8+ digits>` schedule suffix;
 * - StatefulSet, DaemonSet, Deployment, CronJob and any other kind: the owner's name.
 */
export function deriveService(
  podName: string,
  namespace: string,
  labels: Readonly<Record<string, string>>,
  owner: OwnerRef | undefined,
  index: OwnerIndex = new Map(),
): string {
  if (!owner) return podName;
  // Walk up known owner links (ReplicaSet → Deployment, Job → CronJob); bounded against cycles.
  let top = owner;
  for (let i = 0; i < 8; i++) {
    const up = index.get(ownerKey(namespace, top.kind, top.name));
    if (!up) break;
    top = up;
  }
  if (top !== owner) return top.name;
  if (owner.kind === "ReplicaSet") {
    const hash = labels["pod-template-hash"];
    if (hash && owner.name.endsWith(`-${hash}`) && owner.name.length > hash.length + 1) {
      return owner.name.slice(0, -(hash.length + 1));
    }
    return owner.name;
  }
  if (owner.kind === "Job") {
    const m = CRONJOB_SUFFIX.exec(owner.name);
    if (m?.[1]) return m[1];
  }
  return owner.name;
}
