// Pins the cert-manager release whose CRDs stand in for cert-manager in the
// clusterctl init tests: the CertManagerDefaultVersion of the pinned clusterctl
// (cmd/clusterctl/client/config/cert_manager_client.go), which a test holds
// equal. Nothing is built from it; its module zip (deploy/crds) is read after
// `go mod download` checks it against go.sum. Nothing imports it, so `go mod
// tidy` would drop the requirement: change the version with `go get` only.
module immutable-infra.local/tools/helm/cert-manager

go 1.26.0

require github.com/cert-manager/cert-manager v1.21.1 // indirect
