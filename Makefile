# Tollgate — build, test, demo and install on Debian 12 (run as root).
#
#   make demo    install what is needed, build, and run the demo on a private cupsd
#   make test    install what is needed and run every test (unit and end-to-end)
#   make bench   run the benchmarks (figures, not tests)
#   make benchmarks  run every benchmark and the fuzz campaign, writing docs/BENCHMARKS.md
#   make load    1000 jobs from 50 real users through four queues, every job accounted for
#   make fuzz    libFuzzer campaign over the analysers, IPP decoder, rates cards, forms (Fuzz/)
#   make install install the backend and tools into the system CUPS
#   make deb     build the Debian package (binary and source) into dist/

SWIFT        ?= swift
PREFIX       ?= /usr/local
CUPS_BACKEND ?= /usr/lib/cups/backend
LIBEXEC      ?= /usr/lib/tollgate
SYSTEMD_UNITS ?= /etc/systemd/system
RELEASE_FLAGS = -c release --static-swift-stdlib

# Debian packages the build, the tests and the demo need. Swift itself comes from swift.org.
APT_PACKAGES = cups cups-daemon cups-client cups-ipp-utils cups-filters ghostscript qpdf \
               libcups2-dev libqpdf-dev zlib1g-dev libsqlite3-dev libcrypt-dev libpam0g-dev \
               cups-bsd dbus-daemon python3 poppler-utils jq make gcc g++ binutils curl chromium chromium-driver python3-selenium \
               systemd postgresql libpq-dev python3-venv python3-aiosmtpd faketime

.PHONY: deps static-libs build release-build build-tests test api-contract fuzz demo bench benchmarks load install clean deb-deps deb deb-test

# What `make deb` needs on top of APT_PACKAGES: the Debian packaging tools.
DEB_PACKAGES = debhelper devscripts dpkg-dev lintian fakeroot man-db

deps:
	@if ! dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(APT_PACKAGES); \
	fi

# What the release link reads first (see Package.swift): libstdc++.a alone, and libqpdf's archive
# with the shared libraries libqpdf.so itself needs, read from libqpdf as installed.
static-libs: deps
	@packaging/release-link-inputs.sh .build-static-libs

build: deps static-libs
	$(SWIFT) build $(RELEASE_FLAGS)

# The release build alone, installing nothing: what debian/rules runs (a package build must not
# call apt). `make build` is the same after `make deps`.
release-build:
	@packaging/release-link-inputs.sh .build-static-libs
	$(SWIFT) build $(RELEASE_FLAGS)

build-tests: deps
	$(SWIFT) build --build-tests

test: build-tests
	$(SWIFT) test
	# The store suites again on PostgreSQL (a private server the tests start, never the system's).
	TOLLGATE_TEST_STORE=postgresql $(SWIFT) test --skip-build --filter QuotaDBTests
	$(MAKE) api-contract

# libFuzzer campaign, FUZZ_SECONDS per target (4 targets; a long one: make fuzz FUZZ_SECONDS=3600).
FUZZ_SECONDS ?= 60
fuzz: deps
	Fuzz/run.sh $(FUZZ_SECONDS)

# The Accounts API against its OpenAPI document (schemathesis from PyPI, in a venv under .build):
# no 5xx, every response as the document says.
SCHEMATHESIS_VERSION = 4.32.5
api-contract: build-tests
	@test -x .build/schemathesis/bin/schemathesis || \
	    { python3 -m venv .build/schemathesis && .build/schemathesis/bin/pip install -q schemathesis==$(SCHEMATHESIS_VERSION); }
	SCHEMATHESIS=$(CURDIR)/.build/schemathesis/bin/schemathesis Tests/AccountsAPITests/schemathesis.sh "$$($(SWIFT) build --show-bin-path)"

demo: build
	demo/run-demo.sh "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"

bench: build
	@dpkg -s wrk >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk
	python3 bench/backend.py --bin "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"
	STATION_BENCH_SCRATCH=.build bench/station.sh
	bench/api.sh "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"

# Load: jobs of real users (useradd) through four queues of a private cupsd, then every job is
# accounted for — it fails if one is not (bench/load.py; CI runs 200 jobs from 20 users).
LOAD_JOBS ?= 1000
LOAD_USERS ?= 50
load: build
	python3 bench/load.py --bin "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)" --jobs $(LOAD_JOBS) --users $(LOAD_USERS)

# docs/BENCHMARKS.md, every figure in it printed by this one run (bench/report.py says how long).
benchmarks: build
	@dpkg -s wrk >/dev/null 2>&1 || DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk
	python3 bench/report.py --bin "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)"

install: build
	install -o root -g root -m 0700 "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/tollgate-backend" $(CUPS_BACKEND)/tollgate
	install -o root -g root -m 0755 "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/tollgate" $(PREFIX)/bin/tollgate
	install -d -o root -g root -m 0755 $(LIBEXEC)
	install -o root -g root -m 0755 "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/tollgate-analyse" $(LIBEXEC)/tollgate-analyse
	install -o root -g root -m 0755 "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/tollgate-gate" $(LIBEXEC)/tollgate-gate
	install -o root -g root -m 0755 "$$($(SWIFT) build $(RELEASE_FLAGS) --show-bin-path)/tollgated" $(PREFIX)/sbin/tollgated
	[ -e /etc/pam.d/tollgate ] || install -o root -g root -m 0644 packaging/pam.d/tollgate /etc/pam.d/tollgate
	for unit in tollgated.service tollgate-maintenance.service tollgate-maintenance.timer; do \
	    sed -e 's|@SBINDIR@|$(PREFIX)/sbin|g' -e 's|@BINDIR@|$(PREFIX)/bin|g' packaging/systemd/$$unit >$(SYSTEMD_UNITS)/$$unit; \
	done
	[ -e /etc/default/tollgated ] || install -o root -g root -m 0644 packaging/systemd/tollgated.default /etc/default/tollgated
	@echo "systemd units installed (not enabled): systemctl enable --now tollgated tollgate-maintenance.timer"

deb-deps: deps
	@if ! dpkg -s $(DEB_PACKAGES) >/dev/null 2>&1; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $(DEB_PACKAGES); \
	fi

# dist/tollgate_VERSION_amd64.deb and the source package (.dsc, .tar.xz), VERSION from
# debian/changelog (DEB_VERSION=… builds another, e.g. for the upgrade test). The binaries are
# this tree's release build (.build, shared with make build and make demo).
deb: deb-deps
	packaging/deb/build-deb.sh dist

# The package, end to end: build two versions, lintian, then install, print, upgrade, remove and
# purge in a throwaway root (packaging/deb/test-deb.sh says what it covers).
deb-test: deb-deps
	packaging/deb/test-deb.sh

clean:
	rm -rf .build .build-static-libs .build-deb .build-fuzz dist
