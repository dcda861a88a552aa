#!/usr/bin/env bash
# Provides the binaries fabric8 kube-api-test runs (etcd, kube-apiserver, kubectl) without downloading any
# prebuilt binary: kube-apiserver is built from the pinned upstream Go modules in this directory
# (go.mod/go.sum, through the Go module proxy); etcd is Debian's etcd-server; kubectl (kube-api-test only
# uses it to wait for the default namespace) is the machine's own or, when there is none, built from the
# same pinned modules. Everything goes into a cache outside the repository, in kube-api-test's layout:
#   $cache/kube-api-test/k8s/<version>-linux-amd64/{etcd,kube-apiserver,kubectl}
# Idempotent: when the binaries for the pinned version are cached, it does nothing.
#
#   HYPERKV_CACHE   cache root (default: $HOME/.cache/hyperkv)
#   HYPERKV_GO_P    go build parallelism (default 1: the build machine is shared)
#
# Prints the kube-api-test directory (the parent of k8s/) as its last line of stdout.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
command -v go >/dev/null || { echo "go is required to build kube-apiserver" >&2; exit 1; }
version="$(cd "$here" && go list -mod=readonly -m -f '{{.Version}}' k8s.io/kubernetes)"
version="${version#v}"
cache="${HYPERKV_CACHE:-$HOME/.cache/hyperkv}"
test_dir="$cache/kube-api-test"
bin_dir="$test_dir/k8s/$version-linux-amd64"

if [[ -x "$bin_dir/kube-apiserver" && -x "$bin_dir/etcd" && -x "$bin_dir/kubectl" ]]; then
  echo "$test_dir"
  exit 0
fi

etcd_bin="$(command -v etcd || true)"
[[ -n "$etcd_bin" ]] || { echo "etcd is required (Debian: apt-get install etcd-server)" >&2; exit 1; }

mkdir -p "$bin_dir"
tmp="$(mktemp -d "$bin_dir/.build.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

build() { # build <package> <output>
  local start=$SECONDS
  # -mod=readonly: go.sum pins every module, so the build fails rather than resolving new versions.
  # The version stamp makes /version report the release instead of v0.0.0-master.
  (cd "$here" && CGO_ENABLED=0 nice -n 10 go build -mod=readonly -p "${HYPERKV_GO_P:-1}" -trimpath \
    -ldflags="-s -w -X k8s.io/component-base/version.gitVersion=v$version -X k8s.io/component-base/version.gitMajor=${version%%.*} -X k8s.io/component-base/version.gitMinor=$(cut -d. -f2 <<<"$version")" \
    -o "$2" "$1")
  echo "built $1 v$version in $((SECONDS - start))s" >&2
}

[[ -x "$bin_dir/kube-apiserver" ]] || { build k8s.io/kubernetes/cmd/kube-apiserver "$tmp/kube-apiserver"; mv -f "$tmp/kube-apiserver" "$bin_dir/"; }
if [[ ! -x "$bin_dir/kubectl" ]]; then
  if kubectl_bin="$(command -v kubectl)"; then
    ln -sfn "$kubectl_bin" "$bin_dir/kubectl"
  else
    build k8s.io/kubernetes/cmd/kubectl "$tmp/kubectl"; mv -f "$tmp/kubectl" "$bin_dir/"
  fi
fi
ln -sfn "$etcd_bin" "$bin_dir/etcd"
echo "$test_dir"
