# alertrouter -- a drop-in replacement for Prometheus Alertmanager, in C.
#
#   make run        build, render config.tmpl from the environment, start on :9093
#   make test       unit tests (Check) + integration tests against real peers
#   make test-asan  the same tests, built with AddressSanitizer + UBSan
#   make deps       install the Debian 12 packages the project needs
#
# Every build output goes below $(BUILD); several builds (plain, asan, fuzz)
# live side by side.

VERSION   := 0.1.0
BUILD     ?= build
CC        ?= cc
SAN       ?=

# Debian 12 packages: the build, the tests' real peers, the reference
# Alertmanager the tests compare against, and docker-compose (1.29), which
# validates examples/docker-compose.yml without a Docker engine.  README.md
# shows the same list.  nodejs + npm run the Adaptive Card schema check (ajv,
# installed by the test under $(BUILD)/node); an npm bundled with another
# nodejs build (NodeSource's conflicts with Debian's npm package) counts as
# present.
DEPS := gcc make pkg-config libev-dev libcurl4-openssl-dev libjansson-dev \
        libyaml-dev libmicrohttpd-dev libpcre2-dev check libsubunit-dev \
        curl python3 python3-aiosmtpd python3-yaml openssl nodejs npm \
        prometheus prometheus-alertmanager docker-compose

PKGS      := libcurl jansson yaml-0.1 libmicrohttpd libpcre2-8
GIT_REV   := $(shell git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
BUILD_DATE:= $(shell date -u +%Y%m%d-%H:%M:%S)

CFLAGS_BASE := -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
               -Wno-unused-parameter -Wshadow -Wformat=2 -Wvla \
               -DPCRE2_CODE_UNIT_WIDTH=8 \
               -DAR_VERSION='"$(VERSION)"' -DAR_REVISION='"$(GIT_REV)"' \
               -DAR_BUILD_DATE='"$(BUILD_DATE)"'
ifeq ($(SAN),1)
CFLAGS_BASE += -O1 -fsanitize=address,undefined -fno-omit-frame-pointer \
               -fno-sanitize-recover=undefined
LDFLAGS     += -fsanitize=address,undefined
endif

# libcurl is compiled against but not linked: router/curl_dl.c dlopen()s it
# on the first send, so a start does not map its ~30 dependencies.
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   = $(shell pkg-config --libs $(filter-out libcurl,$(PKGS)) 2>/dev/null) -lev -lm -ldl
CHECK_CFLAGS = $(shell pkg-config --cflags check 2>/dev/null)
CHECK_LIBS   = $(shell pkg-config --libs check 2>/dev/null)

ALL_CFLAGS = $(CFLAGS_BASE) $(PKG_CFLAGS) $(CFLAGS)

SRCS      := $(wildcard router/*.c)
CORE_SRCS := $(filter-out router/main.c,$(SRCS))
CORE_OBJS := $(CORE_SRCS:router/%.c=$(BUILD)/obj/%.o) $(BUILD)/obj/default_tmpl.o
TEST_SRCS := $(wildcard tests/unit/test_*.c)
TEST_OBJS := $(TEST_SRCS:tests/unit/%.c=$(BUILD)/test/%.o)
SUITES    := $(patsubst tests/unit/test_%.c,%,$(TEST_SRCS))

# Programs the integration tests run beside the router: each
# tests/integration/X.c becomes $(BUILD)/X, linked with the router's modules
# (metrics_dump for t_metrics_format.sh, http_client_driver for
# t_http_client.sh).
ITEST_SRCS := $(wildcard tests/integration/*.c)
ITEST_BINS := $(ITEST_SRCS:tests/integration/%.c=$(BUILD)/%)

BIN       := $(BUILD)/alertrouter
UNIT      := $(BUILD)/unit_tests

.PHONY: all deps run test unit integration test-asan fuzz bench bench-tools bench-mem clean print-deps

all: $(BIN)

print-deps:
	@echo $(DEPS)

deps:
	@missing=""; for p in $(DEPS); do \
	  if [ "$$p" = npm ] && command -v npm >/dev/null; then continue; fi; \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q 'install ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -z "$$missing" ]; then exit 0; fi; \
	if [ "$$(id -u)" != 0 ]; then \
	  echo "missing Debian packages:$$missing"; \
	  echo "run: sudo apt-get update && sudo apt-get install -y$$missing"; exit 1; \
	fi; \
	echo "installing:$$missing"; \
	apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$missing

$(BUILD)/obj/%.o: router/%.c $(wildcard router/*.h) | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/obj/main.o: router/main.c $(wildcard router/*.h) | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BIN): $(BUILD)/obj/main.o $(CORE_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS)

# Check runner: one binary, one summary line.  Each tests/unit/test_X.c
# defines `Suite *X_suite(void)`; the list is generated from file names so
# adding a module's tests is adding one file.
$(BUILD)/test/suites.h: $(TEST_SRCS) | $(BUILD)/test
	@{ for s in $(SUITES); do echo "SUITE($$s)"; done; } > $@.tmp && \
	  (cmp -s $@.tmp $@ || mv $@.tmp $@); rm -f $@.tmp

$(BUILD)/test/%.o: tests/unit/%.c $(wildcard router/*.h tests/unit/*.h) | $(BUILD)/test
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Irouter -c -o $@ $<

$(BUILD)/test/check_main.o: tests/unit/check_main.c $(BUILD)/test/suites.h | $(BUILD)/test
	$(CC) $(ALL_CFLAGS) $(CHECK_CFLAGS) -Irouter -I$(BUILD)/test -c -o $@ $<

$(UNIT): $(BUILD)/test/check_main.o $(BUILD)/test/testutil.o $(TEST_OBJS) $(CORE_OBJS)
	$(CC) $(LDFLAGS) -o $@ $^ $(PKG_LIBS) $(CHECK_LIBS)

$(ITEST_BINS): $(BUILD)/%: tests/integration/%.c $(CORE_OBJS) $(wildcard router/*.h) $(wildcard tests/integration/*.h)
	$(CC) $(ALL_CFLAGS) -Irouter $(LDFLAGS) -o $@ $< $(CORE_OBJS) $(PKG_LIBS)

$(BUILD)/obj $(BUILD)/test:
	mkdir -p $@

# templates/default.tmpl is compiled into the binary (template.c reads
# tmpl_default_text), so `make run` needs no installed files.  od + awk
# rather than xxd, which is not always installed.
.PRECIOUS: %/gen/default_tmpl.c
%/gen/default_tmpl.c: templates/default.tmpl
	@mkdir -p $(@D)
	@{ echo '/* generated from templates/default.tmpl by the Makefile; do not edit */'; \
	  echo '#include <stddef.h>'; \
	  echo 'extern const unsigned char tmpl_default_text[];'; \
	  echo 'extern const size_t tmpl_default_len;'; \
	  echo 'const unsigned char tmpl_default_text[] = {'; \
	  od -An -v -tu1 $< | awk '{ for (i = 1; i <= NF; i++) printf "%s,", $$i; print "" }'; \
	  echo '0};'; \
	  echo "const size_t tmpl_default_len = $$(wc -c < $<);"; } > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/default_tmpl.o: $(BUILD)/gen/default_tmpl.c | $(BUILD)/obj
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# Memory per stored alert (bench/store_mem.c); not part of `make test`.
$(BUILD)/store_mem: bench/store_mem.c $(CORE_OBJS) $(wildcard router/*.h)
	$(CC) $(ALL_CFLAGS) -Irouter $(LDFLAGS) -o $@ bench/store_mem.c $(CORE_OBJS) $(PKG_LIBS)

bench-mem: $(BUILD)/store_mem
	$(BUILD)/store_mem 100000

run: deps $(BIN)
	$(BIN) --config.template config.tmpl --storage.path $(BUILD)/data

unit: $(UNIT)
	$(UNIT)

integration: $(BIN) $(ITEST_BINS)
	BUILD=$(BUILD) tests/integration/run.sh $(abspath $(BIN))

test: deps
	$(MAKE) unit
	$(MAKE) integration

test-asan: deps
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  $(MAKE) BUILD=build-asan SAN=1 unit integration

# libFuzzer targets: fuzz/fuzz_X.c defines LLVMFuzzerTestOneInput, seeds in
# fuzz/seeds/fuzz_X/, tokens in fuzz/fuzz_X.dict if present.  `make fuzz`
# runs each for FUZZ_TIME seconds on a working corpus under build-fuzz/
# (never written into the tree), goes on to
# the next target after a crash, and fails at the end if any target crashed;
# a crashing input is left as build-fuzz/fuzz_X-crash-<sha1>.  FUZZ=name
# picks targets (FUZZ=config runs fuzz_config only).  UBSan findings count
# as crashes (halt_on_error): the fuzz build recovers from them otherwise.
FUZZ_SRCS    := $(wildcard fuzz/fuzz_*.c)
FUZZ_BINS    := $(FUZZ_SRCS:fuzz/%.c=build-fuzz/%)
FUZZ_TIME    ?= 60
FUZZ         ?=
FUZZ_CFLAGS  := $(filter-out -O2 -Werror,$(CFLAGS_BASE)) -O1 -g -fsanitize=fuzzer,address,undefined \
                -fno-omit-frame-pointer $(PKG_CFLAGS)

build-fuzz/fuzz_%: fuzz/fuzz_%.c $(CORE_SRCS) build-fuzz/gen/default_tmpl.c $(wildcard router/*.h)
	@mkdir -p build-fuzz
	clang $(FUZZ_CFLAGS) -o $@ $< $(CORE_SRCS) build-fuzz/gen/default_tmpl.c $(PKG_LIBS)

fuzz: $(FUZZ_BINS)
	@failed=""; for b in $(FUZZ_BINS); do t=$${b#build-fuzz/}; \
	  case "$$t" in *"$(FUZZ)"*) ;; *) continue ;; esac; mkdir -p build-fuzz/corpus-$$t; \
	  echo "fuzzing $$t for $(FUZZ_TIME)s"; \
	  UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  $$b -max_total_time=$(FUZZ_TIME) -timeout=5 -rss_limit_mb=1024 \
	    -artifact_prefix=build-fuzz/$$t- $$([ -f fuzz/$$t.dict ] && echo -dict=fuzz/$$t.dict) \
	    build-fuzz/corpus-$$t fuzz/seeds/$$t > build-fuzz/$$t.log 2>&1 || failed="$$failed $$t"; \
	  grep -E '^Done [0-9]+ runs|^SUMMARY|^artifact_prefix|Test unit written' build-fuzz/$$t.log; \
	done; [ -z "$$failed" ] || { echo "crashed:$$failed (logs: build-fuzz/<target>.log)"; exit 1; }

# Benchmark tools (bench/*.c, one program per file, no router code) and the
# side-by-side run against Alertmanager; see bench/RESULTS.md.  store_mem.c
# links router code and has its own rule (bench-mem).
BENCH_TOOLS := $(patsubst bench/%.c,$(BUILD)/bench/%,$(filter-out bench/store_mem.c,$(wildcard bench/*.c)))

bench-tools: $(BENCH_TOOLS)

$(BUILD)/bench/%: bench/%.c $(wildcard bench/*.h) | $(BUILD)/bench
	$(CC) $(CFLAGS_BASE) $(CFLAGS) $(LDFLAGS) -o $@ $<

$(BUILD)/bench:
	mkdir -p $@

bench: $(BIN) bench-tools
	BUILD=$(BUILD) bench/run.sh

clean:
	rm -rf build build-asan build-fuzz
