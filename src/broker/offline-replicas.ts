// This broker's replicas that cannot serve. Two kinds: a log that would not open (out of
// descriptors, say), tried again on the topic's next change; and a log on a directory
// whose storage failed, offline until the broker restarts, as in Kafka. Either answers
// KAFKA_STORAGE_ERROR where this broker should lead. The failed ones are reported to the
// controller (in the broker's registration), which moves their leadership elsewhere.

export class OfflineReplicas {
  private readonly unopened = new Set<string>();
  /** By "topic-partition": the topic id and partition, as the registration names them. */
  private readonly failed = new Map<string, { topicId: string; partition: number }>();

  /** Whether the replica ("topic-partition") is offline here. */
  has(key: string): boolean {
    return this.unopened.has(key) || this.failed.has(key);
  }

  /** Whether the replica is on a failed log directory: it is not to be opened again elsewhere. */
  onFailedDir(key: string): boolean {
    return this.failed.has(key);
  }

  notOpened(key: string): void {
    this.unopened.add(key);
  }

  opened(key: string): void {
    this.unopened.delete(key);
  }

  dirFailed(key: string, topicId: string, partition: number): void {
    this.failed.set(key, { topicId, partition });
  }

  /** The replica's topic was deleted; returns whether the report changes. */
  forget(key: string): boolean {
    this.unopened.delete(key);
    return this.failed.delete(key);
  }

  /** The failed replicas by topic id, for the broker's registration; undefined when none. */
  report(): Record<string, number[]> | undefined {
    if (this.failed.size === 0) return undefined;
    const out: Record<string, number[]> = {};
    for (const { topicId, partition } of this.failed.values()) (out[topicId] ??= []).push(partition);
    return out;
  }
}
