#!/usr/bin/env bash
# Builds the two HyperKV container images, data plane and operator, from their Quarkus JVM layouts.
#
#   e2e/build-images.sh [TAG]
#
#   TAG               image tag (default: $IMAGE_TAG, else "dev")
#   IMAGE_REGISTRY    repository prefix (default: ghcr.io/hyperkv); images are
#                     $IMAGE_REGISTRY/hyperkv:TAG and $IMAGE_REGISTRY/hyperkv-operator:TAG
#   SKIP_MAVEN=1      reuse the target/quarkus-app directories already built
#   JAVA_IMAGE        base image override (default in the Dockerfiles: eclipse-temurin:17-jre-noble)
#
# Prints the two image references, one per line, as its last lines of stdout.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tag="${1:-${IMAGE_TAG:-dev}}"
registry="${IMAGE_REGISTRY:-ghcr.io/hyperkv}"

command -v docker >/dev/null || { echo "docker is required" >&2; exit 1; }

if [[ -z "${SKIP_MAVEN:-}" ]]; then
  mvn -B -ntp -q -f "$root/pom.xml" -pl dataplane,operator -am -DskipTests package
fi

version="$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$root/pom.xml" | head -1)"
revision="$(git -C "$root" rev-parse HEAD 2>/dev/null || echo unknown)"
created="$(date -u +%Y-%m-%dT%H:%M:%SZ)"

build() { # build <module> <image name>
  local module="$1" image="$registry/$2:$tag"
  [[ -f "$root/$module/target/quarkus-app/quarkus-run.jar" ]] \
    || { echo "$module/target/quarkus-app is missing: run without SKIP_MAVEN" >&2; exit 1; }
  local args=(--build-arg "VERSION=$version" --build-arg "REVISION=$revision" --build-arg "CREATED=$created")
  [[ -n "${JAVA_IMAGE:-}" ]] && args+=(--build-arg "JAVA_IMAGE=$JAVA_IMAGE")
  DOCKER_BUILDKIT=1 docker build "${args[@]}" \
    -f "$root/$module/src/main/docker/Dockerfile.jvm" -t "$image" "$root/$module" >&2
  echo "$image"
}

build dataplane hyperkv
build operator hyperkv-operator
