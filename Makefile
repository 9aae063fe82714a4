# WxOpen Console. The two commands: `make run` and `make test` (both install what is missing first).
SHELL := /bin/bash
.DEFAULT_GOAL := help
export PATH := $(HOME)/.cargo/bin:$(PATH)
CARGO ?= cargo

.PHONY: help bootstrap run test e2e bench fmt fmt-check lint ui ui-check rust-test python-test app bindings bundle e2e-bundle fuzz

help:
	@echo "make run    build and start the app (under Xvfb with a screenshot when there is no display)"
	@echo "make test   every check and test: fmt, clippy, Rust, UI, Python, end-to-end"
	@echo "make e2e    only the WebDriver tests against the real window"
	@echo "make bench  benchmarks (prints a table)"
	@echo "make bundle the release app as a .deb (and an .AppImage where Tauri's AppImage tools are present)"
	@echo "make e2e-bundle  make bundle, then install the .deb and start the installed app under Xvfb"
	@echo "make fuzz   the fuzz targets of fuzz/, FUZZ_SECONDS (default 600) each, one after the other"
	@echo "make fmt    format Rust code"
	@echo "make lint   clippy with warnings denied + UI type-check"

bootstrap:
	@scripts/bootstrap.sh

run: bootstrap
	@scripts/run.sh

# The UI must be built before any cargo build of the shell: Tauri embeds ui/dist at compile time.
ui: bootstrap
	npm --prefix ui run build --silent

test: bootstrap fmt-check ui ui-check lint rust-test python-test e2e

fmt:
	$(CARGO) fmt --all

fmt-check:
	$(CARGO) fmt --all -- --check

lint: ui
	$(CARGO) clippy --workspace --all-targets --locked -- -D warnings

ui-check: bootstrap
	npm --prefix ui run typecheck
	npm --prefix ui test

# Inside a private D-Bus session with a throwaway, unlocked gnome-keyring: the keychain tests use
# the real Secret Service, never the user's own keyring.
rust-test: ui
	WXOPEN_THROWAWAY_KEYRING=$(CURDIR)/target/test-keyring scripts/session.sh $(CARGO) test --workspace --locked

# In a throwaway keyring too: the wechatpy interop test runs `wxopen` on a shared profile, which
# reads its Redis password from the keychain.
python-test: bootstrap
	@if [ -d tests/python ]; then \
	  $(CARGO) build -p wxopen-cli --bin wxopen --locked && \
	  WXOPEN_BIN=$(CURDIR)/target/debug/wxopen WXOPEN_THROWAWAY_KEYRING=$(CURDIR)/target/test-keyring-py \
	    scripts/session.sh .venv/bin/python -m pytest tests/python -q; \
	fi

app: ui
	$(CARGO) build -p wxopen-console --locked

e2e: bootstrap app
	$(CARGO) test -p wxopen-e2e --locked -- --ignored --test-threads=1

# Rewrites ui/src/bindings.ts from the Rust commands (a test fails while it is stale).
bindings: ui
	UPDATE_BINDINGS=1 $(CARGO) test -p wxopen-console --test bindings

bench: bootstrap
	@scripts/bench.sh

# Not part of `make test` (40 minutes by default). README, "Fuzzing"; FUZZ_SECONDS per target.
fuzz:
	@scripts/fuzz.sh

# Installable bundles (README, "Installable bundles"): the release app through the Tauri CLI, which
# also builds the UI (beforeBuildCommand). Files land in target/release/bundle/{deb,appimage}/.
bundle: bootstrap
	@scripts/bundle.sh

# Installs the .deb (dpkg -i, removed afterwards), starts the installed app under Xvfb with a fresh
# data dir and waits for its first painted table.
e2e-bundle: bundle
	@scripts/bundle-test.sh
