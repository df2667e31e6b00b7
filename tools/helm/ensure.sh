#!/usr/bin/env bash
# Makes the real Helm CLI, Cluster API's clusterctl and kustomize available and
# prints where they are, as one JSON line on stdout (progress goes to stderr):
#   {"helm":..., "helmVersion":..., "clusterctl":..., "clusterApiVersion":...,
#    "kustomize":..., "kustomizeVersion":...}
#
# - helm is built from helm.sh/helm/v3/cmd/helm at the version pinned in
#   helm/go.mod; clusterctl from sigs.k8s.io/cluster-api/cmd/clusterctl (a
#   package of the main Cluster API module) at the version pinned in
#   clusterctl/go.mod, which must equal CLUSTER_API_VERSION of
#   @immutable-infra/management-plane. Two modules, because the two pin
#   different Kubernetes library versions.
# - kustomize is built from sigs.k8s.io/kustomize/kustomize/v5 at the version
#   pinned in kustomize/go.mod (the KUSTOMIZE_VER of the pinned Cluster API's
#   Makefile): it renders Cluster API's release components, as its release does.
# - Both are built with -trimpath and version ldflags, cached outside the
#   repository, keyed by the pinned version and a hash of the module's go.mod,
#   go.sum and the ldflags, and reused by every later run.
# - HELM_BIN, CLUSTERCTL_BIN and KUSTOMIZE_BIN, when set, are used as they are and that one is not built.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${IINFRA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/immutable-infra}/helm
mkdir -p "$cache"
export GOFLAGS="${GOFLAGS:-} -buildvcs=false"

say() { echo "helm: $*" >&2; }
required_version() { awk -v m="$1" '$1 == "require" && $2 == m { print $3; exit } $1 == m { print $2; exit }' "$2"; }

helm_version=$(required_version helm.sh/helm/v3 "$here/helm/go.mod")
capi_version=$(required_version sigs.k8s.io/cluster-api "$here/clusterctl/go.mod")
kustomize_version=$(required_version sigs.k8s.io/kustomize/kustomize/v5 "$here/kustomize/go.mod")
[ -n "$helm_version" ] && [ -n "$capi_version" ] && [ -n "$kustomize_version" ] || { say "could not read the pinned versions from helm/go.mod, clusterctl/go.mod and kustomize/go.mod"; exit 1; }

# One builder at a time: parallel test runs wait for the first build instead of repeating it.
exec 9>"$cache/.lock"
flock 9

# build <name> <module dir> <package> <version> <ldflags>: prints the cached binary's path.
build() {
  local name=$1 dir=$2 pkg=$3 version=$4 ldflags=$5 key dest tmp started
  key=$( (cat "$dir/go.mod" "$dir/go.sum"; echo "$ldflags") | sha256sum | cut -c1-12)
  dest="$cache/$name-$version-$key"
  if [ -x "$dest/$name" ]; then echo "$dest/$name"; return; fi
  tmp=$(mktemp -d "$cache/.build.XXXXXX")
  started=$(date +%s)
  say "building $name $version from Go modules (the first build takes a while; later runs reuse $cache)"
  if ! (cd "$dir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$tmp/$name" "$pkg"); then
    rm -rf "$tmp"; return 1
  fi
  rm -rf "$dest"
  mv "$tmp" "$dest"
  say "built $name in $(($(date +%s) - started))s"
  echo "$dest/$name"
}

if [ -n "${HELM_BIN:-}" ]; then
  [ -x "$HELM_BIN" ] || { say "$HELM_BIN is not executable"; exit 1; }
  helm=$HELM_BIN
else
  # As Helm's Makefile does: `helm version` answers the release, and the Kubernetes version that
  # `helm template` and `helm lint` assume (v1.20 without these) follows the client-go Helm is
  # built with (client-go v0.N is Kubernetes 1.N).
  client_go=$(required_version k8s.io/client-go "$here/helm/go.mod")
  k8s_minor=${client_go#v0.}; k8s_minor=${k8s_minor%%.*}
  [ -n "$k8s_minor" ] || { say "could not read k8s.io/client-go from $here/helm/go.mod"; exit 1; }
  helm_ldflags="-X helm.sh/helm/v3/internal/version.version=$helm_version -X helm.sh/helm/v3/internal/version.gitTreeState=clean"
  for pkg in helm.sh/helm/v3/pkg/lint/rules helm.sh/helm/v3/pkg/chartutil; do
    helm_ldflags="$helm_ldflags -X $pkg.k8sVersionMajor=1 -X $pkg.k8sVersionMinor=$k8s_minor"
  done
  helm=$(build helm "$here/helm" helm.sh/helm/v3/cmd/helm "$helm_version" "$helm_ldflags")
fi

if [ -n "${CLUSTERCTL_BIN:-}" ]; then
  [ -x "$CLUSTERCTL_BIN" ] || { say "$CLUSTERCTL_BIN is not executable"; exit 1; }
  clusterctl=$CLUSTERCTL_BIN
else
  clusterctl=$(build clusterctl "$here/clusterctl" sigs.k8s.io/cluster-api/cmd/clusterctl "$capi_version" \
    "-X sigs.k8s.io/cluster-api/version.gitVersion=$capi_version -X sigs.k8s.io/cluster-api/version.gitTreeState=clean")
fi

if [ -n "${KUSTOMIZE_BIN:-}" ]; then
  [ -x "$KUSTOMIZE_BIN" ] || { say "$KUSTOMIZE_BIN is not executable"; exit 1; }
  kustomize=$KUSTOMIZE_BIN
else
  # As kustomize's own release does: `kustomize version` answers kustomize/<release>.
  kustomize=$(build kustomize "$here/kustomize" sigs.k8s.io/kustomize/kustomize/v5 "$kustomize_version" \
    "-X sigs.k8s.io/kustomize/api/provenance.version=kustomize/$kustomize_version")
fi

printf '{"helm":"%s","helmVersion":"%s","clusterctl":"%s","clusterApiVersion":"%s","kustomize":"%s","kustomizeVersion":"%s"}\n' \
  "$helm" "$helm_version" "$clusterctl" "$capi_version" "$kustomize" "$kustomize_version"
