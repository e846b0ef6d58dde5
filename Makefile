# Hangar's two commands: `make run` opens the app, `make test` runs every check.
# Both install what is missing first (see tests/support/bootstrap).

SHELL := /bin/bash
export PATH := $(CURDIR)/target/tools/bin:$(PATH)

TARGET_DIR := $(or $(CARGO_TARGET_DIR),$(CURDIR)/target)
BUNDLES ?= deb,rpm
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

UI_SOURCES := $(shell find ui/src ui/index.html ui/public -type f 2>/dev/null) ui/vite.config.ts

.PHONY: run test deps ui bindings test-rust test-keychain test-prism test-ui test-e2e app dist test-dist clean-ui

## Install what is missing, build the UI and open the app.
run: deps ui
	@if [ -z "$$DISPLAY$$WAYLAND_DISPLAY" ]; then \
	  echo "make run: no display found (DISPLAY/WAYLAND_DISPLAY unset). Run it from a desktop session, or under Xvfb: xvfb-run make run"; exit 1; fi
	cargo run -p hangar-desktop

## Run everything: format, lints, Rust tests, UI checks, bindings, keychain, Prism and GUI tests.
test: deps ui
	@tests/support/test-suite

## Install system packages, tauri-driver and the UI's npm packages when missing.
deps:
	@tests/support/bootstrap

ui: ui/dist/index.html

ui/node_modules/.installed: ui/package.json ui/package-lock.json
	npm ci --prefix ui --no-audit --no-fund
	@touch $@

ui/dist/index.html: ui/node_modules/.installed $(UI_SOURCES)
	npm --prefix ui run build

## Regenerate ui/src/lib/bindings.ts from the Rust commands.
bindings: ui
	HANGAR_UPDATE_BINDINGS=1 cargo test --workspace --test bindings

## Single groups of the suite, for quicker iteration.
test-rust: ui
	cargo test --workspace

test-keychain:
	tests/support/with-secret-service cargo test --workspace --test keychain -- --ignored

test-prism:
	npm ci --prefix tests/prism --no-audit --no-fund
	cargo test --workspace --test conformance -- --ignored prism_proxy_lifecycle

test-ui: ui/node_modules/.installed
	npm --prefix ui run check
	npm --prefix ui test

# The GUI tests store tokens in a real (private, throwaway) Secret Service. `cargo test`
# builds the app binary they drive.
test-e2e: ui
	tests/support/with-secret-service cargo test --workspace --test gui -- --ignored --test-threads=1

## Release bundles for this platform with the Tauri bundler (Linux: .deb and .rpm), in
## $(TARGET_DIR)/release/bundle/. AppImage is configured too: `make dist BUNDLES=deb,rpm,appimage`
## (the AppImage tools are downloaded by the bundler, so it is built in CI, not here).
dist: deps ui
	cd src-tauri && ../ui/node_modules/.bin/tauri build --ci --bundles $(BUNDLES)
	@ls -l $(TARGET_DIR)/release/bundle/*/*.{deb,rpm,AppImage} 2>/dev/null || true

## Checks the bundles: the .deb's and .rpm's metadata and files, then installs the .deb into a
## fresh minimal Debian 12 (debootstrap) and opens it under Xvfb. Needs root (sudo).
test-dist: dist
	@tests/support/bootstrap dist
	cargo test --workspace --locked --test dist -- --ignored
	$(SUDO) env CARGO_TARGET_DIR=$(TARGET_DIR) tests/support/dist-install-test $$(ls -t $(TARGET_DIR)/release/bundle/deb/*.deb | head -1)

## The debug build of the desktop app that the GUI tests drive.
app: ui
	cargo build --workspace

clean-ui:
	rm -rf ui/dist ui/node_modules
