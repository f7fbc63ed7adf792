#!/usr/bin/env bash
# kcat: -L shows the broker; -P then -C round-trips keyed records on an auto-created topic.
set -euo pipefail
bootstrap=$1
topic="kcat-$RANDOM$RANDOM"
kcat -b "$bootstrap" -L | grep -q "broker 0 at"
printf 'k1:hello\nk2:world\nk3:krill\n' | kcat -b "$bootstrap" -P -t "$topic" -K: -z snappy
out=$(kcat -b "$bootstrap" -C -t "$topic" -o beginning -e -q -f '%o %k %s\n')
expected=$'0 k1 hello\n1 k2 world\n2 k3 krill'
if [ "$out" != "$expected" ]; then
  echo "unexpected output: $out" >&2
  exit 1
fi
kcat -b "$bootstrap" -L -t "$topic" | grep -q "partition 0, leader 0"
echo "ok: kcat round trip on auto-created $topic"
