#!/usr/bin/env bash
# Installs the Debian packages choreo-ocm needs to build, test and demo.
# Idempotent: does nothing when everything is already installed.
# Runs apt-get as root, or through sudo when not root.
set -euo pipefail

# What uses what: build-essential/cmake/pkg-config and the -dev packages build everything;
# clang + libclang-rt-dev (the ASan/UBSan runtime: only a Recommends of clang, and we install
# without recommends) for `make asan`; python3 runs the emulator and the e2e drivers, python3-yaml
# the deploy checks; openssl makes the test PKI; shellcheck and valgrind back their ctest entries.
# kubectl is optional (not in Debian): the tests that need it skip with a message.
pkgs=(build-essential cmake clang libclang-rt-dev pkg-config python3 python3-yaml openssl
	libuv1-dev libcurl4-openssl-dev libssl-dev libcjson-dev libyaml-dev libcriterion-dev zlib1g-dev
	shellcheck valgrind)

missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "deps: installing ${missing[*]}" >&2
if [ "$(id -u)" -eq 0 ]; then
	sudo=()
elif command -v sudo >/dev/null 2>&1; then
	sudo=(sudo)
else
	echo "deps: missing packages (${missing[*]}) and not root, no sudo: install them and retry" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
