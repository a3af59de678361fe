# fileopend - the two commands: `make run` and `make test` (both run scripts/bootstrap first).
SHELL := /bin/bash
export PATH := /opt/swift/usr/bin:$(PATH)

SWIFT ?= swift
# Arguments for `make run`, e.g. make run ARGS="--print --json"
ARGS ?=

# Seconds per fuzz target: `make fuzz` (long) and `make test` (a short run from the committed corpus).
FUZZ_SECONDS ?= 240
TEST_FUZZ_SECONDS ?= 25

.PHONY: all bootstrap build release run test vmtest fuzz clean deb artifacts install install-files uninstall

all: build

bootstrap:
	@scripts/bootstrap

# The debug build `make run` uses: no test-only controls (see Package.swift's TestHooks trait).
build: bootstrap
	$(SWIFT) build

# The shipped release build (static Swift runtime), the one `make deb` packs and vmtest boots:
# .build-vmtest/release/fileopend and fileopenctl.
release: bootstrap
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-vmtest --product fileopend
	$(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-vmtest --product fileopenctl
	@echo "$$($(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-vmtest --show-bin-path)/fileopend"

# Starts the daemon in the foreground with config/fileopend.yaml (metrics on
# http://127.0.0.1:9469/metrics); Ctrl-C stops it and prints the totals.
run: build
	"$$($(SWIFT) build --show-bin-path)/fileopend" --config config/fileopend.yaml $(ARGS)

# The whole suite. First promtool checks and unit-tests the Prometheus rules (scripts/check-rules);
# after the Swift tests, the Kubernetes DaemonSet is validated (scripts/check-manifests), and the
# OCI image built from the .deb (scripts/build-image) runs under podman (ContainerImageTests).
# Kernel tests need root; under CI=true they must run, never skip. The tests'
# build has the test-only controls (--traits TestHooks); the shipped binaries (the .deb's, which are
# `make release`'s) are then checked to have none, and to fit their size budgets (docs/binary-size.md).
# vmtest runs the attach modes on every kernel and the systemd guest on the first (6.1) only, so that
# a cold run stays well under 30 minutes;
# `make vmtest` runs the systemd guest on every kernel.
test: bootstrap
	scripts/check-rules
	$(SWIFT) build --build-tests --traits TestHooks
	FILEOPEND_BIN_DIR="$$($(SWIFT) build --traits TestHooks --show-bin-path)" $(SWIFT) test --skip-build --traits TestHooks
	scripts/check-manifests "$$($(SWIFT) build --traits TestHooks --show-bin-path)/fileopend"
	scripts/fuzz $(TEST_FUZZ_SECONDS)
	deb=$$(scripts/package-deb) && lintian --fail-on error "$$deb" && scripts/check-no-test-hooks "$$deb" \
		"$$($(SWIFT) build -c release --static-swift-stdlib --scratch-path .build-vmtest --show-bin-path)/fileopend" && \
		scripts/check-binary-sizes "$$deb" && \
		image=$$(scripts/build-image "$$deb") && FILEOPEND_IMAGE="$$image" \
		FILEOPEND_BIN_DIR="$$($(SWIFT) build --traits TestHooks --show-bin-path)" \
		$(SWIFT) test --skip-build --traits TestHooks --filter ContainerImageTests
	scripts/check-man-pages man/*.[0-9]
	$(MAKE) --no-print-directory bench-quick
	scripts/soak --minutes 2
	VMTEST_SYSTEMD_KERNELS=$${VMTEST_SYSTEMD_KERNELS:-first} scripts/vmtest

# Every attach mode on each of Debian's stock kernels under qemu (downloaded once, outside the
# repository): fentry, kprobe, tracepoint, auto and auto's fallback; then the .deb under systemd.
# Needs root; see docs/testing.md "Testing other kernels".
vmtest: bootstrap
	scripts/vmtest

# Fuzzes every parser (Fuzz/*Fuzzer) with libFuzzer + AddressSanitizer from its committed corpus,
# FUZZ_SECONDS each (scripts/fuzz); `make fuzz FUZZERS=HTTPRequestFuzzer` picks one.
FUZZERS ?=
fuzz: bootstrap
	scripts/fuzz $(FUZZ_SECONDS) $(FUZZERS)

# Performance (docs/performance.md; Benchmarks/run): fileopend side by side with a minimal C libbpf
# consumer of the same BPF object and with opensnoop, plus /metrics, memory and query latency at scale.
# bench: five interleaved repetitions, under 15 minutes, exit 1 when a target is missed;
# bench-quick: one short repetition, under 2 minutes, targets reported but not enforced.
# bench-micro: package-benchmark micro-benchmarks (Benchmarks/Micro), never built by `make test`.
# Everything runs at nice 19; the release build is vmtest's and the .deb's (.build-vmtest), the
# benchmark's own files are in .build-bench, among them its instrumented release build (the same
# with --traits TestHooks, for the consumer stall and the synthetic processes).
.PHONY: bench bench-quick bench-micro
bench: bootstrap
	nice -n 19 Benchmarks/run

bench-quick: bootstrap
	nice -n 19 Benchmarks/run --quick

bench-micro: bootstrap
	cd Benchmarks/Micro && nice -n 19 $(SWIFT) package --scratch-path ../../.build-bench/micro \
		--allow-writing-to-package-directory benchmark --no-progress

# A steady load for a long time (scripts/soak, docs/testing.md "Soak"): the release daemon at half its
# drop-free open rate from 1,000+ short-lived processes a second, scraped, queried and tailed every
# second; checks that memory, descriptors, tracked processes and the kernel maps stay flat and that
# every open is counted. SOAK_MINUTES=1440 for 24 hours; make test runs 2 minutes.
SOAK_MINUTES ?= 10
.PHONY: soak
soak: bootstrap
	scripts/soak --minutes $(SOAK_MINUTES)

# The Debian package: .build-deb/fileopend_<version>_<arch>.deb (its path is the last line printed).
# The release build is scripts/vmtest's, in .build-vmtest; see scripts/package-deb.
deb: bootstrap
	@scripts/package-deb

# make install / make uninstall, for hosts without dpkg. PREFIX and DESTDIR as usual; systemd reads
# units, sysusers.d and tmpfiles.d under /usr/local/lib and /usr/lib, so with another PREFIX set
# UNITDIR=/etc/systemd/system SYSUSERSDIR=/etc/sysusers.d TMPFILESDIR=/etc/tmpfiles.d.
PREFIX ?= /usr/local
DESTDIR ?=
BINDIR ?= $(PREFIX)/bin
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
ZSHCOMPDIR ?= $(DATADIR)/zsh/site-functions
FISHCOMPDIR ?= $(DATADIR)/fish/vendor_completions.d
# The daemon's default configuration file is /etc/fileopend/fileopend.yaml whatever the PREFIX.
CONFDIR ?= /etc/fileopend
ARTIFACTS := .build-deb/artifacts

# Stripped binaries and completions in $(ARTIFACTS), from the release build (the man pages are man/'s).
artifacts: bootstrap
	@scripts/package-deb --artifacts-only >/dev/null

# Without DESTDIR it also creates the user and group and /run/fileopend and reloads systemd; it
# does not enable or start anything: `systemctl enable --now fileopend` does.
install: artifacts
	@$(MAKE) --no-print-directory install-files
	@if [ -n "$(DESTDIR)" ]; then :; \
	elif command -v systemd-sysusers >/dev/null; then \
		echo "systemd-sysusers $(SYSUSERSDIR)/fileopend.conf"; systemd-sysusers $(SYSUSERSDIR)/fileopend.conf && \
		echo "systemd-tmpfiles --create $(TMPFILESDIR)/fileopend.conf"; systemd-tmpfiles --create $(TMPFILESDIR)/fileopend.conf && \
		if [ -d /run/systemd/system ]; then echo "systemctl daemon-reload"; systemctl daemon-reload; fi; \
	else \
		echo "install: no systemd here: create the system user and group fileopend and /run/fileopend (0750) yourself"; \
	fi

# The files alone, from $(ARTIFACTS) (scripts/package-deb stages the .deb with this too). The unit's
# ExecStart names /usr/sbin/fileopend and /etc/fileopend/fileopend.yaml: rewritten for SBINDIR and
# CONFDIR. An existing configuration file is never overwritten.
install-files:
	@test -x $(ARTIFACTS)/fileopend || { echo "install: no $(ARTIFACTS)/fileopend: run make artifacts (make install does)" >&2; exit 1; }
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5 \
		$(DESTDIR)$(MANDIR)/man8 $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(BASHCOMPDIR) $(DESTDIR)$(ZSHCOMPDIR) \
		$(DESTDIR)$(FISHCOMPDIR) $(DESTDIR)$(CONFDIR) $(DESTDIR)$(DATADIR)/doc/fileopend/examples
	install -m 0755 $(ARTIFACTS)/fileopend $(DESTDIR)$(SBINDIR)/fileopend
	install -m 0755 $(ARTIFACTS)/fileopenctl $(DESTDIR)$(BINDIR)/fileopenctl
	install -m 0644 man/fileopend.8 $(DESTDIR)$(MANDIR)/man8/fileopend.8
	install -m 0644 man/fileopenctl.1 $(DESTDIR)$(MANDIR)/man1/fileopenctl.1
	install -m 0644 man/fileopend.yaml.5 $(DESTDIR)$(MANDIR)/man5/fileopend.yaml.5
	install -m 0644 config/web-config.example.yml $(DESTDIR)$(DATADIR)/doc/fileopend/examples/web-config.example.yml
	sed -e 's|^ExecStart=/usr/sbin/fileopend |ExecStart=$(SBINDIR)/fileopend |' \
		-e 's| --config /etc/fileopend/fileopend.yaml$$| --config $(CONFDIR)/fileopend.yaml|' \
		systemd/fileopend.service >$(DESTDIR)$(UNITDIR)/fileopend.service
	@grep -qx 'ExecStart=$(SBINDIR)/fileopend --config $(CONFDIR)/fileopend.yaml' $(DESTDIR)$(UNITDIR)/fileopend.service || \
		{ echo "install: systemd/fileopend.service's ExecStart changed: update the sed in the Makefile" >&2; exit 1; }
	chmod 0644 $(DESTDIR)$(UNITDIR)/fileopend.service
	install -m 0644 systemd/fileopend.socket systemd/fileopend-query.socket $(DESTDIR)$(UNITDIR)/
	install -m 0644 systemd/sysusers.d/fileopend.conf $(DESTDIR)$(SYSUSERSDIR)/fileopend.conf
	install -m 0644 systemd/tmpfiles.d/fileopend.conf $(DESTDIR)$(TMPFILESDIR)/fileopend.conf
	install -m 0644 $(ARTIFACTS)/completions/fileopenctl.bash $(DESTDIR)$(BASHCOMPDIR)/fileopenctl
	install -m 0644 $(ARTIFACTS)/completions/fileopenctl.zsh $(DESTDIR)$(ZSHCOMPDIR)/_fileopenctl
	install -m 0644 $(ARTIFACTS)/completions/fileopenctl.fish $(DESTDIR)$(FISHCOMPDIR)/fileopenctl.fish
	@if [ -e $(DESTDIR)$(CONFDIR)/fileopend.yaml ]; then \
		echo "install: kept the existing $(DESTDIR)$(CONFDIR)/fileopend.yaml"; \
	else \
		echo "install -m 0644 config/fileopend.yaml $(DESTDIR)$(CONFDIR)/fileopend.yaml"; \
		install -m 0644 config/fileopend.yaml $(DESTDIR)$(CONFDIR)/fileopend.yaml; \
	fi

# Removes what install put, with the same variables. The configuration file only if it is still the
# shipped default (an admin's changes stay); the user and group stay, as Debian leaves system users.
uninstall:
	@if [ -z "$(DESTDIR)" ] && [ -d /run/systemd/system ] && [ -e $(UNITDIR)/fileopend.service ]; then \
		echo "systemctl disable --now fileopend.service fileopend.socket fileopend-query.socket"; \
		systemctl disable --now fileopend.service fileopend.socket fileopend-query.socket || true; \
	fi
	rm -f $(DESTDIR)$(SBINDIR)/fileopend $(DESTDIR)$(BINDIR)/fileopenctl \
		$(DESTDIR)$(MANDIR)/man8/fileopend.8 $(DESTDIR)$(MANDIR)/man1/fileopenctl.1 \
		$(DESTDIR)$(MANDIR)/man5/fileopend.yaml.5 \
		$(DESTDIR)$(DATADIR)/doc/fileopend/examples/web-config.example.yml \
		$(DESTDIR)$(UNITDIR)/fileopend.service $(DESTDIR)$(UNITDIR)/fileopend.socket \
		$(DESTDIR)$(UNITDIR)/fileopend-query.socket $(DESTDIR)$(SYSUSERSDIR)/fileopend.conf \
		$(DESTDIR)$(TMPFILESDIR)/fileopend.conf $(DESTDIR)$(BASHCOMPDIR)/fileopenctl \
		$(DESTDIR)$(ZSHCOMPDIR)/_fileopenctl $(DESTDIR)$(FISHCOMPDIR)/fileopenctl.fish
	@if [ ! -e $(DESTDIR)$(CONFDIR)/fileopend.yaml ]; then :; \
	elif cmp -s config/fileopend.yaml $(DESTDIR)$(CONFDIR)/fileopend.yaml; then \
		echo "rm -f $(DESTDIR)$(CONFDIR)/fileopend.yaml"; rm -f $(DESTDIR)$(CONFDIR)/fileopend.yaml; \
	else \
		echo "uninstall: kept $(DESTDIR)$(CONFDIR)/fileopend.yaml (changed since install)"; \
	fi
	@rmdir $(DESTDIR)$(CONFDIR) 2>/dev/null || true
	@if [ -z "$(DESTDIR)" ]; then \
		rm -rf /run/fileopend; \
		if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi; \
	fi

clean:
	$(SWIFT) package clean
	rm -rf .build-vmtest .build-fuzz .build-deb .build-bench .build-soak
