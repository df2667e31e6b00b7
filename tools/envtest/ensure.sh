#!/usr/bin/env bash
# Makes the real Kubernetes test environment available and prints where it is,
# as one JSON line on stdout (progress goes to stderr):
#   {"binDir":..., "kubernetesVersion":..., "etcdVersion":..., "clusterApiVersion":..., "crdDir":...,
#    "webhookDir":..., "clusterApiControllers":{"core":...,"kubeadmBootstrap":...,"kubeadmControlPlane":...},
#    "kubeletPortForward":..., "kubeControllerManager":...}
#
# - kube-apiserver and kubectl are built from k8s.io/kubernetes (kube/go.mod),
#   etcd from go.etcd.io/etcd/server/v3 (etcd/go.mod), both with -trimpath and
#   version ldflags so /version answers the real release.
# - Binaries are cached outside the repository, keyed by the pinned versions and
#   the go.sum of each wrapper module, and reused by every later run.
# - KUBEBUILDER_ASSETS, when set, is used as the binary directory and nothing is built.
# - Cluster API's CRDs (core, IPAM, kubeadm bootstrap, kubeadm control plane)
#   are copied out of the pinned sigs.k8s.io/cluster-api module (capi/go.mod).
# - Cluster API's own controller managers (core, kubeadm bootstrap, kubeadm
#   control plane) are built from the same module (the `tool` directives of
#   capi/go.mod pin their whole dependency set in capi/go.sum), cached the same way.
#   IINFRA_SKIP_CAPI_CONTROLLERS=1 skips them (their paths are then empty).
# - kube-controller-manager (from the same k8s.io/kubernetes as kube-apiserver),
#   for a management plane whose garbage collector and namespace controller run
#   as in a real cluster; built and skipped with the Cluster API controllers.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${IINFRA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/immutable-infra}/envtest
mkdir -p "$cache"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"

say() { echo "envtest: $*" >&2; }
required_version() { awk -v m="$1" '$1 == m { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$2"; }

kube_version=$(required_version k8s.io/kubernetes "$here/kube/go.mod")
etcd_version=$(required_version go.etcd.io/etcd/server/v3 "$here/etcd/go.mod")
capi_version=$(required_version sigs.k8s.io/cluster-api "$here/capi/go.mod")
[ -n "$kube_version" ] && [ -n "$etcd_version" ] && [ -n "$capi_version" ] || {
  say "could not read pinned versions from kube/, etcd/ and capi/ go.mod"; exit 1; }

# One builder at a time: parallel test runs wait for the first build instead of repeating it.
exec 9>"$cache/.lock"
flock 9

# Version ldflags, so a Kubernetes binary's /version and --version answer the pinned release.
kube_ldflags() {
  local minor=${kube_version#v1.} pkg=k8s.io/component-base/version
  minor=${minor%%.*}
  echo "-s -w -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
}

build_binaries() {
  local key dest tmp started
  key=$(cat "$here/kube/go.mod" "$here/kube/go.sum" "$here/etcd/go.mod" "$here/etcd/go.sum" "$here/etcd/main.go" | sha256sum | cut -c1-12)
  dest="$cache/bin-k8s-$kube_version-etcd-$etcd_version-$key"
  if [ -x "$dest/kube-apiserver" ] && [ -x "$dest/etcd" ] && [ -x "$dest/kubectl" ]; then
    echo "$dest"; return
  fi
  tmp=$(mktemp -d "$cache/.build.XXXXXX")
  started=$(date +%s)
  say "building kube-apiserver and kubectl $kube_version from Go modules (the first build takes a while; later runs reuse $cache)"
  (cd "$here/kube" && go build -trimpath -ldflags "$(kube_ldflags)" -o "$tmp/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl)
  say "building etcd $etcd_version"
  (cd "$here/etcd" && go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" .)
  rm -rf "$dest"
  mv "$tmp" "$dest"
  say "built in $(($(date +%s) - started))s"
  echo "$dest"
}

# The three managers live in one Go module, so the second and third builds reuse
# every compiled package of the first; they need separate `go build` calls only
# because two of the main packages are both named "kubeadm" (same output name).
build_capi_controllers() {
  local key dest tmp started
  key=$(cat "$here/capi/go.mod" "$here/capi/go.sum" | sha256sum | cut -c1-12)
  dest="$cache/cluster-api-controllers-$capi_version-$key"
  if [ -x "$dest/cluster-api-controller" ] && [ -x "$dest/kubeadm-bootstrap-controller" ] && [ -x "$dest/kubeadm-control-plane-controller" ]; then
    echo "$dest"; return
  fi
  tmp=$(mktemp -d "$cache/.build.XXXXXX")
  started=$(date +%s)
  say "building Cluster API $capi_version controllers (core, kubeadm bootstrap, kubeadm control plane) from Go modules"
  (cd "$here/capi" &&
    go build -trimpath -ldflags "-s -w" -o "$tmp/cluster-api-controller" sigs.k8s.io/cluster-api &&
    go build -trimpath -ldflags "-s -w" -o "$tmp/kubeadm-bootstrap-controller" sigs.k8s.io/cluster-api/bootstrap/kubeadm &&
    go build -trimpath -ldflags "-s -w" -o "$tmp/kubeadm-control-plane-controller" sigs.k8s.io/cluster-api/controlplane/kubeadm)
  rm -rf "$dest"
  mv "$tmp" "$dest"
  say "built Cluster API controllers in $(($(date +%s) - started))s"
  echo "$dest"
}

# The kubelet's port-forward endpoint alone (kube/kubelet-portforward), for the
# workload-cluster simulator; its own cache entry, so adding it rebuilt nothing else.
build_kubelet_portforward() {
  local key dest tmp
  key=$(cat "$here/kube/go.mod" "$here/kube/go.sum" "$here/kube/kubelet-portforward/main.go" | sha256sum | cut -c1-12)
  dest="$cache/kubelet-portforward-$kube_version-$key"
  if [ -x "$dest/kubelet-portforward" ]; then
    echo "$dest/kubelet-portforward"; return
  fi
  tmp=$(mktemp -d "$cache/.build.XXXXXX")
  say "building kubelet-portforward (the kubelet's streaming code) from k8s.io/kubelet $kube_version"
  (cd "$here/kube" && go build -trimpath -ldflags "-s -w" -o "$tmp/kubelet-portforward" ./kubelet-portforward)
  rm -rf "$dest"
  mv "$tmp" "$dest"
  echo "$dest/kubelet-portforward"
}

# Its own cache entry, so adding it rebuilt nothing else; the compiled packages it shares with
# kube-apiserver come from Go's build cache.
build_kube_controller_manager() {
  local key dest tmp started
  key=$(cat "$here/kube/go.mod" "$here/kube/go.sum" | sha256sum | cut -c1-12)
  dest="$cache/kube-controller-manager-$kube_version-$key"
  if [ -x "$dest/kube-controller-manager" ]; then
    echo "$dest/kube-controller-manager"; return
  fi
  tmp=$(mktemp -d "$cache/.build.XXXXXX")
  started=$(date +%s)
  say "building kube-controller-manager $kube_version from Go modules"
  (cd "$here/kube" && go build -trimpath -ldflags "$(kube_ldflags)" -o "$tmp/" k8s.io/kubernetes/cmd/kube-controller-manager)
  rm -rf "$dest"
  mv "$tmp" "$dest"
  say "built kube-controller-manager in $(($(date +%s) - started))s"
  echo "$dest/kube-controller-manager"
}

if [ -n "${KUBEBUILDER_ASSETS:-}" ]; then
  for b in kube-apiserver etcd; do
    [ -x "$KUBEBUILDER_ASSETS/$b" ] || { say "KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS has no executable $b"; exit 1; }
  done
  bin_dir=$KUBEBUILDER_ASSETS
  kube_version=$("$bin_dir/kube-apiserver" --version | awk '{print $2}')
  etcd_version=v$("$bin_dir/etcd" --version | awk '/etcd Version/ {print $3}')
else
  bin_dir=$(build_binaries)
fi

# crds-2: also clusterctl's inventory CRD (Provider), which `iinfra provider install` writes.
crd_dir="$cache/cluster-api-$capi_version/crds-2"
if [ ! -f "$crd_dir/.complete" ]; then
  say "taking Cluster API $capi_version CRDs from its Go module"
  module_dir=$(cd "$here/capi" && go mod download -json "sigs.k8s.io/cluster-api@$capi_version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$module_dir" ] || { say "go mod download gave no directory for sigs.k8s.io/cluster-api@$capi_version"; exit 1; }
  rm -rf "$crd_dir" && mkdir -p "$crd_dir"
  for sub in config/crd/bases bootstrap/kubeadm/config/crd/bases controlplane/kubeadm/config/crd/bases; do
    cp "$module_dir/$sub"/*.yaml "$crd_dir/"
  done
  cp "$module_dir/cmd/clusterctl/config/manifest/clusterctl-api.yaml" "$crd_dir/"
  chmod 644 "$crd_dir"/*.yaml
  touch "$crd_dir/.complete"
fi

# The admission webhook configurations of the three controllers; a test
# environment rewrites their service references to local URLs.
webhook_dir="$cache/cluster-api-$capi_version/webhooks"
if [ ! -f "$webhook_dir/.complete" ]; then
  module_dir=$(cd "$here/capi" && go mod download -json "sigs.k8s.io/cluster-api@$capi_version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -d "$module_dir" ] || { say "go mod download gave no directory for sigs.k8s.io/cluster-api@$capi_version"; exit 1; }
  rm -rf "$webhook_dir" && mkdir -p "$webhook_dir"
  cp "$module_dir/config/webhook/manifests.yaml" "$webhook_dir/core.yaml"
  cp "$module_dir/bootstrap/kubeadm/config/webhook/manifests.yaml" "$webhook_dir/kubeadm-bootstrap.yaml"
  cp "$module_dir/controlplane/kubeadm/config/webhook/manifests.yaml" "$webhook_dir/kubeadm-control-plane.yaml"
  chmod 644 "$webhook_dir"/*.yaml
  touch "$webhook_dir/.complete"
fi

capi_bin=""
if [ "${IINFRA_SKIP_CAPI_CONTROLLERS:-}" != 1 ]; then
  capi_bin=$(build_capi_controllers)
fi
kubelet_portforward=""
kube_controller_manager=""
if [ "${IINFRA_SKIP_CAPI_CONTROLLERS:-}" != 1 ]; then
  kubelet_portforward=$(build_kubelet_portforward)
  kube_controller_manager=$(build_kube_controller_manager)
fi
capi_path() { [ -n "$capi_bin" ] && echo "$capi_bin/$1" || true; }

printf '{"binDir":"%s","kubernetesVersion":"%s","etcdVersion":"%s","clusterApiVersion":"%s","crdDir":"%s","webhookDir":"%s","clusterApiControllers":{"core":"%s","kubeadmBootstrap":"%s","kubeadmControlPlane":"%s"},"kubeletPortForward":"%s","kubeControllerManager":"%s"}\n' \
  "$bin_dir" "$kube_version" "$etcd_version" "$capi_version" "$crd_dir" "$webhook_dir" \
  "$(capi_path cluster-api-controller)" "$(capi_path kubeadm-bootstrap-controller)" "$(capi_path kubeadm-control-plane-controller)" "$kubelet_portforward" "$kube_controller_manager"
