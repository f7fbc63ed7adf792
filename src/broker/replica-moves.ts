// Moving a replica between this broker's log directories (AlterReplicaLogDirs), as
// Kafka's ReplicaAlterLogDirsThread does: a future log in the new directory copies the
// partition's log batch by batch (offsets, epochs and producer state as they are) while
// the partition serves on; once it has caught up, in the same tick, it becomes the
// partition's log and the old one is deleted. A copy follows what happens to the log
// meanwhile: records deleted at its start, a tail truncated by a leader change.
import type { Logger } from 'winston';
import { ErrorCode } from '../protocol/errors.js';
import { release } from '../fastpath/index.js';
import { type LogManager, MEMORY_LOG_DIR } from '../storage/log-manager.js';
import type { PartitionLog } from '../storage/partition-log.js';
import type { Partition } from './partition.js';
import { splitBatches } from './replication/replica-fetcher.js';

/** What one step copies of one partition, so a large log never holds the event loop. */
const SLICE_BYTES = 1 << 20;
/** How long a move with nothing to copy waits before it looks again. */
const IDLE_MS = 10;

export interface MoveHost {
  partition(topic: string, index: number): Partition | undefined;
  /** Whether the replica is offline here (its log could not be opened, or its directory failed). */
  isOffline(topic: string, index: number): boolean;
  /** Hooks a log the partition now writes to, as a newly opened one is. */
  adopted(p: Partition, log: PartitionLog): void;
}

export class ReplicaMoves {
  private readonly moving = new Map<string, { topic: string; partition: number }>();
  private pumping = false;
  /** While any of these says so, no copy is swapped in (the log cleaner is rewriting segments). */
  private readonly holds: Array<() => boolean> = [];

  constructor(private readonly logs: LogManager, private readonly host: MoveHost, private readonly logger: Logger) {}

  holdSwapsWhile(busy: () => boolean): void {
    this.holds.push(busy);
  }

  /**
   * Starts moving a partition's replica to `dirPath`, as Kafka's alterReplicaLogDirs answers:
   * LOG_DIR_NOT_FOUND for a directory not configured, KAFKA_STORAGE_ERROR for an offline one
   * or an offline replica, REPLICA_NOT_AVAILABLE (after remembering the directory for when
   * it is created) for a partition this broker does not hold. Its own directory: nothing to do.
   */
  start(topic: string, index: number, dirPath: string): number {
    if (this.logs.storage.kind === 'memory') return dirPath === MEMORY_LOG_DIR && this.host.partition(topic, index) ? ErrorCode.NONE : ErrorCode.LOG_DIR_NOT_FOUND;
    const dir = this.logs.findDir(dirPath);
    if (dir === 'LOG_DIR_NOT_FOUND' || dir === 'KAFKA_STORAGE_ERROR') return ErrorCode[dir];
    if (this.host.isOffline(topic, index)) return ErrorCode.KAFKA_STORAGE_ERROR;
    const p = this.host.partition(topic, index);
    if (!p) {
      this.logs.prefer(topic, index, dir);
      return ErrorCode.REPLICA_NOT_AVAILABLE;
    }
    const key = `${topic}\u0000${index}`;
    if (this.logs.dirHolding(topic, index) === dir) {
      // Back where it is: a move elsewhere under way stops.
      this.logs.dropFuture(topic, index);
      this.moving.delete(key);
      return ErrorCode.NONE;
    }
    if (this.logs.future(topic, index)?.dir !== dir) this.logs.createFuture(topic, index, dir);
    this.moving.set(key, { topic, partition: index });
    this.logger.info(`moving ${topic}-${index} to log directory ${dir.path}`);
    this.pump();
    return ErrorCode.NONE;
  }

  /**
   * Copies a slice of every move, one event-loop turn at a time, until none is left; a turn
   * that copied nothing (swaps held, nothing new) waits a little before the next.
   */
  private pump(): void {
    if (this.pumping) return;
    this.pumping = true;
    const turn = () => {
      let copied = false;
      for (const [key, m] of this.moving) {
        try {
          const r = this.step(m.topic, m.partition);
          if (r === 'done') this.moving.delete(key);
          else copied ||= r === 'copied';
        } catch (e) {
          this.logger.error(`moving ${m.topic}-${m.partition} between log directories failed; it stays where it is: ${(e as Error).message}`);
          this.logs.dropFuture(m.topic, m.partition);
          this.moving.delete(key);
        }
      }
      if (this.moving.size === 0) this.pumping = false;
      else if (copied) setImmediate(turn);
      else setTimeout(turn, IDLE_MS).unref();
    };
    setImmediate(turn);
  }

  /** One slice of a move: whether it copied something, or is over (done, or the partition or its copy is gone). */
  private step(topic: string, index: number): 'copied' | 'waiting' | 'done' {
    const p = this.host.partition(topic, index);
    const future = this.logs.future(topic, index)?.log;
    if (!p || !future) {
      this.logs.dropFuture(topic, index);
      return 'done';
    }
    const source = p.log;
    this.follow(source, future);
    const before = future.logEndOffset;
    if (future.logEndOffset < source.logEndOffset) {
      const chunks = source.read(future.logEndOffset, SLICE_BYTES, source.logEndOffset);
      const bytes = Buffer.concat(chunks);
      for (const c of chunks) release(c);
      future.appendAsFollower(splitBatches(bytes), p.now());
    }
    if (future.logEndOffset < source.logEndOffset || this.holds.some((busy) => busy())) return future.logEndOffset > before ? 'copied' : 'waiting';
    const log = this.logs.promoteFuture(topic, index);
    p.replaceLog(log);
    this.host.adopted(p, log);
    this.logger.info(`moved ${topic}-${index} to log directory ${this.logs.dirOf(topic, index)}`);
    return 'done';
  }

  /** Keeps the copy a prefix of the log: records deleted at the start go, a tail the log lost (diverged at a leader change) goes too. */
  private follow(source: PartitionLog, future: PartitionLog): void {
    if (source.logStartOffset > future.logEndOffset) future.truncateFullyAndStartAt(source.logStartOffset);
    else if (source.logStartOffset > future.logStartOffset) future.deleteRecordsBefore(source.logStartOffset);
    const epoch = future.latestEpoch;
    if (epoch >= 0) {
      const e = source.endOffsetForEpoch(epoch);
      if (e.leaderEpoch < epoch || e.endOffset < future.logEndOffset) future.truncateTo(Math.max(future.logStartOffset, Math.min(e.endOffset, future.logEndOffset)));
    }
    if (future.logEndOffset > source.logEndOffset) future.truncateTo(source.logEndOffset);
  }
}
