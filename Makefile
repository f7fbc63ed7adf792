# Krill: `make run` starts one broker on 127.0.0.1:9092 with data in ./data;
# `make cluster` starts etcd and three brokers on 127.0.0.1:9092-9094;
# `make test` installs, builds and runs every test.
.PHONY: install build run cluster test bench clean readme protocol fuzz

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

install: node_modules/.installed

# dist is made anew: a test file moved or removed must not run from a stale copy.
build: install
	rm -rf dist
	npx tsc -p tsconfig.json
	node scripts/bundle.mjs

run: build
	node bin/krill start --host 127.0.0.1 --port 9092 --data-dir ./data

cluster: build
	bash scripts/cluster.sh

test: build
	node scripts/gen-protocol.mjs --check
	npx --yes madge@8.0.0 --circular --extensions js dist/src
	bash scripts/ensure-compat-clients.sh
	npx ava

# A million generated and mutated request frames at a broker process; prints the seed.
fuzz: build
	node dist/test/fuzz/socket-fuzzer.js --frames 1000000

bench: build
	bash bench/setup.sh
	node dist/bench/run.js

# Regenerates src/protocol/messages and src/protocol/coordinator from the vendored spec/.
protocol:
	node scripts/gen-protocol.mjs

readme: build
	node scripts/api-table.mjs --write

clean:
	rm -rf dist node_modules/.installed
