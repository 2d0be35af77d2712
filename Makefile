# Pocket Cluster: build, serve and test.
#   make serve   build and serve the app at http://127.0.0.1:8080/ (rebuilds on change)
#   make build   release build into dist/
#   make test    everything CI runs (fmt, clippy, cargo test, trunk build, browser tests)

SHELL := /bin/bash
TOOLS_PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin

.PHONY: all serve build test tools clean

all: build

tools:
	scripts/ensure-tools.sh

serve: tools
	@echo "Pocket Cluster: http://127.0.0.1:8080/"
	PATH="$(TOOLS_PATH):$$PATH" trunk serve --address 127.0.0.1 --port 8080

build: tools
	PATH="$(TOOLS_PATH):$$PATH" trunk build --release

test:
	scripts/test.sh

clean:
	rm -rf dist
