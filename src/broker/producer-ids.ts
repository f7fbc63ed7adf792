// Producer id allocation for InitProducerId. Ids come from blocks reserved in the
// cluster metadata before use, so ids stay unique across restarts and across brokers.
import type { ClusterMetadata } from './controller/cluster-metadata.js';

const BLOCK = 1000;

export class ProducerIdManager {
  private next = 0;
  private end = 0;
  private reserving: Promise<void> | null = null;

  constructor(private readonly metadata: ClusterMetadata) {}

  async allocate(): Promise<number> {
    while (this.next >= this.end) {
      this.reserving ??= this.metadata.reserveProducerIds(BLOCK).then((first) => {
        this.next = first;
        this.end = first + BLOCK;
      }).finally(() => {
        this.reserving = null;
      });
      await this.reserving;
    }
    return this.next++;
  }
}
