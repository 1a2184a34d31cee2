# trendgraph: the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
GO ?= go
SOURCE ?= ../shared/seed/backend-development-trends-2026.txt
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
BENCHTIME ?= 1s

.PHONY: bench-peers run conformance subscriptions federation mcp browser assets tsclient compat bench bench-quick fuzz fuzz-brief soak build test lint check-data check-generated generate bench-store bench-graph bench-import clean

## run: start the server on :8080 (creating ./trendgraph.db from the embedded dataset if needed).
run: build
	./bin/trendgraph serve $(if $(wildcard $(SOURCE)),--source $(SOURCE))

build:
	$(GO) build -buildvcs=auto -o bin/trendgraph ./cmd/trendgraph

## test: lint, check generated code and the dataset, run every test with the race detector,
## the slow tier included (TRENDGRAPH_SLOW_TESTS=1: process-level crash and disk tests,
## slow clients, big datasets), which a plain `go test ./...` skips.
test: lint check-generated check-data compat conformance subscriptions federation mcp browser tsclient fuzz-brief
	@[ -f "$(SOURCE)" ] || echo "make test: no source text at $(SOURCE) (no shared/ beside the checkout): the tests that check against it are skipped"
	TRENDGRAPH_SLOW_TESTS=1 $(GO) test -race -count=1 ./...

# Fuzz targets as package:target; each keeps its seed corpus in testdata/fuzz (crashers found
# land there and rerun as regression tests in every `go test`).
FUZZ_TARGETS := server:FuzzGraphQLEndpoint server:FuzzResponseCacheMatchesUncached dataset:FuzzLoadAndValidate store:FuzzTokenize server:FuzzNoDuplicateKeys \
	graph:FuzzGlobalID knowledge:FuzzCursor graph:FuzzEntityFilter graph:FuzzCreateEntity \
	assistant:FuzzToolArguments
FUZZTIME ?= 60s

## fuzz: run every fuzz target for FUZZTIME (default 60s each).
fuzz:
	@for t in $(FUZZ_TARGETS); do pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$name ($$pkg) for $(FUZZTIME)"; \
		$(GO) test -list "^$$name\$$" ./$$pkg/ | grep -qx "$$name" || { echo "no fuzz target $$name in ./$$pkg"; exit 1; }; \
		$(GO) test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) ./$$pkg/ || exit 1; done

## fuzz-brief: every fuzz target for 30,000 inputs (a few seconds), as part of make test. A
## count, not a duration: go1.26's fuzz coordinator can fail a target with "context deadline
## exceeded" when a -fuzztime duration ends (golang/go#75804, fixed in go1.27).
fuzz-brief:
	@$(MAKE) --no-print-directory fuzz FUZZTIME=30000x

SOAK_DURATION ?= 5m

## soak: 64 connections of mixed traffic for SOAK_DURATION (default 5m); checks no 5xx, no
## panic, flat memory and goroutines back to baseline; results in soak-results.txt.
soak: build
	$(GO) run ./soak -bin bin/trendgraph -duration $(SOAK_DURATION) -out soak-results.txt

## compat: no breaking change of schema.graphqls against tests/compat/baseline.graphqls, unless
## deprecated first (graphql-inspector).
compat:
	tests/compat/run.sh

## tsclient: regenerate, type-check and run the TypeScript client against the built server,
## also in trusted-documents mode with its own manifest.
tsclient: build
	examples/tsclient/run.sh bin/trendgraph

## browser: headless Chromium, with the network closed, loads the playground and runs a query,
## then the radar SVG (both themes), an entity page and the explorer (a click on a blip and on
## a node must land on the right entity page); screenshots land in tests/browser/out/. It also
## checks that the embedded Cytoscape.js is the pinned npm package's. Needs Debian's chromium
## (.ci/run installs it).
browser: build
	tests/browser/run.sh bin/trendgraph

## assets: copy the explorer's Cytoscape.js from the npm package pinned in
## tests/browser/package.json into server/assets/ (after changing that pin).
assets:
	cd tests/browser && npm ci --no-audit --no-fund --silent
	cp tests/browser/node_modules/cytoscape/dist/cytoscape.min.js server/assets/cytoscape.min.js
	cp tests/browser/node_modules/cytoscape/LICENSE server/assets/LICENSE.cytoscape

## conformance: the graphql-http GraphQL-over-HTTP audit against the built server (Node, npm).
conformance: build
	tests/conformance/run.sh bin/trendgraph

## subscriptions: the graphql-ws and graphql-sse clients follow the change feed of the built
## server (catch-up, live, resume from a version, refusal without a token) (Node, npm).
subscriptions: build
	tests/subscriptions/run.sh bin/trendgraph

## federation: Apollo's composition composes the built server's subgraph SDL (_service) with a
## tiny teams subgraph, and queries through an Apollo gateway join the two (Node, npm).
federation: build
	tests/federation/run.sh bin/trendgraph

## mcp: the TypeScript SDK's MCP client talks to `trendgraph mcp` over stdio and to /mcp of the
## built server over streamable HTTP: every tool, resource kind and prompt, errors, curation (Node, npm).
mcp: build
	tests/mcp/run.sh bin/trendgraph

## generate: regenerate the GraphQL executor and models from schema.graphqls.
generate:
	$(GO) generate ./...

## check-generated: the committed generated code is exactly what `go generate` makes.
check-generated:
	$(GO) generate ./...
	@if ! git diff --quiet -- graph examples || [ -n "$$(git ls-files --others --exclude-standard -- graph examples/goclient)" ]; then \
		echo "generated code is out of date with schema.graphqls: run 'make generate' and commit:"; \
		git status --short -- graph examples; exit 1; fi

## lint: gofmt, go vet and staticcheck must all be clean.
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt needed:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

## check-data: the curated dataset is valid and every citation exists in the source text.
check-data:
	@if [ -f "$(SOURCE)" ]; then $(GO) run ./cmd/trendgraph check --data data --source $(SOURCE); \
	else echo "check-data: no source text at $(SOURCE): checking the dataset without its citations' text"; \
		$(GO) run ./cmd/trendgraph check --data data --source ''; fi

## bench: the load benchmark (wrk, Debian's package) against the physical limit, cached and
## uncached, at 1 and 64 connections, on the seed and synthetic datasets; writes BENCHMARKS.md.
bench: build
	@command -v wrk >/dev/null || { echo "make bench needs wrk: apt-get install wrk"; exit 1; }
	$(GO) run ./bench -bin bin/trendgraph -out BENCHMARKS.md

## bench-quick: the same on the seed dataset only, with short runs (under a minute).
bench-quick: build
	@command -v wrk >/dev/null || { echo "make bench-quick needs wrk: apt-get install wrk"; exit 1; }
	$(GO) run ./bench -bin bin/trendgraph -quick -out BENCHMARKS.md

## bench-peers: trendgraph (uncached and cached) side by side with the servers a user would pick
## instead (../shared/peers: Apollo Server with and without its response cache, graph-gophers and
## stock gqlgen), on the bench's nested and page queries, with the physical limit, in one run: wrk,
## rounds alternated, medians. The peers serve this build's curated dataset, exported here, so every
## answer is byte-identical (sidebyside.sh warns if one is not). Both trendgraph servers serve one
## file read-only, side by side. Writes its section of BENCHMARKS.md (medians, ratios within the
## run, the issue's goals). SECS, PEER_ROUNDS and CONNS tune it.
PEERS ?= ../shared/peers
SECS ?= 5
PEER_ROUNDS ?= 3
CONNS ?= 64 1
bench-peers: build
	@command -v wrk >/dev/null || { echo "make bench-peers needs wrk: apt-get install wrk"; exit 1; }
	@test -x $(PEERS)/sidebyside.sh || { echo "make bench-peers needs the peers at $(PEERS)"; exit 1; }
	@dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	bin/trendgraph import --db $$dir/tg.db >/dev/null && \
	bin/trendgraph export --db $$dir/tg.db --format json -o $$dir/dataset.json && \
	{ TRENDGRAPH_READ_ONLY=1 DATA=$$dir/dataset.json TRENDGRAPH_SRC=$(CURDIR) $(PEERS)/sidebyside.sh $(SECS) $(PEER_ROUNDS) $(CONNS) 2>&1 | tee $$dir/rows.txt; } && \
	$(GO) run ./bench -peers $$dir/rows.txt -secs $(SECS) -rounds $(PEER_ROUNDS) -out BENCHMARKS.md

## bench-store: read benchmarks of the store (many-by-ID, relationship page, search, list).
bench-store:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./store/

## bench-graph: in-process GraphQL benchmarks (nested query, page with totalCount, search).
bench-graph:
	$(GO) test -run '^$$' -bench . -benchmem -benchtime $(BENCHTIME) ./graph/

## bench-replicas: replication on a real 3-member etcd cluster: write-to-all-applied p50/p99, catch-up of
## 10,000 change sets, a new replica filling from a log holding 100k technologies, reads over 1-3 replicas.
bench-replicas:
	$(GO) test -run '^$$' -bench 'BenchmarkReplication|BenchmarkReadReplicas' -benchtime 1x -timeout 30m ./replica/

## bench-import: the 100k-technology / 1M-relationship import (1.24M with derived ones) end to
## end through the CLI, as a user runs it: into a new database, then again into that database
## (the difference path: everything compared, nothing changed); wall time, CPU time (user and
## system: less disturbed by other work on a shared machine) and peak memory (max RSS) of each
## run, from GNU time. OLD=path/to/an/older/trendgraph runs it too, alternating
## with this build, ROUNDS (default 2) times each, for a comparison on the same machine at the
## same time. Then the store's import benchmark. Several minutes.
ROUNDS ?= 2
bench-import: build
	@test -x /usr/bin/time || { echo "make bench-import needs GNU time: apt-get install time"; exit 1; }
	@dir=$$(mktemp -d) && trap 'rm -rf "$$dir"' EXIT && \
	echo "generating the dataset in $$dir" && \
	bin/trendgraph gen --technologies 100000 --relationships 1000000 --seed 1 -o $$dir/a.json && \
	run() { /usr/bin/time -f "%e %U %S %M" -o $$dir/time "$$@" >/dev/null 2>$$dir/err || { cat $$dir/err; exit 1; }; \
		read wall user sys kb < $$dir/time; printf '%-5s %-9s %7.1f s wall %7.1f s CPU %7.0f MB max RSS\n' \
			"$$who" "$$what" "$$wall" "$$(awk "BEGIN { print $$user + $$sys }")" "$$((kb / 1024))"; } && \
	echo "(the machine may be shared: compare runs of one invocation, not across invocations)" && \
	for round in $$(seq $(ROUNDS)); do \
		for who in $(if $(OLD),old) new; do \
			bin=$(CURDIR)/bin/trendgraph; [ $$who = old ] && bin=$(abspath $(OLD)); \
			rm -f $$dir/$$who.db; \
			what=new-db run $$bin import --db $$dir/$$who.db $$dir/a.json; \
			what=existing run $$bin import --db $$dir/$$who.db $$dir/a.json; \
		done; \
	done
	TRENDGRAPH_BENCH_IMPORT=1 $(GO) test -run '^$$' -bench BenchmarkImport -benchtime 1x -timeout 30m ./store/

clean:
	rm -rf bin
