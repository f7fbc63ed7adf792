#!/usr/bin/env bash
# Builds the benchmark peers into .bench/ (not committed): librdkafka's
# rdkafka_performance from Debian's source package, a tiny program around
# librdkafka's in-memory mock cluster (rdkafka_mock.h), and a transactional producer
# (txn_producer.c, which rdkafka_performance is not). Installs iperf3 for the
# loopback ceiling. Needs root for apt-get; safe to run twice.
set -euo pipefail
cd "$(dirname "$0")/.."
out=.bench
mkdir -p "$out"
export DEBIAN_FRONTEND=noninteractive
need=()
dpkg -s librdkafka-dev >/dev/null 2>&1 || need+=(librdkafka-dev)
command -v iperf3 >/dev/null || need+=(iperf3)
command -v gcc >/dev/null || need+=(gcc)
command -v dpkg-source >/dev/null || need+=(dpkg-dev)
if [ ${#need[@]} -gt 0 ]; then apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null; fi

if [ ! -x "$out/rdkafka_performance" ]; then
  if ! grep -rqs "^Types: deb deb-src\|^Types: deb-src" /etc/apt/sources.list.d/debian.sources; then
    sed -i 's/^Types: deb$/Types: deb deb-src/' /etc/apt/sources.list.d/debian.sources
    apt-get update -qq
  fi
  src=$(mktemp -d)
  (cd "$src" && apt-get source -qq librdkafka >/dev/null 2>&1)
  perf=$(find "$src" -path '*examples/rdkafka_performance.c' | head -1)
  top=$(dirname "$(dirname "$perf")")
  # The example includes librdkafka's internal headers, which need configure's config.h.
  (cd "$top" && ./configure --disable-ssl --disable-gssapi --disable-zstd --disable-lz4-ext >/dev/null)
  gcc -O2 -I"$top/src" -o "$out/rdkafka_performance" "$perf" -lrdkafka -lpthread -lm
  rm -rf "$src"
fi
for peer in rdkafka_mock txn_producer; do
  if [ ! -x "$out/$peer" ] || [ "bench/peers/$peer.c" -nt "$out/$peer" ]; then
    gcc -O2 -o "$out/$peer" "bench/peers/$peer.c" -lrdkafka
  fi
done
echo "peers ready in $out"
