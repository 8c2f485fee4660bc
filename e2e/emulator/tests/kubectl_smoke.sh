#!/usr/bin/env bash
# kubectl against the emulator: get, get -w, apply, apply --server-side, delete,
# patch --subresource=status, -o yaml, -l selectors. Exit 77 (skipped) without kubectl.
set -euo pipefail

if ! command -v kubectl >/dev/null 2>&1; then
	echo "kubectl not found: skipping" >&2
	exit 77
fi
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
emu_pid=
cleanup() {
	if [ -n "$emu_pid" ]; then kill "$emu_pid" 2>/dev/null || true; wait "$emu_pid" 2>/dev/null || true; fi
	rm -rf "$tmp"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

python3 -B "$here/emulator" --listen 127.0.0.1:0 --kubeconfig-out "$tmp/kubeconfig" --no-sims \
	>"$tmp/emu.out" 2>"$tmp/emu.err" &
emu_pid=$!
for _ in $(seq 1 100); do
	grep -q 'emulator ready' "$tmp/emu.out" 2>/dev/null && break
	kill -0 "$emu_pid" 2>/dev/null || { cat "$tmp/emu.err" >&2; fail "emulator exited"; }
	sleep 0.1
done
grep -q 'emulator ready' "$tmp/emu.out" || fail "emulator not ready"
export KUBECONFIG="$tmp/kubeconfig"
k() { kubectl --request-timeout=20s "$@"; }

k get ns default >/dev/null || fail "get ns"
k create namespace dp-east >/dev/null || fail "create ns (protobuf body)"

cat >"$tmp/cm.yaml" <<'Y'
apiVersion: v1
kind: ConfigMap
metadata:
  name: smoke
  namespace: dp-east
  labels: {app: smoke, tier: web}
data:
  a: "1"
Y
k apply -f "$tmp/cm.yaml" | grep -q 'configmap/smoke created' || fail "apply create"
k apply -f "$tmp/cm.yaml" | grep -q 'configmap/smoke unchanged' || fail "apply unchanged"
sed -i 's/a: "1"/a: "2"/' "$tmp/cm.yaml"
k apply -f "$tmp/cm.yaml" | grep -q 'configmap/smoke configured' || fail "apply configured"
[ "$(k get cm smoke -n dp-east -o jsonpath='{.data.a}')" = 2 ] || fail "apply value"

cat >"$tmp/mw.yaml" <<'Y'
apiVersion: work.open-cluster-management.io/v1
kind: ManifestWork
metadata:
  name: mw-smoke
  namespace: dp-east
  labels: {app: smoke}
spec:
  workload:
    manifests:
    - apiVersion: v1
      kind: ConfigMap
      metadata: {name: inner, namespace: default}
      data: {k: v}
Y
k apply --server-side --field-manager=smoke -f "$tmp/mw.yaml" | grep -q 'serverside-applied' || fail "apply --server-side"
k get manifestwork mw-smoke -n dp-east -o yaml >"$tmp/mw.out"
grep -q 'manager: smoke' "$tmp/mw.out" || k get manifestwork mw-smoke -n dp-east -o yaml --show-managed-fields | grep -q 'manager: smoke' \
	|| fail "managedFields"
grep -q '^kind: ManifestWork' "$tmp/mw.out" || fail "-o yaml"

# a conflicting server-side apply by another manager must fail, --force-conflicts must win
sed 's/k: v/k: other/' "$tmp/mw.yaml" >"$tmp/mw2.yaml"
if k apply --server-side --field-manager=intruder -f "$tmp/mw2.yaml" 2>"$tmp/conflict.err"; then
	fail "expected an SSA conflict"
fi
grep -q 'conflict' "$tmp/conflict.err" || fail "conflict message: $(cat "$tmp/conflict.err")"
k apply --server-side --field-manager=intruder --force-conflicts -f "$tmp/mw2.yaml" >/dev/null || fail "force"

# webhook refusal surfaces through kubectl
sed 's/^    manifests:.*$/    manifests: []/;/^    - apiVersion/,$d' "$tmp/mw.yaml" | sed 's/mw-smoke/mw-empty/' >"$tmp/empty.yaml"
if k apply -f "$tmp/empty.yaml" 2>"$tmp/empty.err"; then fail "empty manifests accepted"; fi
grep -q 'manifests should not be empty' "$tmp/empty.err" || fail "webhook text: $(cat "$tmp/empty.err")"

# get -w sees a status patch made through the status subresource
gen=$(k get manifestwork mw-smoke -n dp-east -o jsonpath='{.metadata.generation}')
k get manifestwork -n dp-east -w --output-watch-events >"$tmp/watch.out" 2>&1 &
wpid=$!
sleep 1.5
k patch manifestwork mw-smoke -n dp-east --subresource=status --type=merge \
	-p '{"status":{"conditions":[{"type":"Applied","status":"True","reason":"AppliedManifestWorkComplete","message":"ok","lastTransitionTime":"2024-01-01T00:00:00Z"}]}}' \
	>/dev/null || fail "patch --subresource=status"
for _ in $(seq 1 50); do grep -q MODIFIED "$tmp/watch.out" && break; sleep 0.1; done
kill "$wpid" 2>/dev/null || true
wait "$wpid" 2>/dev/null || true
grep -q 'ADDED' "$tmp/watch.out" || fail "get -w initial: $(cat "$tmp/watch.out")"
grep -q 'MODIFIED' "$tmp/watch.out" || fail "get -w modified: $(cat "$tmp/watch.out")"
[ "$(k get manifestwork mw-smoke -n dp-east -o jsonpath='{.status.conditions[0].reason}')" = AppliedManifestWorkComplete ] \
	|| fail "status stored"
[ "$(k get manifestwork mw-smoke -n dp-east -o jsonpath='{.metadata.generation}')" = "$gen" ] || fail "generation bumped by status"

# label selectors
k create configmap other -n dp-east --from-literal=x=y >/dev/null
[ "$(k get cm -n dp-east -l app=smoke -o name)" = "configmap/smoke" ] || fail "-l app=smoke"
k get cm -n dp-east -l 'app!=smoke' -o name | grep -q 'configmap/other' || fail "-l app!=smoke"
k get cm -n dp-east -l 'tier in (web,api)' -o name | grep -q 'configmap/smoke' || fail "-l in"
k get cm -n dp-east -l '!tier' -o name | grep -q 'configmap/smoke' && fail "-l !tier"

# delete
k delete cm smoke -n dp-east | grep -q 'deleted' || fail "delete"
if k get cm smoke -n dp-east 2>"$tmp/nf.err"; then fail "still there"; fi
grep -q 'NotFound' "$tmp/nf.err" || fail "NotFound text"
k delete manifestwork mw-smoke -n dp-east >/dev/null || fail "delete mw"
echo "kubectl smoke: ok"
