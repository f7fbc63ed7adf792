// The log cleaner for cleanup.policy=compact (Kafka's LogCleaner, simplified): over the
// closed segments it keeps the last record of each key, drops tombstones older than
// delete.retention.ms, and rewrites each segment in place. Batches keep their base offset
// and offset range, so offsets never move; a batch left with no records disappears. The
// active segment is never touched, exactly as in Kafka; nor is any segment from the first
// open transaction on. Records of aborted transactions are dropped (they never were). A
// transaction marker goes as Kafka's CleanedTransactionMetadata lets it: once no batch of
// its transaction was met in a pass (an abort's are dropped in the pass before), and, as
// tombstones, delete.retention.ms after its segment was last written.
import { Attr } from '../protocol/records/batch.js';
import { ControlType, controlTypeOfKey } from '../protocol/records/control.js';
import { type DecodedBatch, decodeBatch, encodeBatch } from '../protocol/records/records.js';
import { release } from '../fastpath/index.js';
import type { PartitionLog } from './partition-log.js';

const keyOf = (k: Buffer): string => k.toString('latin1');

/** Compacts the closed segments of `log`; returns how many records were removed. Safe to call at any time. */
export async function compactLog(log: PartitionLog, now: number, deleteRetentionMs: number): Promise<number> {
  const unstable = log.firstUnstableOffset;
  const closed = log.closedSegments();
  const cleanable = closed.findIndex((seg) => unstable !== null && seg.index.count > 0 && seg.index.lastOffset(seg.index.count - 1) >= unstable);
  const segments = cleanable < 0 ? closed : closed.slice(0, cleanable);
  if (segments.length === 0) return 0;
  const aborted = log.abortedTxns(segments[0]!.baseOffset, Number.MAX_SAFE_INTEGER);
  const wasAborted = (b: DecodedBatch) => b.isTransactional && !b.isControl
    && aborted.some((t) => t.producerId === b.producerId && b.baseOffset >= t.firstOffset && b.baseOffset <= t.lastOffset);
  const decoded = new Map<(typeof segments)[number], DecodedBatch[]>();
  const latest = new Map<string, number>();
  for (const seg of segments) {
    const batches: DecodedBatch[] = [];
    for (let i = 0; i < seg.index.count; i++) {
      const [bytes] = seg.read(i, i);
      const copy = Buffer.from(bytes!);
      release(bytes!);
      const b = await decodeBatch(copy);
      batches.push(b);
      if (b.isControl || wasAborted(b)) continue;
      for (const r of b.records) if (r.key) latest.set(keyOf(r.key), r.offset);
    }
    decoded.set(seg, batches);
  }
  let removed = 0;
  // Producers whose committed (or aborted) transaction had a batch met in this pass, until its marker.
  const committedMet = new Set<number>();
  const abortedMet = new Set<number>();
  for (const seg of segments) {
    const tombstonesExpire = now - seg.lastModified > deleteRetentionMs;
    const out: Buffer[] = [];
    let segmentRemoved = 0;
    for (const b of decoded.get(seg)!) {
      if (b.isControl) {
        const type = controlTypeOfKey(b.records[0]?.key ?? null);
        const met = type === ControlType.ABORT ? abortedMet : type === ControlType.COMMIT ? committedMet : null;
        const discardable = met !== null && !met.has(b.producerId);
        met?.delete(b.producerId);
        if (discardable && tombstonesExpire) {
          segmentRemoved += b.records.length;
          continue;
        }
        out.push(await encodeBatch({ ...batchHeader(b), records: b.records.map((r) => ({ ...r, offsetDelta: r.offset - b.baseOffset })) }));
        continue;
      }
      if (b.isTransactional) (wasAborted(b) ? abortedMet : committedMet).add(b.producerId);
      const keep = wasAborted(b) ? [] : b.records.filter((r) => !r.key || (latest.get(keyOf(r.key)) === r.offset && !(r.value === null && tombstonesExpire)));
      segmentRemoved += b.records.length - keep.length;
      if (keep.length === 0) continue;
      out.push(await encodeBatch({ ...batchHeader(b), records: keep.map((r) => ({ ...r, offsetDelta: r.offset - b.baseOffset })) }));
    }
    if (segmentRemoved === 0) continue;
    if (log.replaceSegment(seg, out)) removed += segmentRemoved;
  }
  return removed;
}

function batchHeader(b: DecodedBatch) {
  return {
    baseOffset: b.baseOffset,
    lastOffsetDelta: b.lastOffsetDelta,
    compression: b.attributes & Attr.compressionMask,
    attributes: b.attributes & ~Attr.compressionMask,
    producerId: b.producerId,
    producerEpoch: b.producerEpoch,
    baseSequence: b.baseSequence,
    partitionLeaderEpoch: b.partitionLeaderEpoch,
  };
}

