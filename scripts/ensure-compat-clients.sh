#!/usr/bin/env bash
# The compat/ tests drive Debian's kcat, python3-confluent-kafka and python3-kafka; the
# cluster tests start Debian's etcd (etcd-server); the console test, Debian's chromium;
# the librdkafka tests, librdkafka 2.15.1 as @confluentinc/kafka-javascript bundles it,
# built against Debian's libraries; the TLS tests, openssl. Installs them when running as root and they are
# missing; otherwise says what to run.
set -u
missing=()
# What librdkafka 2.15.1 links against (CKJS_LINKING=dynamic): no download, Debian's libraries.
for pkg in libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
done
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
/usr/bin/python3 -c 'import confluent_kafka' 2>/dev/null || missing+=(python3-confluent-kafka)
/usr/bin/python3 -c 'import kafka' 2>/dev/null || missing+=(python3-kafka)
command -v etcd >/dev/null 2>&1 || [ -x /usr/bin/etcd ] || missing+=(etcd-server)
# The web console's test drives Debian's Chromium (through playwright-core).
[ -x /usr/bin/chromium ] || missing+=(chromium)
# The TLS tests make their certificates with openssl.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"; }
  else
    echo "compat tests need: sudo apt-get install -y ${missing[*]}" >&2
  fi
fi

# librdkafka 2.15.1, built once (a few minutes) into a cache outside the repository.
dir="${KRILL_LIBRDKAFKA_DIR:-$HOME/.cache/krill/librdkafka-2.15.1}"
if ! (cd "$dir" 2>/dev/null && node -e "require('@confluentinc/kafka-javascript')" 2>/dev/null); then
  echo "building librdkafka 2.15.1 (@confluentinc/kafka-javascript@1.10.1) in $dir" >&2
  mkdir -p "$dir"
  [ -f "$dir/package.json" ] || echo '{"name":"krill-librdkafka","private":true}' > "$dir/package.json"
  CKJS_LINKING=dynamic npm install --prefix "$dir" --no-audit --no-fund @confluentinc/kafka-javascript@1.10.1 >"$dir/install.log" 2>&1 \
    || { echo "building librdkafka failed: see $dir/install.log" >&2; exit 1; }
fi
