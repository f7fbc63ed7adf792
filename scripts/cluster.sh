#!/usr/bin/env bash
# `make cluster`: etcd and three Krill brokers on loopback (ports 9092, 9093, 9094), every
# process in the foreground of this script, data under ./data/cluster. Ctrl-C stops them.
# Topics default to replication factor 3 with min.insync.replicas=2, as a production
# cluster would be set up; kill a broker (its pid is printed) to watch failover.
set -euo pipefail
cd "$(dirname "$0")/.."
ETCD=$(command -v etcd || echo /usr/bin/etcd)
[ -x "$ETCD" ] || { echo "make cluster needs etcd: apt-get install -y etcd-server" >&2; exit 1; }
mkdir -p data/cluster
pids=()
cleanup() {
  trap - EXIT INT TERM
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM
"$ETCD" --name krill --data-dir data/cluster/etcd \
  --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
  --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
  --initial-cluster krill=http://127.0.0.1:2380 --logger zap --log-level error &
pids+=($!)
echo "etcd pid $! on 127.0.0.1:2379"
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/2379) 2>/dev/null && break; sleep 0.1; done
for i in 0 1 2; do
  node bin/krill start --broker-id "$i" --host 127.0.0.1 --port $((9092 + i)) --data-dir "data/cluster/broker-$i" \
    --metadata etcd://127.0.0.1:2379 --set default.replication.factor=3 --set min.insync.replicas=2 &
  pids+=($!)
  echo "broker $i pid $! on 127.0.0.1:$((9092 + i))"
done
echo "bootstrap servers: 127.0.0.1:9092,127.0.0.1:9093,127.0.0.1:9094"
wait
