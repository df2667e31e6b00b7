/**
 * The files kubeadm reads on every node of the documented clusters, whatever the platform: the
 * kubelet configuration patch, the PodSecurity admission configuration and the audit policy. The
 * vSphere workflow writes them inline; DCS ships them per Kubernetes minor in its
 * `dcs-kubernetes-<minor>-files` Secret. One copy, so the two cannot drift.
 */
import { compareVersions } from './cluster-rules.js';

/** Where kubeadm reads the kubelet patch from (its patches directory). */
export const KUBELET_PATCH_PATH = '/etc/kubernetes/patches/kubeletconfiguration0+strategic.json';
/** The kubelet setting that exists from Kubernetes 1.35 only. */
export const KUBELET_FROM_135_SETTING = 'imagePullCredentialsVerificationPolicy';
/** Whether a Kubernetes version's kubelet knows KUBELET_FROM_135_SETTING. */
export const hasKubeletFrom135Setting = (kubernetesVersion: string) =>
  compareVersions(kubernetesVersion, 'v1.35.0') >= 0;

/** The kubelet patch; imagePullCredentialsVerificationPolicy exists from Kubernetes 1.35 only. */
export function kubeletPatch(kubernetesVersion: string, worker: boolean): string {
  return `${JSON.stringify(
    {
      apiVersion: 'kubelet.config.k8s.io/v1beta1',
      kind: 'KubeletConfiguration',
      ...(hasKubeletFrom135Setting(kubernetesVersion) ? { [KUBELET_FROM_135_SETTING]: 'NeverVerify' } : {}),
      protectKernelDefaults: true,
      ...(worker ? { staticPodPath: null } : {}),
      streamingConnectionIdleTimeout: '5m',
      tlsCertFile: '/etc/kubernetes/pki/kubelet.crt',
      tlsPrivateKeyFile: '/etc/kubernetes/pki/kubelet.key',
    },
    null,
    2,
  )}\n`;
}

/** The PodSecurity admission configuration: enforce privileged, audit and warn baseline; `kube-system` and `exemptNamespaces` exempt. */
export function podSecurityAdmissionConfig(exemptNamespaces: readonly string[]): Record<string, unknown> {
  return {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AdmissionConfiguration',
    plugins: [
      {
        name: 'PodSecurity',
        configuration: {
          apiVersion: 'pod-security.admission.config.k8s.io/v1',
          kind: 'PodSecurityConfiguration',
          defaults: {
            enforce: 'privileged',
            'enforce-version': 'latest',
            audit: 'baseline',
            'audit-version': 'latest',
            warn: 'baseline',
            'warn-version': 'latest',
          },
          exemptions: { usernames: [], runtimeClasses: [], namespaces: ['kube-system', ...exemptNamespaces] },
        },
      },
    ],
  };
}

const AUDIT_NONE_GROUPS = [
  ['app.alauda.io', ['imagewhitelists']],
  ['k8s.io', ['namespaceoverviews']],
] as const;
const AUDIT_FULL_GROUPS = [
  '',
  'aiops.alauda.io',
  'apps',
  'app.k8s.io',
  'authentication.istio.io',
  'auth.alauda.io',
  'autoscaling',
  'asm.alauda.io',
  'clusterregistry.k8s.io',
  'crd.alauda.io',
  'infrastructure.alauda.io',
  'monitoring.coreos.com',
  'operators.coreos.com',
  'networking.istio.io',
  'extensions.istio.io',
  'install.istio.io',
  'security.istio.io',
  'telemetry.istio.io',
  'opentelemetry.io',
  'networking.k8s.io',
  'portal.alauda.io',
  'rbac.authorization.k8s.io',
  'storage.k8s.io',
  'tke.cloud.tencent.com',
  'devopsx.alauda.io',
  'core.katanomi.dev',
  'deliveries.katanomi.dev',
  'integrations.katanomi.dev',
  'artifacts.katanomi.dev',
  'builds.katanomi.dev',
  'versioning.katanomi.dev',
  'sources.katanomi.dev',
  'tekton.dev',
  'operator.tekton.dev',
  'eventing.knative.dev',
  'flows.knative.dev',
  'messaging.knative.dev',
  'operator.knative.dev',
  'sources.knative.dev',
  'operator.devops.alauda.io',
  'flagger.app',
  'jaegertracing.io',
];

/** The documented audit policy, as JSON (which is YAML): the API server reads either. */
export const AUDIT_POLICY: Record<string, unknown> = {
  apiVersion: 'audit.k8s.io/v1',
  kind: 'Policy',
  omitStages: ['RequestReceived'],
  rules: [
    {
      level: 'None',
      users: [
        'system:kube-controller-manager',
        'system:kube-scheduler',
        'system:serviceaccount:kube-system:endpoint-controller',
      ],
      verbs: ['get', 'update'],
      namespaces: ['kube-system'],
      resources: [{ group: '', resources: ['endpoints'] }],
    },
    { level: 'None', nonResourceURLs: ['/healthz*', '/version', '/swagger*'] },
    { level: 'None', resources: [{ group: '', resources: ['events'] }] },
    { level: 'None', resources: [{ group: 'devops.alauda.io' }] },
    { level: 'None', verbs: ['get', 'list', 'watch'] },
    { level: 'None', resources: [{ group: 'coordination.k8s.io', resources: ['leases'] }] },
    {
      level: 'None',
      resources: [
        { group: 'authorization.k8s.io', resources: ['subjectaccessreviews', 'selfsubjectaccessreviews'] },
        { group: 'authentication.k8s.io', resources: ['tokenreviews'] },
      ],
    },
    {
      level: 'None',
      resources: AUDIT_NONE_GROUPS.map(([group, resources]) => ({ group, resources: [...resources] })),
    },
    { level: 'Metadata', resources: [{ group: '', resources: ['secrets', 'configmaps'] }] },
    {
      level: 'Metadata',
      resources: [
        { group: 'operator.connectors.alauda.io', resources: ['installmanifests'] },
        { group: 'operators.katanomi.dev', resources: ['katanomis'] },
      ],
    },
    {
      level: 'RequestResponse',
      resources: [
        ...AUDIT_FULL_GROUPS.map((group) => ({ group })),
        { group: 'velero.io', resources: ['deletebackuprequests'] },
        { group: 'connectors.alauda.io' },
        {
          group: 'operator.connectors.alauda.io',
          resources: ['connectorscores', 'connectorsgits', 'connectorsocis'],
        },
      ],
    },
    { level: 'Metadata' },
  ],
};

/** Where the platform's images keep the kubelet's FlexVolume plugins. */
export const VOLUME_PLUGIN_DIR = '/opt/libexec/kubernetes/kubelet-plugins/volume/exec/';

/** The API server's audit log retention the documentation gives (days, files, MB). */
export const AUDIT_LOG_RETENTION = {
  'audit-log-maxage': '30',
  'audit-log-maxbackup': '10',
  'audit-log-maxsize': '200',
} as const;

/** Flags in one order whatever the platform adds (kubeadm's own, by name). */
const byName = (args: Record<string, string>) =>
  Object.fromEntries(Object.entries(args).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/**
 * The documented hardening of a control plane's components in its
 * ClusterConfiguration: the API server's audit log, PodSecurity admission,
 * encryption at rest and kubelet CA (with the host's /etc/kubernetes mounted,
 * where those files are), and the controller manager's and scheduler's bind
 * address, profiling and TLS floor. `more` adds a platform's own flags.
 */
export function hardenedControlPlaneComponents(
  more: { apiServer?: Record<string, string>; controllerManager?: Record<string, string> } = {},
) {
  return {
    apiServer: {
      extraArgs: byName({
        'admission-control-config-file': '/etc/kubernetes/admission/psa-config.yaml',
        'audit-log-format': 'json',
        'audit-log-mode': 'batch',
        'audit-log-path': '/etc/kubernetes/audit/audit.log',
        'audit-policy-file': '/etc/kubernetes/audit/policy.yaml',
        'encryption-provider-config': '/etc/kubernetes/encryption-provider.conf',
        'kubelet-certificate-authority': '/etc/kubernetes/pki/ca.crt',
        profiling: 'false',
        'tls-min-version': 'VersionTLS12',
        ...more.apiServer,
      }),
      // The flags above read files under /etc/kubernetes: without the volume the API server cannot.
      extraVolumes: [
        {
          name: 'vol-dir-0',
          hostPath: '/etc/kubernetes',
          mountPath: '/etc/kubernetes',
          pathType: 'Directory',
        },
      ],
    },
    controllerManager: {
      extraArgs: byName({
        'bind-address': '::',
        'flex-volume-plugin-dir': VOLUME_PLUGIN_DIR,
        profiling: 'false',
        'tls-min-version': 'VersionTLS12',
        ...more.controllerManager,
      }),
    },
    scheduler: { extraArgs: { 'bind-address': '::', profiling: 'false', 'tls-min-version': 'VersionTLS12' } },
  };
}

/** The API server's TLS cipher suites the DCS and vSphere documentation give. */
export const TLS_CIPHER_SUITES =
  'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305,TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384';

type Json = Record<string, unknown>;

/**
 * kubeadm `files` whose kubelet patch fits `kubernetesVersion` (the 1.35-only
 * setting added or removed, everything else of the patch kept), or undefined
 * when it fits already or there is none this workflow wrote: what an upgrade
 * across 1.35 changes.
 */
export function switchKubeletPatch(files: unknown, kubernetesVersion: string): Json[] | undefined {
  if (!Array.isArray(files)) return undefined;
  let changed = false;
  const out = files.map((entry: Json) => {
    if (entry.path !== KUBELET_PATCH_PATH || typeof entry.content !== 'string') return entry;
    let patch: Json;
    try {
      patch = JSON.parse(entry.content) as Json;
    } catch {
      return entry;
    }
    const { [KUBELET_FROM_135_SETTING]: _, ...rest } = patch;
    const { apiVersion, kind, ...others } = rest;
    const wanted = {
      apiVersion,
      kind,
      ...(hasKubeletFrom135Setting(kubernetesVersion)
        ? { [KUBELET_FROM_135_SETTING]: patch[KUBELET_FROM_135_SETTING] ?? 'NeverVerify' }
        : {}),
      ...others,
    };
    const content = `${JSON.stringify(wanted, null, 2)}\n`;
    if (content === entry.content) return entry;
    changed = true;
    return { ...entry, content };
  });
  return changed ? out : undefined;
}
