# Two entry points for a fresh Debian machine: `make demo` and `make test`.
# Each installs the Debian packages it needs (only when missing) and is safe to re-run.

SHELL := /bin/bash
DEMO_PACKAGES := apertium apertium-eng-spa apertium-rus-ukr apertium-fr-es \
	hunspell-en-us hunspell-es hunspell-fr hunspell-de-de hunspell-ru hunspell-uk
TEST_PACKAGES := $(DEMO_PACKAGES) python3-aiosmtpd python3-jsonschema python3-dkim openssl postgresql \
	php-symfony-translation libxml2-utils python3-venv chromium chromium-driver prometheus
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
CARGO ?= cargo

.PHONY: demo test lint build bench deps-demo deps-test deps-cat install

demo: deps-demo
	$(CARGO) build --release
	rm -rf out/demo
	./target/release/newswire check pipelines/demo.toml
	./target/release/newswire run pipelines/demo.toml
	@echo
	@echo "The copies went to:"
	@echo "  out/demo/mail/       email to el-correo, as .eml files (set smtp_url to send them)"
	@echo "  out/demo/kyiv-wire/  the kyiv-wire partner's folder"
	@echo "  out/demo/london-wire/ the london-wire partner's folder (the French story came through Spanish)"
	@echo "  out/demo/archive/    every article in its own language and each translation"
	@find out/demo -type f | sort | sed 's/^/    /'

# The PostgreSQL tests run against a throwaway server that scripts/with-postgres starts and stops;
# the review tests edit XLIFF with translate-toolkit (PyPI) from a virtual environment in target/,
# where schemathesis (PyPI) fuzzes the console's API; promtool (Debian's prometheus) checks
# /metrics; the console's browser tests drive Debian's headless Chromium through chromedriver.
test: deps-test deps-cat lint
	scripts/with-postgres $(CARGO) test --lib --bins --tests

lint:
	$(CARGO) fmt --all -- --check
	$(CARGO) clippy --all-targets -- -D warnings

build:
	$(CARGO) build --release

# Benchmarks read ../shared/bench-data when it is there; sacrebleu scores the translation quality;
# the store benchmark runs against a throwaway PostgreSQL server with fsync on.
bench: deps-test
	@python3 -c "import sacrebleu" 2>/dev/null || pip install -q sacrebleu
	NEWSWIRE_PG_FSYNC=on scripts/with-postgres $(CARGO) bench

deps-demo:
	@$(MAKE) --no-print-directory install PACKAGES="$(DEMO_PACKAGES)"

deps-test:
	@$(MAKE) --no-print-directory install PACKAGES="$(TEST_PACKAGES)"

CAT_VENV := target/cat-venv
deps-cat: deps-test
	@$(CAT_VENV)/bin/python3 -c "import translate.storage.xliff, schemathesis" 2>/dev/null || { \
	  /usr/bin/python3 -m venv $(CAT_VENV) && $(CAT_VENV)/bin/pip install -q "translate-toolkit==3.*" "schemathesis==4.*"; }

# Installs the missing ones of $(PACKAGES) with apt-get; nothing when all are there.
install:
	@command -v $(CARGO) >/dev/null || { echo "error: cargo not found: install Rust (https://rustup.rs) first"; exit 2; }
	@missing=""; for p in $(PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing; \
	fi
