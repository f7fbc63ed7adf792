// Producer id allocation for InitProducerId. Ids come from blocks reserved in the
// metadata store before use, so ids stay unique across restarts.
import type { MetadataStore } from './controller/metadata-store.js';

const BLOCK = 1000;

export class ProducerIdManager {
  private next = 0;
  private end = 0;

  constructor(private readonly store: MetadataStore) {}

  allocate(): number {
    if (this.next >= this.end) {
      this.next = this.store.nextProducerIdBlock;
      this.end = this.next + BLOCK;
      this.store.nextProducerIdBlock = this.end;
      this.store.save();
    }
    return this.next++;
  }
}
