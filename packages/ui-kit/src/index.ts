/**
 * Framework-free pieces for provider UI extensions of Fleet Essentials:
 * fields that show their problem next to them (linked by aria-describedby,
 * marked aria-invalid), resource lists, buttons, loading, empty and error
 * states, all styled from the host's design tokens, a typed client of the
 * extension's platform operations, and the credential list and form every
 * provider shows the same way, and the create-cluster workflow's shared
 * steps, rules, Cluster API manifests and warnings, and the node pool
 * upgrade's checks, writes, view and panel. Bundled into a provider's extension; core
 * is used for types only.
 */
export { toV1Beta2 } from './capi-v1beta2.js';
export {
  CLUSTER_STEP,
  type ClusterDraftBase,
  CONTROL_PLANE_REPLICAS,
  type ControlPlaneDraft,
  clusterObjectNames,
  draftValue,
  initialClusterDraft,
  initialControlPlane,
  initialNetworking,
  newWorkerPool,
  type ObjectNameSuffixes,
  readClusterDraft,
  readControlPlane,
  readNetworking,
  readWorkerPools,
} from './cluster-draft.js';
export {
  type ClusterWorkflowRules,
  capiObjectLookups,
  clusterWorkflowLogic,
  loadManagementFacts,
  type ManagementFacts,
  type ObjectLookup,
} from './cluster-facts.js';
export {
  BOOTSTRAP_API_VERSION,
  CAPI_API_VERSION,
  type ClusterScope,
  CONTROL_PLANE_API_VERSION,
  clusterManifest,
  clusterManifestSet,
  INFRASTRUCTURE_API_VERSION,
  kubeadmConfigTemplate,
  kubeadmControlPlane,
  machineDeployment,
  machineTemplateCopy,
  platformAnnotations,
  type TemplateSource,
} from './cluster-manifests.js';
export {
  checkClusterIdentity,
  checkNetworking,
  checkNodePools,
  checkSlotCapacity,
  checkSshKeys,
  checkWorkerPools,
  checkWorkerRollout,
  clusterNameProblem,
  compareVersions,
  type IdentityFacts,
  keysOf,
  minorOf,
  type NetworkingDraft,
  type NodePoolRules,
  newestVersion,
  type ProblemReport,
  parseApiServerAddress,
  problemCollector,
  type SlotDemand,
  type SlotPoolCapacity,
  type WorkerPoolDraft,
} from './cluster-rules.js';
export {
  type DraftNodePool,
  draftNodePools,
  nodePoolWarnings,
  type WarnedNodePool,
} from './cluster-warnings.js';
export {
  type CredentialAnnotations,
  type CredentialField,
  type CredentialFormSpec,
  type CredentialListSpec,
  type CredentialSecret,
  caBundleProblems,
  credentialNameProblems,
  isAlreadyExists,
  listCredentialSecrets,
  mountCredentialForm,
  mountCredentialList,
  runConnectionTest,
  secretsPath,
  writeFailureProblem,
} from './credentials.js';
export { DESIGN_TOKENS, type DesignToken, token } from './design-tokens.js';
export {
  actionName,
  button,
  type Child,
  card,
  describeError,
  type ElementProps,
  emptyState,
  extensionRoot,
  h,
  hint,
  loadingState,
  problemLine,
  showOutcome,
  table,
} from './elements.js';
export {
  type Choice,
  checkboxField,
  type FieldOptions,
  fieldGroup,
  formSummary,
  numberField,
  problemSlotId,
  problemSlotPath,
  selectField,
  showProblems,
  textAreaField,
  textField,
} from './fields.js';
export {
  type Cidr,
  type CidrParse,
  cidrsOverlap,
  formatCidr,
  formatIpv4,
  maskPrefix,
  networkOf,
  parseCidr,
  parseIpv4,
  sameSubnet,
} from './ipv4.js';
export {
  AUDIT_POLICY,
  hasKubeletFrom135Setting,
  KUBELET_FROM_135_SETTING,
  KUBELET_PATCH_PATH,
  kubeletPatch,
  podSecurityAdmissionConfig,
} from './kubeadm-files.js';
export { platformClient } from './platform-client.js';
export {
  type DeleteBlocker,
  type ListRowActions,
  mountResourceList,
  type ResourceListSpec,
} from './resource-list.js';
export { KIT_CLASSES, KIT_STYLESHEET, PATTERNFLY_CLASSES } from './styles.js';
export {
  mountPoolUpgrade,
  type PoolUpgradePanel,
  type PoolUpgradeSpec,
  type PoolUpgradeView,
} from './upgrade-panel.js';
export {
  type ControlPlaneChange,
  checkControlPlane,
  checkWorker,
  controlPlaneChange,
  imageOf,
  isRunning,
  isUpgradeStep,
  KUBE_OVN_ANNOTATION,
  kubeOvnPatch,
  machineTemplateRevision,
  nextRelease,
  type PlatformUpgradeSpec,
  type PoolStatus,
  poolStatusOf,
  progressText,
  revisionCopy,
  sameRevision,
  type TargetRules,
  UPGRADE_MESSAGES,
  type UpgradeCheck,
  type UpgradeObject,
  type UpgradeTarget,
  upgradedName,
  valueAt,
  type WorkerChange,
  workerChange,
} from './upgrade-plan.js';
export {
  applyUpgrade,
  kubeadmConfigTemplatesPath,
  loadPoolObjects,
  MISSING_TEMPLATE,
  type NodePoolRef,
  type PlannedUpgrade,
  type PoolObjects,
  poolPath,
  readObjectIfAny,
  templateNameOf,
  withTemplateCheck,
} from './upgrade-steps.js';
export {
  chosenImageProblem,
  imageTagsOf,
  listWithCredential,
  loadPlatformPoolObjects,
  type PlatformChoices,
  type PlatformPoolObjects,
  type PlatformPoolRead,
  planPoolUpgrade,
  poolUpgradeView,
  startingImage,
  type UpgradeViewSpec,
} from './upgrade-view.js';
export {
  controlPlaneStep,
  mountWizardStep,
  networkingStep,
  type SharedStepDraft,
  sharedClusterSteps,
  type WizardStepsSpec,
  workerPoolsStep,
} from './wizard-steps.js';
