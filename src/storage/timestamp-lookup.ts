// ListOffsets by time over a log's segments: the batch index narrows the search to batches
// whose max timestamp qualifies, and only those are decoded.
import { type DecodedBatch, decodeBatch } from '../protocol/records/records.js';
import { release } from '../fastpath/index.js';
import type { LogSegment } from './segment.js';

export interface TimestampOffset {
  offset: number;
  timestamp: number;
  leaderEpoch: number;
}

/** Batch `i` of a segment, decoded; its read is released once decoded, so only numbers may be kept from it. */
async function decodeAt(seg: LogSegment, i: number): Promise<DecodedBatch> {
  const [bytes] = seg.read(i, i);
  try {
    return await decodeBatch(bytes!);
  } finally {
    release(bytes!);
  }
}

/** The first record at or after `logStartOffset` with timestamp >= ts, or null. */
export async function firstAtOrAfter(segments: readonly LogSegment[], logStartOffset: number, ts: number): Promise<TimestampOffset | null> {
  for (const seg of segments) {
    const idx = seg.index;
    for (let i = 0; i < idx.count; i++) {
      if (idx.maxTimestamp(i) < ts || idx.lastOffset(i) < logStartOffset) continue;
      const b = await decodeAt(seg, i);
      for (const r of b.records) {
        if (r.timestamp >= ts && r.offset >= logStartOffset) return { offset: r.offset, timestamp: r.timestamp, leaderEpoch: b.partitionLeaderEpoch };
      }
    }
  }
  return null;
}

/** The record with the largest timestamp at or after `logStartOffset`, or null if there is none. */
export async function latestTimestamp(segments: readonly LogSegment[], logStartOffset: number): Promise<TimestampOffset | null> {
  let best: { seg: LogSegment; i: number; ts: number } | null = null;
  for (const seg of segments) {
    for (let i = 0; i < seg.index.count; i++) {
      if (seg.index.lastOffset(i) < logStartOffset) continue;
      if (!best || seg.index.maxTimestamp(i) > best.ts) best = { seg, i, ts: seg.index.maxTimestamp(i) };
    }
  }
  if (!best) return null;
  const b = await decodeAt(best.seg, best.i);
  let rec = b.records[0]!;
  for (const r of b.records) if (r.timestamp > rec.timestamp) rec = r;
  return { offset: rec.offset, timestamp: rec.timestamp, leaderEpoch: b.partitionLeaderEpoch };
}
