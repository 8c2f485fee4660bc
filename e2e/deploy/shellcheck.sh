#!/usr/bin/env bash
# Runs shellcheck on every shell script under e2e/, .ci/ and scripts/ (files ending in .sh or
# starting with a sh/bash shebang). usage: shellcheck.sh SOURCE_DIR
# Exit 0 = clean, 1 = findings, 77 = skipped (shellcheck not installed; scripts/deps.sh installs it).
set -euo pipefail
src=${1:?usage: shellcheck.sh SOURCE_DIR}
if ! command -v shellcheck >/dev/null 2>&1; then
	echo "shellcheck not installed (scripts/deps.sh installs it): skipped"
	exit 77
fi
cd "$src"
scripts=()
while IFS= read -r -d '' f; do
	case "$f" in
	*.sh) scripts+=("$f") ;;
	*)
		first=$(head -n 1 "$f" 2>/dev/null | tr -d '\0' || true)
		case "$first" in
		'#!'*/sh | '#!'*/bash | '#!'*'env bash'* | '#!'*'env sh'*) scripts+=("$f") ;;
		esac
		;;
	esac
done < <(find e2e .ci scripts -type f ! -path '*/__pycache__/*' ! -path '*/out/*' -print0 2>/dev/null | sort -z)
if [ ${#scripts[@]} -eq 0 ]; then
	echo "no shell scripts found" >&2
	exit 1
fi
echo "shellcheck: ${#scripts[@]} scripts: ${scripts[*]}"
shellcheck -x -P SCRIPTDIR -S style "${scripts[@]}"
echo "shellcheck: clean"
