#!/usr/bin/env bash
# HyperKV end-to-end suite on kind: a real Kubernetes cluster in Docker.
#
#   e2e/run.sh
#
# 1. creates a kind cluster (e2e/kind-config.yaml),
# 2. builds the data-plane and operator images (e2e/build-images.sh) and loads them into kind, the data plane
#    under two tags so the rolling-upgrade test changes to a really different image reference,
# 3. installs charts/hyperkv-operator with helm and runs `helm test`,
# 4. applies a 3-replica HyperKVCluster and waits for it to be Ready,
# 5. runs the Java end-to-end tests (mvn -pl e2e -Pe2e verify) against the current kube context,
# 6. tears everything down, also on failure (after printing what the cluster looked like).
#
# Needs: docker, kind, kubectl, helm, mvn, a JDK 17.
#   KIND_CLUSTER    cluster name (default hyperkv-e2e)
#   KEEP_CLUSTER=1  leave the cluster running afterwards (for debugging)
#   SKIP_BUILD=1    reuse images already in the local Docker engine
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/.." && pwd)"
kind_cluster="${KIND_CLUSTER:-hyperkv-e2e}"
registry="ghcr.io/hyperkv"
tag="e2e"
upgrade_tag="e2e-upgrade"
operator_ns="hyperkv-system"
namespace="hyperkv-e2e"
cluster="demo"   # metadata.name of charts/hyperkv-operator/examples/hyperkvcluster.yaml
client_image="redis:7.4-alpine"
test_image="busybox:1.36"
export KUBECONFIG="$(mktemp -t hyperkv-e2e-kubeconfig.XXXXXX)"

for tool in docker kind kubectl helm mvn; do
  command -v "$tool" >/dev/null || { echo "e2e/run.sh needs $tool on PATH" >&2; exit 1; }
done

diagnostics() {
  echo "=== diagnostics" >&2
  kubectl get nodes -o wide >&2 || true
  kubectl get hyperkvclusters,statefulsets,pods,services,pvc,jobs -A -o wide >&2 || true
  kubectl describe hyperkvclusters -n "$namespace" >&2 || true
  kubectl get events -A --sort-by=.lastTimestamp >&2 2>/dev/null | tail -n 80 >&2 || true
  kubectl logs -n "$operator_ns" -l app.kubernetes.io/name=hyperkv-operator --tail=300 >&2 || true
  for pod in $(kubectl get pods -n "$namespace" -o name 2>/dev/null); do
    echo "--- $pod" >&2
    kubectl logs -n "$namespace" "$pod" --all-containers --tail=100 >&2 || true
  done
}

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  [[ $rc -ne 0 ]] && diagnostics
  if [[ -z "${KEEP_CLUSTER:-}" ]]; then
    kind delete cluster --name "$kind_cluster" >/dev/null 2>&1 || true
    rm -f "$KUBECONFIG"
  else
    echo "cluster $kind_cluster kept; KUBECONFIG=$KUBECONFIG" >&2
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

step() { echo "=== $*" >&2; }

step "kind cluster $kind_cluster"
kind create cluster --name "$kind_cluster" --config "$here/kind-config.yaml" --wait 180s

step "images"
if [[ -z "${SKIP_BUILD:-}" ]]; then
  IMAGE_REGISTRY="$registry" "$here/build-images.sh" "$tag"
fi
dataplane_image="$registry/hyperkv:$tag"
upgrade_image="$registry/hyperkv:$upgrade_tag"
operator_image="$registry/hyperkv-operator:$tag"
docker tag "$dataplane_image" "$upgrade_image"
kind load docker-image --name "$kind_cluster" "$dataplane_image" "$upgrade_image" "$operator_image"
# Public images are preloaded to spare the registry's rate limits; if loading one fails (multi-platform
# images with some Docker storage drivers), the nodes pull it themselves.
for image in "$client_image" "$test_image"; do
  docker pull -q "$image" >/dev/null && kind load docker-image --name "$kind_cluster" "$image" \
    || echo "could not preload $image; the nodes will pull it" >&2
done

step "helm install the operator"
helm install hyperkv-operator "$root/charts/hyperkv-operator" \
  --namespace "$operator_ns" --create-namespace \
  --set image.repository="$registry/hyperkv-operator" --set image.tag="$tag" --set image.pullPolicy=Never \
  --set dataplane.imageRepository="$registry/hyperkv" --set dataplane.defaultVersion="$tag" \
  --wait --timeout 5m
helm test hyperkv-operator --namespace "$operator_ns" --timeout 3m

step "3-replica HyperKVCluster"
kubectl apply -f "$here/manifests/namespace.yaml"
# The chart's example as a user would apply it; it names no image, so the operator runs its default data-plane
# image, which the chart values above point at the image just built. spec.image is pinned afterwards so the
# rolling-upgrade test changes one explicit image reference to another.
kubectl apply -n "$namespace" -f "$root/charts/hyperkv-operator/examples/hyperkvcluster.yaml"
kubectl wait -n "$namespace" "hyperkvcluster/$cluster" --for=condition=Ready --timeout=10m
kubectl patch -n "$namespace" "hyperkvcluster/$cluster" --type merge -p "{\"spec\":{\"image\":\"$dataplane_image\"}}"
kubectl wait -n "$namespace" "hyperkvcluster/$cluster" --for=condition=Ready --timeout=10m

step "Java end-to-end tests"
mvn -B -ntp -f "$root/pom.xml" -pl e2e -Pe2e verify \
  -Dhyperkv.e2e.namespace="$namespace" \
  -Dhyperkv.e2e.cluster="$cluster" \
  -Dhyperkv.e2e.clientImage="$client_image" \
  -Dhyperkv.e2e.upgradeImage="$upgrade_image"

step "passed"
