// Cluster API contract: constants, types, conditions.
export {
  CLUSTER_NAME_LABEL,
  type ClusterV1Beta1,
  ClusterV1Beta1Schema,
  type ClusterV1Beta2,
  ClusterV1Beta2Schema,
  isPaused,
  PAUSED_ANNOTATION,
} from './capi/cluster.js';
export {
  type Condition,
  type ConditionInput,
  ConditionSchema,
  falseCondition,
  getCondition,
  isConditionTrue,
  setCondition,
  trueCondition,
} from './capi/conditions.js';
export {
  CAPI_CONTRACT_VERSIONS,
  CAPI_GROUP,
  type CapiContractVersion,
  type ContractVersionMap,
  contractLabels,
  INFRASTRUCTURE_GROUP,
} from './capi/contract.js';
export {
  extraKindStatusFields,
  FailureDomainsSchema,
  infraClusterSpecFields,
  infraClusterStatusFields,
  infraMachineSpecFields,
  infraMachineStatusFields,
} from './capi/infra-status.js';
export { type IPAddress, type IPAddressClaim, IPAddressClaimSchema, IPAddressSchema } from './capi/ipam.js';
export {
  type BootstrapData,
  type BootstrapFormat,
  BootstrapFormatSchema,
  type KubeadmConfig,
  KubeadmConfigSchema,
  KubeadmConfigSpecSchema,
  type KubeadmConfigTemplate,
  KubeadmConfigTemplateSchema,
  type KubeadmControlPlaneV1Beta1,
  KubeadmControlPlaneV1Beta1Schema,
  type KubeadmControlPlaneV1Beta2,
  KubeadmControlPlaneV1Beta2Schema,
} from './capi/kubeadm.js';
export {
  type MachineDeploymentV1Beta1,
  MachineDeploymentV1Beta1Schema,
  type MachineDeploymentV1Beta2,
  MachineDeploymentV1Beta2Schema,
  type MachineSetV1Beta1,
  MachineSetV1Beta1Schema,
  type MachineSetV1Beta2,
  MachineSetV1Beta2Schema,
  type MachineV1Beta1,
  MachineV1Beta1Schema,
  type MachineV1Beta2,
  MachineV1Beta2Schema,
} from './capi/machine.js';
export {
  ApiEndpointSchema,
  ContractReferenceSchema,
  KubernetesObjectReferenceSchema,
  LocalObjectReferenceSchema,
  type MachineAddress,
  MachineAddressSchema,
  ObjectMetaSchema,
  ObjectReferenceV1Beta1Schema,
} from './capi/meta.js';
// Compatibility model.
export {
  checkContract,
  checkCore,
  checkProviderOnPlatform,
  checkProviderRules,
  type PlatformRelease,
  type ProviderCompatibility,
  type ProviderRule,
  smallestCompatibleUpgrade,
  type Verdict,
} from './compat/compatibility.js';
export {
  alaudaOsImage,
  DISTRIBUTION_VERSION_LABEL,
  KUBERNETES_MINOR_LABEL,
  KUBERNETES_RELEASE_LABEL,
  type KubernetesRelease,
  type KubernetesReleaseConfigMap,
  KubernetesReleaseSchema,
  kubernetesReleaseConfigMap,
  kubernetesReleasesFor,
  releaseTagsOf,
} from './compat/kubernetes-releases.js';
export {
  type CompatMatrix,
  CompatMatrixSchema,
  type ConformanceSummary,
  ConformanceSummarySchema,
  findPlatformRelease,
  type MatrixProblem,
  type OsImageFormat,
  OsImageFormatSchema,
  type PlatformComponents,
  PlatformComponentsSchema,
  type PlatformReleaseRecord,
  PlatformReleaseSchema,
  type ProviderVersionRecord,
  ProviderVersionRecordSchema,
  type ProviderVersionRule,
  ProviderVersionRuleSchema,
  parseCompatMatrix,
  toPlatformRelease,
  toProviderCompatibility,
  type Verification,
  VerificationSchema,
} from './compat/matrix.js';
export { compatReportLines, providerVerdictLines } from './compat/report-text.js';
export {
  type CompatCheckReport,
  CompatCheckReportSchema,
  checkPlatformUpgrade,
  findProviderRecord,
  type InstalledProvider,
  type ProviderVerdict,
  ProviderVerdictSchema,
  smallestUpgradeReason,
  smallestVerifiedUpgrade,
} from './compat/upgrade-check.js';
// Schema to CRD.
export {
  type ClusterctlArtifactsInput,
  clusterctlArtifacts,
  DOCUMENTED_PROVIDER_NAMESPACE,
  MANAGER_RUNTIME,
  managerRbacRules,
  type PolicyRule,
  providerManagerName,
} from './crd/clusterctl-artifacts.js';
export {
  type ContractRole,
  defineKind,
  type KindDefinition,
  type KindObject,
  type KindVersion,
  type ObjectMeta,
  type OwnerReference,
  type PrinterColumn,
  storageApiVersion,
} from './crd/define-kind.js';
export { CrdGenerationError, type CustomResourceDefinition, generateCrd } from './crd/generate-crd.js';
export {
  type CelRule,
  type SchemaProblem,
  type StructuralSchema,
  toStructuralSchema,
} from './crd/structural-schema.js';
// Building blocks for platform clients.
export { RateLimiter } from './platform/rate-limiter.js';
// Provider definition.
export type {
  Clock,
  EventRecorder,
  HostContext,
  KubeClient,
  Logger,
  ObjectReference,
  PlatformCallRecorder,
  PlatformLimits,
  SecretReader,
} from './provider/context.js';
export {
  type ClusterProvisioned,
  type ClusterReconcileResult,
  clusterProvisioned,
  defineProvider,
  type ExtraKindHooks,
  type InfraClusterContext,
  type InfraClusterHooks,
  type InfraMachineContext,
  type InfraMachineHooks,
  isProvider,
  type MachineProvisioned,
  type MachineReconcileResult,
  machineProvisioned,
  type ObjectContext,
  PROVIDER_MARKER,
  type Provider,
  type ProviderDefinition,
  type ProviderManifest,
  providerKinds,
  type ReconcileDraft,
  type StepOutcome,
} from './provider/define-provider.js';
export {
  describePlatformFailure,
  isPlatformFailure,
  isPlatformFailureKind,
  PLATFORM_FAILURE_KINDS,
  PlatformFailure,
  type PlatformFailureDescription,
  type PlatformFailureKind,
  platformCallError,
} from './provider/platform-failure.js';
export {
  describeWaitingOn,
  done,
  failed,
  finishEarly,
  platformFailed,
  requeue,
  runStep,
  runSteps,
  type Step,
  type StepResult,
  type WaitingOn,
} from './provider/reconcile-result.js';
export {
  isSecretName,
  rememberedSecretValues,
  rememberSecretValue,
} from './provider/secret-values.js';
export { isStepPlan, type StepPlan, stepPlan } from './provider/step-plan.js';
// UI extension anchors (Fleet Essentials).
export {
  ANCHOR_API_VERSION,
  ANCHOR_IDS,
  type AnchorDataExports,
  type AnchorExport,
  type AnchorId,
  type AnchorProps,
  type CapacityPool,
  type ClusterActionProps,
  type ClusterDetailTabProps,
  type ClusterDraft,
  type ConnectionTestResult,
  type CreateClusterStep,
  type CreateClusterStepProps,
  type CreateClusterWorkflow,
  type CredentialFormProps,
  type FieldProblem,
  type HostApi,
  type HTMLElementLike,
  type KubernetesManifest,
  type MountableExtension,
  type NavigationItemProps,
  type NodeColumnsExtension,
  type NodePoolActionProps,
  type NodePoolCapacity,
  type NodePoolCapacityExtension,
  type NodePoolCapacityRequest,
  type NodeRow,
  type PlatformCallError,
  type ResourceFormProps,
  type ResourceListProps,
  type WorkflowContext,
} from './ui-extensions/anchors.js';
export {
  defineExtensions,
  type ExtensionEntry,
  type ExtensionsDefinition,
  extensionManifest,
  type StrictAnchorExport,
} from './ui-extensions/define-extensions.js';
export {
  type ExtensionGate,
  type ExtensionManifest,
  ExtensionManifestDocumentSchema,
  ExtensionManifestSchema,
  gateExtension,
  type ParsedExtensionManifest,
  parseExtensionManifest,
} from './ui-extensions/extension-manifest.js';
export {
  type DeclaredPlatformOperation,
  isStandardSchema,
  PLATFORM_OPERATIONS,
  type PlatformClient,
  type PlatformOperation,
  type PlatformOperationParams,
  type PlatformOperationRequest,
  type PlatformOperationResult,
  type PlatformProxyModule,
  type SchemaIssue,
  type StandardSchema,
  type StandardSchemaResult,
  validateWithSchema,
} from './ui-extensions/platform-proxy.js';
export { rolloutSurge } from './ui-extensions/rollout-surge.js';
