#!/usr/bin/env bash
# Applies e2e/samples/ and the add-on's ClusterManagementAddOn to the emulator with kubectl, so the
# samples stay valid against the CRD schemas (the emulator answers 422 like a real API server), and
# checks that an invalid DataPlane is refused. usage: samples_on_emulator.sh SOURCE_DIR
# Exit 77 (skipped) without kubectl.
set -euo pipefail
src=${1:?usage: samples_on_emulator.sh SOURCE_DIR}
command -v kubectl >/dev/null 2>&1 || {
	echo "kubectl not installed: skipped"
	exit 77
}
tmp=$(mktemp -d)
emu_pid=""
cleanup() {
	if [ -n "$emu_pid" ]; then
		kill "$emu_pid" 2>/dev/null || true
		wait "$emu_pid" 2>/dev/null || true
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
port=$((20000 + RANDOM % 20000))
"$src/e2e/emulator/emulator" --listen "127.0.0.1:${port}" --kubeconfig-out "$tmp/kubeconfig" \
	--clusters dp-east,dp-west >"$tmp/emulator.log" 2>&1 &
emu_pid=$!
for _ in $(seq 1 100); do
	grep -q ready "$tmp/emulator.log" 2>/dev/null && break
	kill -0 "$emu_pid" 2>/dev/null || {
		cat "$tmp/emulator.log" >&2
		exit 1
	}
	sleep 0.2
done
k() { kubectl --kubeconfig "$tmp/kubeconfig" --request-timeout=20s "$@"; }
s="$src/e2e/samples"
for f in "$s"/*.yaml; do
	k apply --validate=false -f "$f"
done
k apply --validate=false -f "$src/hub-addon/deploy/clustermanagementaddon.yaml"
[ "$(k -n default get renderedrelease greeter-development -o jsonpath='{.spec.resources[1].object.spec.replicas}')" = 2 ] ||
	{ echo "update sample not applied" >&2; exit 1; }
[ "$(k -n default get release greeter-production -o jsonpath='{.spec.resources[*].id}' | wc -w)" -eq 5 ] ||
	{ echo "production sample lost resources" >&2; exit 1; }
if out=$(printf 'apiVersion: openchoreo.dev/v1alpha1\nkind: DataPlane\nmetadata:\n  name: broken\n  namespace: default\nspec:\n  planeID: Not_Valid\n' |
	k apply --validate=false -f - 2>&1); then
	echo "invalid DataPlane was accepted: $out" >&2
	exit 1
fi
case "$out" in
*spec.clusterAgent*Required*) ;;
*)
	echo "unexpected refusal: $out" >&2
	exit 1
	;;
esac
echo "samples valid on the emulator; invalid DataPlane refused"
