import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Job } from 'kubernetes-models/batch/v1/Job';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { PersistentVolume } from 'kubernetes-models/v1/PersistentVolume';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { KubernetesObject } from './manifests';

/**
 * Offline validation of rendered objects against the Kubernetes OpenAPI schemas shipped by
 * kubernetes-models 4.5.1 (a devDependency, used by `npm run job` and the tests, never by the CDK
 * app): the schemas of Kubernetes v1.33.0 (kubernetes-models-ts first-party/kubernetes-models
 * CHANGELOG 4.5.0, "Update schema version to v1.33.0"). The clusters run KUBERNETES_VERSION
 * (lib/catalog/kubernetes.ts), which is that same version (rule RAIN-E803 keeps it so).
 * The schemas do not refuse unknown fields; the TypeScript interfaces do (lib/orchestrator/manifests.ts).
 */

type Model = new (data: never) => { validate(): void };

const MODELS: Readonly<Record<string, Model>> = {
  'v1/Namespace': Namespace as unknown as Model,
  'v1/PersistentVolume': PersistentVolume as unknown as Model,
  'v1/PersistentVolumeClaim': PersistentVolumeClaim as unknown as Model,
  'v1/ServiceAccount': ServiceAccount as unknown as Model,
  'v1/ConfigMap': ConfigMap as unknown as Model,
  'v1/Service': Service as unknown as Model,
  'apps/v1/DaemonSet': DaemonSet as unknown as Model,
  'batch/v1/Job': Job as unknown as Model,
  'rbac.authorization.k8s.io/v1/ClusterRole': ClusterRole as unknown as Model,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': ClusterRoleBinding as unknown as Model,
};

/** The kinds `validateObjects` knows, as `apiVersion/kind`. */
export const VALIDATED_KINDS: readonly string[] = Object.keys(MODELS);

/** Validates each object with kubernetes-models' `validate()` for its kind; throws naming the object and the schema error. */
export function validateObjects(objects: readonly KubernetesObject[]): void {
  for (const o of objects) {
    const key = `${o.apiVersion}/${o.kind}`;
    const model = MODELS[key];
    if (model === undefined) {
      throw new Error(`no schema for ${key} (validated kinds: ${VALIDATED_KINDS.join(', ')})`);
    }
    try {
      new model(o as never).validate();
    } catch (e) {
      throw new Error(`${key} ${o.metadata?.name ?? '(unnamed)'} does not validate against the Kubernetes schemas: ${(e as Error).message}`);
    }
  }
}
