#!/usr/bin/env bash
# The compat/ tests drive Debian's kcat, python3-confluent-kafka and python3-kafka; the
# cluster tests start Debian's etcd (etcd-server); the console test, Debian's chromium.
# Installs them when running as root and they are missing; otherwise says what to run.
set -u
missing=()
command -v kcat >/dev/null 2>&1 || missing+=(kcat)
/usr/bin/python3 -c 'import confluent_kafka' 2>/dev/null || missing+=(python3-confluent-kafka)
/usr/bin/python3 -c 'import kafka' 2>/dev/null || missing+=(python3-kafka)
command -v etcd >/dev/null 2>&1 || [ -x /usr/bin/etcd ] || missing+=(etcd-server)
# The web console's test drives Debian's Chromium (through playwright-core).
[ -x /usr/bin/chromium ] || missing+=(chromium)
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}" >/dev/null || { apt-get update >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"; }
else
  echo "compat tests need: sudo apt-get install -y ${missing[*]}" >&2
fi
