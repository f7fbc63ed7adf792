// An in-process cluster's control plane: the test kit's endpoints for the whole cluster
// (faults shared by its brokers, traces gathered, reset everywhere, its one clock) and the
// cluster's own: brokers stopped, killed and started, leaders moved, the network split.
import type { Logger } from 'winston';
import { electChosen } from '../controller/election.js';
import type { ClusterMetadata } from '../controller/cluster-metadata.js';
import { ControlPlane } from '../http/control-plane.js';
import type { HttpOptions, TestPlane } from './plane.js';
import { type ClusterOps, type TestKitOps, testKitRoutes } from './routes.js';

/** Moves a partition's leadership to `broker`, a live in-sync replica, through the metadata store. */
export async function moveLeader(metadata: ClusterMetadata, topic: string, partition: number, broker: number): Promise<void> {
  if (!metadata.topics.get(topic)?.partitions[partition]) throw new Error(`no partition ${topic}-${partition}`);
  let refused: string | null = null;
  await metadata.updateTopic(topic, (cur) => {
    const p = cur.partitions[partition];
    if (!p) return null;
    const r = electChosen(p, broker, new Set(metadata.brokers.keys()));
    refused = 'error' in r && r.error !== 'ELECTION_NOT_NEEDED' ? `broker ${broker} is not a live in-sync replica of ${topic}-${partition} (ISR ${p.isr.join(',')})` : null;
    return 'state' in r ? { ...cur, partitions: cur.partitions.map((x, i) => (i === partition ? r.state : x)) } : null;
  });
  if (refused) throw new Error(refused);
}

type ClusterControl = Omit<TestKitOps, 'clock' | 'brokerIds'> & ClusterOps & { brokers: ReadonlyArray<{ id: number }> };

export function clusterControlPlane(cluster: ClusterControl, http: HttpOptions, anyPlane: () => TestPlane, logger: Logger): Promise<ControlPlane> {
  const ops: TestKitOps = {
    addFault: (f) => cluster.addFault(f),
    faults: () => cluster.faults(),
    removeFault: (id) => cluster.removeFault(id),
    clearFaults: () => cluster.clearFaults(),
    trace: (filter) => cluster.trace(filter),
    reset: () => cluster.reset(),
    clock: () => anyPlane().clock(),
    advanceClock: (ms) => cluster.advanceClock(ms),
    setRtt: (id, ms) => cluster.setRtt(id, ms),
    brokerIds: () => cluster.brokers.map((b) => b.id),
  };
  // The brokers share their ACLs and credentials: any running one's gate speaks for the cluster.
  return ControlPlane.listen(http.host ?? '127.0.0.1', http.port, [testKitRoutes(ops, cluster)], logger, () => anyPlane().httpGate);
}
