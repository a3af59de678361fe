# fileopend - the two commands: `make run` and `make test` (both run scripts/bootstrap first).
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT ?= swift
# Arguments for `make run`, e.g. make run ARGS="--print --json"
ARGS ?=

FUZZ_SECONDS ?= 60

.PHONY: all bootstrap build release run test vmtest fuzz clean

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	$(SWIFT) build

release: bootstrap
	$(SWIFT) build -c release --static-swift-stdlib

# Starts the daemon in the foreground with config/fileopend.yaml (metrics on
# http://127.0.0.1:9469/metrics); Ctrl-C stops it and prints the totals.
run: build
	"$$($(SWIFT) build --show-bin-path)/fileopend" --config config/fileopend.yaml $(ARGS)

# The whole suite. Kernel tests need root; under CI=true they must run, never skip.
test: build
	$(SWIFT) build --build-tests
	FILEOPEND_BIN_DIR="$$($(SWIFT) build --show-bin-path)" $(SWIFT) test --skip-build
	scripts/vmtest

# Every attach mode on Debian's stock kernel under qemu (downloads it once, outside the repository):
# fentry, kprobe, tracepoint, auto and auto's fallback. Needs root; see README "Testing other kernels".
vmtest: bootstrap
	scripts/vmtest

# Fuzzes every parser (Fuzz/*) with libFuzzer + AddressSanitizer, FUZZ_SECONDS each;
# `make fuzz FUZZERS=HTTPRequestFuzzer` picks one.
FUZZERS ?= $(notdir $(wildcard Fuzz/*Fuzzer))
fuzz: bootstrap
	set -e; for fuzzer in $(FUZZERS); do \
		$(SWIFT) build --scratch-path .build-fuzz --product $$fuzzer \
			-Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING; \
		mkdir -p .build-fuzz/corpus/$$fuzzer; \
		.build-fuzz/debug/$$fuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=16384 .build-fuzz/corpus/$$fuzzer; \
	done

clean:
	$(SWIFT) package clean
	rm -rf .build-vmtest .build-fuzz
