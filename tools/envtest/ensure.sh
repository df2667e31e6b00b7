#!/usr/bin/env bash
# Makes the real Kubernetes test environment available and prints where it is,
# as one JSON line on stdout (progress goes to stderr):
#   {"binDir":..., "kubernetesVersion":..., "etcdVersion":..., "clusterApiVersion":..., "crdDir":...}
#
# - kube-apiserver and kubectl are built from k8s.io/kubernetes (kube/go.mod),
#   etcd from go.etcd.io/etcd/server/v3 (etcd/go.mod), both with -trimpath and
#   version ldflags so /version answers the real release.
# - Binaries are cached outside the repository, keyed by the pinned versions and
#   the go.sum of each wrapper module, and reused by every later run.
# - KUBEBUILDER_ASSETS, when set, is used as the binary directory and nothing is built.
# - Cluster API's CRDs (core, IPAM, kubeadm bootstrap, kubeadm control plane)
#   are copied out of the pinned sigs.k8s.io/cluster-api module (capi/go.mod).
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

build_binaries() {
  local key dest tmp started minor
  key=$(cat "$here/kube/go.mod" "$here/kube/go.sum" "$here/etcd/go.mod" "$here/etcd/go.sum" "$here/etcd/main.go" | sha256sum | cut -c1-12)
  dest="$cache/bin-k8s-$kube_version-etcd-$etcd_version-$key"
  if [ -x "$dest/kube-apiserver" ] && [ -x "$dest/etcd" ] && [ -x "$dest/kubectl" ]; then
    echo "$dest"; return
  fi
  tmp=$(mktemp -d "$cache/.build.XXXXXX")
  started=$(date +%s)
  minor=${kube_version#v1.}; minor=${minor%%.*}
  local pkg=k8s.io/component-base/version
  local ldflags="-s -w -X $pkg.gitVersion=$kube_version -X $pkg.gitMajor=1 -X $pkg.gitMinor=$minor -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
  say "building kube-apiserver and kubectl $kube_version from Go modules (the first build takes a while; later runs reuse $cache)"
  (cd "$here/kube" && go build -trimpath -ldflags "$ldflags" -o "$tmp/" k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kubectl)
  say "building etcd $etcd_version"
  (cd "$here/etcd" && go build -trimpath -ldflags "-s -w" -o "$tmp/etcd" .)
  rm -rf "$dest"
  mv "$tmp" "$dest"
  say "built in $(($(date +%s) - started))s"
  echo "$dest"
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

printf '{"binDir":"%s","kubernetesVersion":"%s","etcdVersion":"%s","clusterApiVersion":"%s","crdDir":"%s"}\n' \
  "$bin_dir" "$kube_version" "$etcd_version" "$capi_version" "$crd_dir"
