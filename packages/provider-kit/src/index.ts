// JSON over HTTPS to a platform endpoint.

export {
  type BootstrapBucket,
  type BootstrapObjectOptions,
  type BootstrapObjectRecord,
  type BootstrapObjectStore,
  type BucketRef,
  bootstrapObjectSteps,
  DEFAULT_URL_VALIDITY_SECONDS,
} from './bootstrap/bootstrap-object.js';
// Bootstrap data and persistent disks.
export {
  type BootstrapTokenValues,
  replaceTokens,
  substituteBootstrapTokens,
} from './bootstrap/bootstrap-tokens.js';
// The first half of a self-built control plane VIP: the first node holds it from its boot.
export {
  type BootstrapVipInput,
  bootstrapVipUnit,
  type CloudInitBootstrapVip,
  cloudInitBootstrapVip,
  runsKubeadmInit,
} from './bootstrap/bootstrap-vip.js';
export {
  type CloudInitInput,
  composeCloudInit,
  type GuestDisk,
  type GuestFile,
} from './bootstrap/cloud-init.js';
// The device names a Linux guest gives a VM's disks.
export { diskBus, guestDiskDevice, guestDiskDeviceAt, type PlacedDisk } from './bootstrap/disk-devices.js';
export {
  ENCRYPTION_CONFIG_KEY,
  ENCRYPTION_CONFIG_PATH,
  type EncryptionSecret,
  ensureEncryptionSecret,
  generatedEncryptionConfig,
  readEncryptionConfig,
} from './bootstrap/encryption-config.js';
export {
  composeIgnition,
  type IgnitionDisk,
  type IgnitionFile,
  type IgnitionGuest,
  type IgnitionNic,
  type IgnitionUnit,
  keyfilePath,
  mountsHome,
  mountUnitName,
  networkManagerKeyfile,
  OS_FAMILY_ANNOTATION,
  prefixLength,
  withIgnitionUnits,
} from './bootstrap/ignition.js';
export { buildIso, type IsoFile, type IsoImage, ignitionIso } from './bootstrap/ignition-iso.js';
// The kubelet's provider ID written into the kubeadm configuration of a node's cloud-config.
export {
  cloudConfigWithProviderId,
  DEFAULT_CRI_SOCKET,
  KUBEADM_CONFIG_PATH,
  kubeadmConfigWithProviderId,
} from './bootstrap/kubeadm-node-registration.js';
export {
  type CertificateAndKey,
  clusterCaFrom,
  KUBELET_CERT_PATH,
  KUBELET_KEY_PATH,
  type KubeletServingFile,
  kubeletServingCertificate,
  kubeletServingFiles,
} from './bootstrap/kubelet-certificate.js';
export { type NetplanNic, netplanEthernets } from './bootstrap/netplan.js';
// The frame of a provider's offline command-line helper.
export {
  type FieldProblem,
  RefusedError,
  readDocumentFile,
  runCommandLine,
  UsageError,
} from './cli/command-line.js';
// The second half of a self-built control plane VIP: the platform's alive ModuleInfo.
export {
  ALIVE_HTTP_PORT,
  ALIVE_HTTPS_PORT,
  ALIVE_MODULE_RBAC_RULES,
  ALIVE_PLATFORM_API_VERSION,
  ALIVE_PLATFORM_RESOURCES,
  ALIVE_READY_RECHECK_MS,
  ALIVE_WAIT_RECHECK_MS,
  type AliveModuleInput,
  type AliveModuleOutcome,
  type AlivePlatformKind,
  type AliveVersionChoice,
  aliveIdentityLabels,
  aliveModuleConfig,
  aliveModuleConfigName,
  aliveModuleConfigProblem,
  aliveModuleInfo,
  aliveModuleInfoName,
  aliveModuleInfoPatch,
  aliveModuleInfoReady,
  controlPlaneNodesProblem,
  isManagedAliveModuleInfo,
  type PlatformObject,
  reconcileAliveModule,
  resolveAliveVersion,
  SELF_BUILT_LB_MANAGED_LABEL,
  SELF_BUILT_VIP_READY,
  type SelfBuiltLoadBalancer,
} from './cluster/alive-module.js';
export {
  type AliveModuleRun,
  type AliveModuleStepOptions,
  aliveModuleStep,
} from './cluster/alive-module-step.js';
// The credential of an infrastructure cluster.
export {
  type AccountSession,
  accountForCluster,
  type CloudLookupFailure,
  type CredentialParse,
  type CredentialSecretSpec,
  readClusterCredential,
  readCredentialSecret,
} from './cluster/cloud-for-cluster.js';
// What deleting an infrastructure cluster waits for and lets go of.
export {
  type ClusterDeletion,
  clusterNameOf,
  credentialFinalizerName,
  credentialSecretSteps,
  holdCredentialSecret,
  type InfraClusterKinds,
  infraClusterSteps,
  releaseCredentialSecret,
  waitForMachinesStep,
} from './cluster/cluster-deletion.js';
// Cluster identities (identityRef to a cluster-scoped identity naming a Secret of the provider's namespace).
export {
  type ClusterIdentityObject,
  claimIdentitySecret,
  clusterIdentitySecret,
  type IdentityCredentials,
  type IdentitySecret,
  releaseIdentitySecret,
} from './cluster/cluster-identity.js';
// Steps and reads every infrastructure cluster reconcile shares.
export {
  type ClusterSteps,
  type ConnectFailure,
  type ConnectStepOptions,
  CREDENTIAL_RETRY_MS,
  CREDENTIALS_READY_CONDITION,
  clusterStepHooks,
  connectStep,
  controlPlaneEndpointStep,
  controlPlaneMachines,
  controlPlaneSelector,
  type EndpointSpec,
  endpointMismatch,
  type HostPort,
  type LogInStepOptions,
  logInStep,
  notConnectedYet,
  type ReportingContext,
  reconciledClusterName,
} from './cluster/cluster-steps.js';
// Whether the control plane VMs are actually on different hosts.
export {
  type PlacedVm,
  type SharedHost,
  sharedHosts,
  spreadNotConvergedMessage,
} from './cluster/control-plane-spread.js';
// Credentials borrowed from infrastructure clusters (CAPV's deployment zones).
export {
  credentialLenders,
  type LendingCluster,
  withBorrowedCredential,
} from './cluster/credential-lenders.js';
// The workload cluster's Kube-OVN from the Cluster's cpaas.io/kube-ovn-version annotation.
export {
  APP_RELEASE_API_VERSION,
  type AppReleaseView,
  KUBE_OVN_APP_RELEASE,
  KUBE_OVN_CHART,
  KUBE_OVN_CHART_RELEASE,
  KUBE_OVN_JOIN_CIDR_ANNOTATION,
  KUBE_OVN_LEGACY_CHART,
  KUBE_OVN_RELEASE_READY,
  KUBE_OVN_VERSION_ANNOTATION,
  type KubeOvnClusterView,
  type KubeOvnTarget,
  type KubeOvnVerdict,
  kubeOvnAppRelease,
  kubeOvnAppReleasePatch,
  kubeOvnChartFor,
  kubeOvnTarget,
  kubeOvnVerdict,
  NETWORK_TYPE_ANNOTATION,
  REGISTRY_ADDRESS_ANNOTATION,
  wantsKubeOvn,
} from './cluster/kube-ovn-release.js';
export {
  KUBE_OVN_UNREACHABLE_RECHECK_MS,
  KUBE_OVN_WAIT_RECHECK_MS,
  type KubeOvnReleaseRun,
  type KubeOvnReleaseStepOptions,
  kubeOvnReleaseStep,
} from './cluster/kube-ovn-release-step.js';
// The members of a platform load balancer in front of the API servers.
export {
  type PlatformMember,
  syncMembers,
  type WantedMember,
  wantedControlPlaneMembers,
} from './cluster/load-balancer-members.js';
export { type RecordedMember, sameMembers, syncRecordedMembers } from './cluster/recorded-members.js';
// The workload cluster's API server, from the kubeconfig Secret Cluster API writes.
export {
  type WorkloadAnswer,
  type WorkloadApi,
  workloadApiFromKubeconfig,
  workloadApiOf,
} from './cluster/workload-api.js';
// Sessions per platform account.
export {
  AccountSessions,
  accountTransportLimits,
  credentialFingerprint,
  PooledAccountSession,
  type TransportAccount,
} from './credentials/account-sessions.js';
export {
  CredentialPool,
  type CredentialPoolOptions,
  type PlatformAccount,
} from './credentials/credential-pool.js';
export { DEFAULT_LOGIN_BACKOFF, LoginBackoff, type LoginBackoffPolicy } from './credentials/login-backoff.js';
export {
  effectivePlatformLimits,
  PLATFORM_LIMIT_KEYS,
  platformLimitsFromSecret,
} from './credentials/platform-limits.js';
export {
  type DeclaredDisk,
  type DiskAction,
  detachPersistentDisksStep,
  holdsPersistentDisk,
  nextAttachAction,
  nextDetachAction,
  type ObservedVolume,
  observeVolumes,
  type PersistentDiskDetaching,
  type PersistentDiskPhase,
  type PersistentDiskRecord,
  type PersistentDiskRecordsInput,
  type PersistentDiskStatusFields,
  persistentDiskRecords,
  persistentDiskStatusOf,
  previousDiskRecords,
} from './disks/persistent-disks.js';
// Platform failures in words and as answers.
export {
  type FailureKindTable,
  failureClassifier,
  HTTP_STATUS_KINDS,
  type PlatformAnswer,
} from './failures/failure-table.js';
export {
  describeFailure,
  describeFailureWithAdvice,
  type FailureAdviceOptions,
  failureKind,
  tolerating,
} from './failures/failure-words.js';
// Addresses from Cluster API's IPAM contract.
export {
  type AddressClaimContext,
  type AddressClaimStepOptions,
  addressClaimSteps,
} from './ipam/address-claim-steps.js';
export {
  type AddressClaimOwner,
  type AddressClaimProgress,
  type AddressClaimRequest,
  type AddressPoolReference,
  addressClaimRequests,
  type ClaimedAddress,
  claimAddresses,
  DEFAULT_IPAM_POOL_GROUP,
  IPAM_API_VERSION,
  ownedAddressClaims,
  recordAddressClaims,
  releaseAddressClaims,
} from './ipam/address-claims.js';
// What a provider's kinds share: group, categories, printer columns, machine templates, Secret data, value formats.
export * from './kinds/index.js';
// Kubernetes API answers.
export { keepAnnotations } from './kube/annotations.js';
export { ensureGeneratedSecret, type GeneratedSecret } from './kube/generated-secret.js';
export { isKubeConflict, isKubeNotFound } from './kube/kube-errors.js';
export { type LabelSelector, labelSelectorMatches, labelSelectorQuery } from './kube/label-selectors.js';
// Objects a controller keeps for another: owned, made once, status written on change, let go of.
export {
  changedFields,
  conditionsKey,
  controllerReference,
  ownedBy,
  readOrCreate,
  releaseOwnedObject,
} from './kube/owned-objects.js';
// Inventory lookups reused per account for a short while.
export { LookupCache } from './lookups/lookup-cache.js';
export { RECHECK_RECORDED_FACTS_MS, RecordedFactChecks } from './lookups/recorded-facts.js';
// The template a machine was cloned from, and the annotation that keeps a machine's platform resources.
export {
  CLONED_FROM_GROUPKIND_ANNOTATION,
  CLONED_FROM_NAME_ANNOTATION,
  clonedFromTemplate,
} from './machine/cloned-from-template.js';
export { machineAddresses } from './machine/machine-addresses.js';
// The skeleton of a machine's reconcile and delete, the platform calls passed in.
export {
  type Blocked,
  blockedOn,
  connectMachineStep,
  type MachineStepRun,
  type MachineSteps,
  machineStepHooks,
  waitWhileUnlisted,
} from './machine/machine-steps.js';
export { type RetainRun, retainStep } from './machine/retain-step.js';
// Platform operations a provider's UI calls through the host.
export {
  declaredOperation,
  mentionsCredential,
  PlatformOperationError,
} from './platform-proxy/declared-operation.js';
export {
  ConnectionVerdictSchema,
  classifyPlatformCallFailure,
  connectionVerdict,
  type PlatformCall,
  type PlatformCallFailureOptions,
  type PlatformConnector,
  platformCaller,
  unusableCredential,
} from './platform-proxy/platform-call.js';
// Pools of claimable entries.
export {
  ClaimablePool,
  type ClaimablePoolKind,
  type Claimant,
  type ClaimResult,
  type PoolConsumer,
  type PoolObject,
  type PoolUsage,
} from './pools/claimable-pool.js';
export {
  claimablePoolHooks,
  infraClusterOfMachine,
  labelledInfraCluster,
  platformOfLabelledCluster,
} from './pools/pool-hooks.js';
export {
  type ClaimRefusal,
  claimantOf,
  claimSlotStep,
  consumerOfMachine,
  heldSlot,
  type MachineSlots,
  releaseSlotStep,
  type SlotRun,
} from './pools/slot-steps.js';
export { definePlatformProvider } from './provider/platform-provider.js';
export { type ProviderPackageJson, providerManifest } from './provider/provider-manifest.js';
export {
  type AliveVersionSetting,
  type ProviderSettings,
  providerSettings,
} from './provider/provider-settings.js';
// Steps: one kind's named steps (what clusterStepHooks and machineStepHooks take), failures shown on conditions.
export type { KindSteps } from './steps/kind-step-hooks.js';
export { reportingFailures } from './steps/reporting-failures.js';
export { reportingStops } from './steps/reporting-stops.js';
// Asynchronous platform tasks.
export {
  type CreatedThing,
  type CreateOnceResult,
  type CreateRecording,
  type CreateRequests,
  createOnce,
  mayBeUnlisted,
} from './tasks/create-once.js';
export {
  followTaskStep,
  startTask,
  type TaskFollowing,
  type TaskReferenceField,
  type TaskState,
  taskReferenceAt,
  waitingMessage,
} from './tasks/follow-task.js';
export { type FoundOrCreated, foundOrCreatedOnce } from './tasks/found-or-created.js';
export { type PlatformTasks, platformTasks } from './tasks/platform-tasks.js';
export { THUMBPRINT_MISMATCH, ThumbprintMismatch, thumbprintOf } from './transport/certificate-pinning.js';
export { ConcurrencyLimit } from './transport/concurrency-limit.js';
export { fixedAddressLookup, gatewayAddressLookup } from './transport/fixed-address-lookup.js';
export { JsonTransport, type JsonTransportOptions } from './transport/json-transport.js';
export {
  type ClosableClient,
  ObjectClients,
  type ObjectIdentity,
} from './transport/object-clients.js';
export { type OriginPin, pinnedUrl } from './transport/origin-pinning.js';
export type {
  AuthHook,
  HttpMethod,
  JsonRequest,
  JsonResponse,
  OutgoingRequest,
  TextResponse,
} from './transport/request.js';
export { isIdempotent, retryAfterMs } from './transport/retry-policy.js';
export type { ErrorAnswer, ErrorAnswerReading } from './transport/transport-failure.js';
