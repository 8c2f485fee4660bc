#!/bin/sh
# Runs daemon e2e scenarios with `choreo-ocm run` under valgrind memcheck (long form; not in
# ctest: valgrind makes the daemon ~20x slower). Every daemon process gets its own log.
#
#   e2e/security/valgrind.sh [--build DIR] [--slow N] [scenario...]
#       scenario: secrets (default; e2e/security/test_secrets.py: create, apply failure,
#                 rotation, delete, SIGTERM drain), lifecycle, topology, deletion,
#                 leaderelection (the e2e/daemon suites of the same names), or all
#       --build   build directory for a plain (no sanitizer) debug build (default build-valgrind)
#       --slow    timeout multiplier handed to the scenario (default 10)
#
# Prints, per scenario and in total:
#   valgrind scenario=<s> processes=N killed=K errors=E definitely_lost=B indirectly_lost=B possibly_lost=B
# (killed: daemons the scenario SIGKILLed on purpose; valgrind cannot report on those)
# Exit 1 when a scenario fails, valgrind reports an error, or anything is definitely or
# indirectly lost. Logs: <build>/valgrind/<scenario>/vg.<pid>.log (kept).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build="$root/build-valgrind"
slow=10
while [ $# -gt 0 ]; do
	case "$1" in
	--build) build=$2; shift 2 ;;
	--slow) slow=$2; shift 2 ;;
	-h|--help) sed -n '2,18p' "$0"; exit 0 ;;
	-*) echo "valgrind.sh: unknown flag $1" >&2; exit 2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || set -- secrets
[ "$1" != all ] || set -- secrets lifecycle topology deletion leaderelection
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed" >&2; exit 2; }

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build "$build" -j2 --target choreo-ocm >/dev/null
bin="$build/hub-addon/choreo-ocm"

status=0
tot_p=0; tot_k=0; tot_e=0; tot_d=0; tot_i=0; tot_q=0
for scenario in "$@"; do
	logs="$build/valgrind/$scenario"
	rm -rf "$logs"
	mkdir -p "$logs"
	wrap="$logs/choreo-ocm"
	cat >"$wrap" <<WRAP
#!/bin/sh
exec valgrind --leak-check=full --show-leak-kinds=definite,indirect,possible \\
	--errors-for-leak-kinds=definite,indirect --error-exitcode=99 --num-callers=30 \\
	--log-file="$logs/vg.%p.log" "$bin" "\$@"
WRAP
	chmod +x "$wrap"
	case "$scenario" in
	secrets) dir="$here"; suite=test_secrets ;;
	lifecycle) dir="$root/e2e/daemon"; suite=test_daemon.Lifecycle ;;
	topology) dir="$root/e2e/daemon"; suite=test_daemon.Topology ;;
	deletion) dir="$root/e2e/daemon"; suite=test_daemon.Deletion ;;
	leaderelection) dir="$root/e2e/daemon"; suite=test_daemon.LeaderElection ;;
	*) echo "valgrind.sh: unknown scenario $scenario" >&2; exit 2 ;;
	esac
	if ! (cd "$dir" && COCM_BIN="$wrap" COCM_E2E_SLOW="$slow" PYTHONDONTWRITEBYTECODE=1 \
		python3 -m unittest -v "$suite") >"$logs/scenario.log" 2>&1; then
		echo "valgrind.sh: scenario $scenario failed (see $logs/scenario.log)" >&2
		tail -20 "$logs/scenario.log" >&2
		status=1
	fi
	p=0; e=0; d=0; i=0; q=0; k=0
	for f in "$logs"/vg.*.log; do
		[ -f "$f" ] || continue
		p=$((p + 1))
		n=$(sed -n 's/.*ERROR SUMMARY: \([0-9,]*\) errors.*/\1/p' "$f" | tr -d , | tail -1)
		e=$((e + ${n:-0}))
		n=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tr -d , | tail -1)
		d=$((d + ${n:-0}))
		n=$(sed -n 's/.*indirectly lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tr -d , | tail -1)
		i=$((i + ${n:-0}))
		n=$(sed -n 's/.*possibly lost: \([0-9,]*\) bytes.*/\1/p' "$f" | tr -d , | tail -1)
		q=$((q + ${n:-0}))
		# No ERROR SUMMARY: only SIGKILL stops valgrind from writing one (a crash is reported
		# with its summary), and the failover scenarios SIGKILL a leader on purpose.
		if ! grep -q 'ERROR SUMMARY' "$f"; then
			k=$((k + 1))
		fi
	done
	echo "valgrind scenario=$scenario processes=$p killed=$k errors=$e definitely_lost=$d indirectly_lost=$i possibly_lost=$q"
	[ "$p" -gt "$k" ] || { echo "valgrind.sh: no daemon finished under valgrind" >&2; status=1; }
	if [ "$e" -gt 0 ] || [ "$d" -gt 0 ] || [ "$i" -gt 0 ]; then
		status=1
		echo "valgrind.sh: see $logs/vg.*.log" >&2
	fi
	tot_p=$((tot_p + p)); tot_k=$((tot_k + k)); tot_e=$((tot_e + e)); tot_d=$((tot_d + d)); tot_i=$((tot_i + i)); tot_q=$((tot_q + q))
done
echo "valgrind total processes=$tot_p killed=$tot_k errors=$tot_e definitely_lost=$tot_d indirectly_lost=$tot_i possibly_lost=$tot_q"
exit $status
