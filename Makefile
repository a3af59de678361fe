# fileopend - the two commands: `make run` and `make test` (both run scripts/bootstrap first).
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT ?= swift
# Arguments for `make run`, e.g. make run ARGS="--print --json"
ARGS ?= --print

FUZZ_SECONDS ?= 60

.PHONY: all bootstrap build release run test fuzz clean

all: build

bootstrap:
	@scripts/bootstrap

build: bootstrap
	$(SWIFT) build

release: bootstrap
	$(SWIFT) build -c release --static-swift-stdlib

# Starts the daemon in the foreground; Ctrl-C stops it and prints the totals.
run: build
	"$$($(SWIFT) build --show-bin-path)/fileopend" $(ARGS)

# The whole suite. Kernel tests need root; under CI=true they must run, never skip.
test: build
	$(SWIFT) build --build-tests
	FILEOPEND_BIN_DIR="$$($(SWIFT) build --show-bin-path)" $(SWIFT) test --skip-build

# Fuzzes the ring-buffer record decoder with libFuzzer + AddressSanitizer for FUZZ_SECONDS.
fuzz: bootstrap
	$(SWIFT) build --scratch-path .build-fuzz --product RecordDecoderFuzzer \
		-Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
	mkdir -p .build-fuzz/corpus/record-decoder
	.build-fuzz/debug/RecordDecoderFuzzer -max_total_time=$(FUZZ_SECONDS) -max_len=8192 \
		.build-fuzz/corpus/record-decoder

clean:
	$(SWIFT) package clean
