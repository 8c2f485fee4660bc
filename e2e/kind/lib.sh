# shellcheck shell=bash
# shellcheck disable=SC2034 # the variables are used by the scripts that source this file
# Shared helpers of the kind scripts (up, test, down). Sourced, not run.
# Cluster names can be changed with COCM_KIND_HUB / COCM_KIND_DATAPLANES (space separated).

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HUB=${COCM_KIND_HUB:-hub}
read -r -a DATAPLANES <<<"${COCM_KIND_DATAPLANES:-dp-east dp-west}"
HUB_CTX="kind-${HUB}"
IMAGE=choreo-ocm:e2e # must match overlay/kustomization.yaml
ADDON_NS=choreo-ocm-system
TIMEOUT=${COCM_KIND_TIMEOUT:-300s}

step() { printf '\n==> %s\n' "$*"; }
info() { printf '    %s\n' "$*"; }
die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# need CMD... : exit with one clear message listing every missing prerequisite.
need() {
	local missing=() c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || missing+=("$c")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		die "missing prerequisites: ${missing[*]}
  docker:     https://docs.docker.com/engine/install/
  kind:       https://kind.sigs.k8s.io/docs/user/quick-start/#installation
  kubectl:    https://kubernetes.io/docs/tasks/tools/
  clusteradm: curl -L https://raw.githubusercontent.com/open-cluster-management-io/clusteradm/main/install.sh | bash"
	fi
}

# need_kubectl_minor N: the kubectl client must be 1.N or newer.
need_kubectl_minor() {
	local v minor
	v=$(kubectl version --client -o json 2>/dev/null | tr -d ' \n' || true)
	minor=$(sed -n 's/.*"clientVersion":{[^}]*"minor":"\([0-9]*\).*/\1/p' <<<"$v")
	if [ -z "$minor" ] || [ "$minor" -lt "$1" ]; then
		die "kubectl 1.$1 or newer is needed (found: ${minor:+1.}${minor:-unknown}): https://kubernetes.io/docs/tasks/tools/"
	fi
}

need_docker() {
	docker info >/dev/null 2>&1 || die "docker is installed but the daemon is not reachable (is it running? are you in the docker group?)"
}

# kind_exists NAME. Not `kind get clusters | grep -q`: grep -q exits at the first match, kind then
# dies of SIGPIPE on its next line, and pipefail turns the match into a failure.
kind_exists() {
	local all
	all=$(kind get clusters 2>/dev/null) || return 1
	grep -qx -- "$1" <<<"$all"
}

hubctl() { kubectl --context "$HUB_CTX" "$@"; }

dpctl() {
	local dp=$1
	shift
	kubectl --context "kind-${dp}" "$@"
}

# joined NAME... -> "a,b,c"
joined() {
	local IFS=,
	printf '%s' "$*"
}
