/**
 * The documented fail-closed MachineInventory storage admission, as a ValidatingAdmissionPolicy:
 * the kube-apiserver evaluates it in-process (CEL, including the `authorizer` library for the
 * virtual `machineinventories/storageinitialize` subresource), so it needs no webhook server,
 * certificate or Service to be up, and no request gets through while the provider is down. What
 * CEL cannot do (sha256 of the normalised declaration) stays in the controller, which refuses an
 * approval whose hash does not match before anything reaches the host.
 *
 * The declaration-only rules (stable device ids, protected paths, options) are the elemental CRD's
 * own x-kubernetes-validations; this policy adds what needs the old object or the requester.
 *
 * Installed with the manager: `npm run generate` writes both objects into the Helm chart
 * (templates/cluster-objects.yaml) and the clusterctl components. The provider's own writes (pool,
 * allocation and owner annotations on the main resource, status.storage through /status) and
 * elemental's (registration, status) change neither the declaration nor the approval, so the
 * policy needs no exception for either identity.
 */

export const STORAGE_ADMISSION_POLICY_NAME = 'baremetal-machineinventory-storage';

const COUNTER = 'storage.baremetal.alauda.io/initialization-approval-counter';
const HASH = 'storage.baremetal.alauda.io/initialization-approval-hash';
const ALLOCATION = 'baremetal.alauda.io/allocation-state';
const OWNERS = [
  'baremetal.alauda.io/owner-cluster',
  'baremetal.alauda.io/owner-machine',
  'baremetal.alauda.io/owner-baremetalmachine',
];

// Status is the stored one on an update of the main resource (it changes through /status only).
const STATUS = 'has(object.status) && has(object.status.storage)';

const annotation = (map: string, key: string) => `('${key}' in ${map} ? ${map}['${key}'] : '')`;

/** The ValidatingAdmissionPolicy and its binding (cluster-scoped, Deny). */
export function storageAdmissionObjects() {
  const policy = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicy',
    metadata: { name: STORAGE_ADMISSION_POLICY_NAME },
    spec: {
      failurePolicy: 'Fail',
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: ['elemental.cattle.io'],
            apiVersions: ['*'],
            operations: ['CREATE', 'UPDATE'],
            resources: ['machineinventories'],
          },
        ],
      },
      variables: [
        {
          name: 'annotations',
          expression: 'has(object.metadata.annotations) ? object.metadata.annotations : {}',
        },
        {
          name: 'oldAnnotations',
          expression:
            'oldObject != null && has(oldObject.metadata.annotations) ? oldObject.metadata.annotations : {}',
        },
        {
          name: 'volumes',
          expression:
            'has(object.spec) && has(object.spec.storage) && has(object.spec.storage.volumes) ? object.spec.storage.volumes : []',
        },
        {
          name: 'oldVolumes',
          expression:
            'oldObject != null && has(oldObject.spec) && has(oldObject.spec.storage) && has(oldObject.spec.storage.volumes) ? oldObject.spec.storage.volumes : []',
        },
        {
          name: 'approvalChanged',
          expression: `${annotation('variables.annotations', COUNTER)} != ${annotation('variables.oldAnnotations', COUNTER)} || ${annotation('variables.annotations', HASH)} != ${annotation('variables.oldAnnotations', HASH)}`,
        },
        {
          name: 'approvalSet',
          expression: `${annotation('variables.annotations', COUNTER)} != '' || ${annotation('variables.annotations', HASH)} != ''`,
        },
        { name: 'volumesChanged', expression: 'variables.volumes != variables.oldVolumes' },
        {
          name: 'mayInitialize',
          expression:
            "authorizer.group('elemental.cattle.io').resource('machineinventories').subresource('storageinitialize').namespace(object.metadata.namespace).name(object.metadata.name).check('update').allowed()",
        },
        {
          name: 'allocated',
          expression: `oldObject != null && (!(${annotation('variables.oldAnnotations', ALLOCATION)} in ['', 'Available']) || ${OWNERS.map((key) => `${annotation('variables.oldAnnotations', key)} != ''`).join(' || ')} || (${STATUS} && has(object.status.storage.phase) && object.status.storage.phase == 'Active'))`,
        },
      ],
      validations: [
        {
          expression: '!(variables.approvalChanged && variables.approvalSet) || variables.mayInitialize',
          messageExpression: `'setting or changing the initialization approval (metadata.annotations[${COUNTER}]) needs update on the virtual machineinventories/storageinitialize subresource, which ' + request.userInfo.username + ' lacks'`,
          reason: 'Forbidden',
        },
        {
          expression:
            "!variables.volumesChanged || !variables.volumes.exists(v, v.filesystem.policy == 'InitializeIfBlank') || variables.mayInitialize",
          messageExpression: `'a declaration with InitializeIfBlank (spec.storage.volumes) needs update on the virtual machineinventories/storageinitialize subresource, which ' + request.userInfo.username + ' lacks'`,
          reason: 'Forbidden',
        },
        {
          expression: `!variables.approvalChanged || ${annotation('variables.annotations', COUNTER)} == '' || (${annotation('variables.annotations', COUNTER)}.matches('^[1-9][0-9]{0,17}$') && int(${annotation('variables.annotations', COUNTER)}) > (${STATUS} && has(object.status.storage.lastConsumedInitializationApprovalCounter) ? object.status.storage.lastConsumedInitializationApprovalCounter : 0))`,
          message: `metadata.annotations[${COUNTER}] must be a positive integer greater than status.storage.lastConsumedInitializationApprovalCounter: render a new patch with storagectl render-patch --counter`,
          reason: 'Invalid',
        },
        {
          expression: `${annotation('variables.annotations', COUNTER)} == '' || ${annotation('variables.annotations', HASH)}.matches('^[0-9a-f]{64}$')`,
          message: `metadata.annotations[${HASH}] must be the 64-hex approval hash storagectl render-patch writes`,
          reason: 'Invalid',
        },
        {
          expression: '!variables.volumesChanged || !variables.allocated',
          message:
            'spec.storage.volumes cannot change while the inventory is allocated or a managed volume is active: delete the owning Machine and wait for Deactivate first',
          reason: 'Forbidden',
        },
        {
          expression: `!variables.volumesChanged || !(${STATUS} && has(object.status.storage.appliedVolumes)) || variables.volumes.all(v, object.status.storage.appliedVolumes.all(a, a.name != v.name || (a.deviceID == v.source.deviceID && a.filesystemPolicy == v.filesystem.policy && a.filesystemType == v.filesystem.type)))`,
          message:
            "spec.storage.volumes: a prepared volume's deviceID, filesystem policy and type cannot change in place: release it (remove it) first, then add the replacement",
          reason: 'Invalid',
        },
      ],
    },
  };
  const binding = {
    apiVersion: 'admissionregistration.k8s.io/v1',
    kind: 'ValidatingAdmissionPolicyBinding',
    metadata: { name: STORAGE_ADMISSION_POLICY_NAME },
    spec: { policyName: STORAGE_ADMISSION_POLICY_NAME, validationActions: ['Deny'] },
  };
  return [policy, binding] as const;
}
