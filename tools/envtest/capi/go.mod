// Pins the Cluster API release whose CRDs (and, later, controllers) the test
// environment uses. ensure.sh takes the CRDs straight from this module.
module immutable-infra.local/tools/envtest/capi

go 1.25.0

require sigs.k8s.io/cluster-api v1.13.6
