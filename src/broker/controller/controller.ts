// The controller: one broker, elected through the coordination store, that reacts to
// brokers coming and going by moving leadership (Kafka's controller on broker fencing
// and unfencing), and runs the periodic preferred-leader rebalance. Every change it makes
// is a compare-and-set of the topic's state, so it never overwrites an ISR change a
// leader made meanwhile.
import { setTimeout as sleep } from 'node:timers/promises';
import type { ClusterMetadata, PartitionState, TopicState } from './cluster-metadata.js';
import { electForLiveBrokers, electPreferred } from './election.js';

export interface ControllerHost {
  readonly brokerId: number;
  readonly metadata: ClusterMetadata;
  uncleanElection(topic: TopicState): boolean;
  info(message: string): void;
  warn(message: string): void;
}

/** How long the controller waits before electing again after the store failed it. */
const RETRY_MS = 500;

export class Controller {
  active = false;
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly host: ControllerHost) {}

  activate(): void {
    this.active = true;
    this.host.info(`became the controller`);
    this.brokersChanged();
  }

  deactivate(): void {
    this.active = false;
  }

  /** Re-elects leaders against the live brokers; runs are serialized, and a change during a run triggers one more. */
  brokersChanged(): void {
    if (!this.active) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          await this.electForLiveBrokers(new Set(this.host.metadata.brokers.keys()));
        } catch (e) {
          // Leaderships of a dead broker stay put until an election succeeds: try again.
          this.host.warn(`leader election failed, retrying: ${(e as Error).message}`);
          this.again = true;
          await sleep(RETRY_MS);
        }
      } while (this.again && this.active);
    })().finally(() => {
      this.running = null;
    });
  }

  /** Resolves when no election run is in progress (tests and shutdown). */
  async settled(): Promise<void> {
    while (this.running) await this.running;
  }

  private async electForLiveBrokers(live: ReadonlySet<number>): Promise<void> {
    const md = this.host.metadata;
    const moved: string[] = [];
    for (const t of [...md.topics.values()]) {
      if (!this.active) return;
      const unclean = this.host.uncleanElection(t);
      // The local copy says which topics need a change; the store has the final word.
      if (!t.partitions.some((p) => electForLiveBrokers(p, md.replicasUp(t, p.partition, live), unclean))) continue;
      let changed: string[] = [];
      await md.updateTopic(t.name, (cur) => {
        changed = [];
        const partitions = cur.partitions.map((p) => {
          const next = electForLiveBrokers(p, md.replicasUp(cur, p.partition, live), unclean);
          if (next && next.leader !== p.leader) changed.push(`${cur.name}-${p.partition} ${p.leader}->${next.leader}`);
          return next ?? p;
        });
        return partitions.some((p, i) => p !== cur.partitions[i]) ? { ...cur, partitions } : null;
      });
      moved.push(...changed);
    }
    if (moved.length > 0) {
      const shown = moved.slice(0, 5).join(', ') + (moved.length > 5 ? `, … (${moved.length - 5} more)` : '');
      this.host.info(`leadership of ${moved.length} partition(s) moved for live brokers [${[...live].sort((a, b) => a - b).join(',')}]: ${shown}`);
    }
  }

  /** Moves leadership back to preferred replicas where that is possible (auto.leader.rebalance.enable). */
  async rebalance(): Promise<number> {
    if (!this.active) return 0;
    const md = this.host.metadata;
    const live = new Set(md.brokers.keys());
    let moved = 0;
    for (const t of [...md.topics.values()]) {
      const wanted = t.partitions.some((p) => 'state' in electPreferred(p, md.replicasUp(t, p.partition, live)));
      if (!wanted) continue;
      let n = 0;
      await md.updateTopic(t.name, (cur) => {
        n = 0;
        const partitions = cur.partitions.map((p): PartitionState => {
          const r = electPreferred(p, md.replicasUp(cur, p.partition, live));
          if ('state' in r) n++;
          return 'state' in r ? r.state : p;
        });
        return n > 0 ? { ...cur, partitions } : null;
      });
      moved += n;
    }
    if (moved > 0) this.host.info(`preferred leader election moved ${moved} partition leader(s)`);
    return moved;
  }
}
