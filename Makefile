# The two commands: `make demo` and `make test`. Both install what they need first.
# Other targets: build, asan (sanitizer suite), release, bench, fuzz (FUZZ_SECONDS per target), clean.
BUILD   ?= build
ASAN    ?= build-asan
JOBS    ?= $(shell nproc 2>/dev/null || echo 2)
CTEST_ARGS ?=

.PHONY: all deps build test asan release demo bench fuzz clean

all: build

deps:
	@./scripts/deps.sh

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=Debug >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)

asan: deps
	@cmake -S . -B $(ASAN) -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
		-DCOCM_SANITIZE=address,undefined >/dev/null
	@cmake --build $(ASAN) -j$(JOBS)
	@cd $(ASAN) && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j$(JOBS) $(CTEST_ARGS)

release: deps
	@cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release >/dev/null
	@cmake --build build-release -j$(JOBS)

demo: build
	@./e2e/demo/run $(BUILD)/hub-addon/choreo-ocm

bench: deps
	@./bench/run

FUZZ_SECONDS ?= 10
fuzz: deps
	@./fuzz/run --seconds $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD) $(ASAN) build-release build-fuzz
