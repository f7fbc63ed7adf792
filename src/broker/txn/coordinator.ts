// The transaction coordinator (Kafka's TransactionCoordinator and TransactionStateManager):
// the transactional ids whose __transaction_state partitions this broker leads, their
// producer ids and epochs, and each transaction's course Empty -> Ongoing ->
// PrepareCommit/PrepareAbort -> CompleteCommit/CompleteAbort. Under transaction version 2
// (KIP-890 part 2) each transaction ends with its producer's epoch bumped, so a request
// of the transaction before, arriving late, is fenced.
// Every state is written to the log, and replicated, before it is acted on; a broker that
// takes over a partition reads it back and finishes what was prepared. Markers go to the
// transaction's partitions through a MarkerChannel.
import type { Logger } from 'winston';
import { ErrorCode } from '../../protocol/errors.js';
import type { PartitionWriter } from '../coordinator/partition-writer.js';
import { partitionForTxn, readTxnRecord, type TxnRecord, TxnState, type TxnStateId, txnKey, txnValue, txnValueVersion } from './records.js';

/** Writes a transaction's markers to its partitions; resolves once each has one, or `abandoned()` says to stop. */
export interface MarkerChannel {
  write(m: { producerId: number; producerEpoch: number; commit: boolean; coordinatorEpoch: number; partitions: ReadonlyMap<string, ReadonlySet<number>> }, abandoned: () => boolean): Promise<void>;
}

export interface TxnCoordinatorDeps {
  /** __transaction_state, through the coordinator seam. */
  writer: PartitionWriter;
  producerIds: { allocate(): Promise<number> };
  markers: MarkerChannel;
  /** The leader epoch of a __transaction_state partition: the coordinator epoch its markers carry. */
  coordinatorEpoch(partition: number): number;
  config: { int(name: string): number };
  /** The cluster's finalized transaction.version feature level. */
  transactionVersion(): number;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  now(): number;
}

/** A transactional id's state here: what the log holds, and whether a write or markers are in flight. */
interface Txn extends TxnRecord {
  partition: number;
  pending: boolean;
  /** The epoch before the last bump a producer asked for (KIP-360): its retry gets the current one back. */
  lastProducerEpoch: number;
}

export interface InitResult {
  errorCode: number;
  producerId: number;
  producerEpoch: number;
}

/** EndTxn v5: the producer id and epoch its next transaction uses; -1 with an error. */
export type EndTxnResult = InitResult;

const MAX_EPOCH = 32767;
const NO_PARTITIONS = (): Map<string, Set<number>> => new Map();

export class TransactionCoordinator {
  private readonly txns = new Map<string, Txn>();
  private readonly loading = new Map<number, Promise<void>>();
  private readonly led = new Set<number>();

  constructor(private readonly deps: TxnCoordinatorDeps) {}

  partitionFor(transactionalId: string): number {
    return partitionForTxn(transactionalId, this.deps.writer.partitionCount() ?? this.deps.config.int('transaction.state.log.num.partitions'));
  }

  /** Null when this broker coordinates the id; else the error that sends the client elsewhere. */
  coordinatorError(transactionalId: string): number | null {
    if (this.deps.writer.partitionCount() === null) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const p = this.partitionFor(transactionalId);
    if (!this.led.has(p) || !this.deps.writer.isLeader(p)) return ErrorCode.NOT_COORDINATOR;
    if (this.loading.has(p)) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return null;
  }

  // ---- leadership -----------------------------------------------------------------------

  /** This broker leads a __transaction_state partition: its ids are read back, and prepared transactions finished. */
  partitionElected(partition: number): void {
    this.led.add(partition);
    const load = this.load(partition)
      .catch((e: unknown) => {
        this.deps.logger.error(`loading transactions of __transaction_state-${partition} failed: ${(e as Error).stack ?? String(e)}`);
      })
      .finally(() => {
        if (this.loading.get(partition) === load) this.loading.delete(partition);
      });
    this.loading.set(partition, load);
  }

  partitionResigned(partition: number): void {
    this.led.delete(partition);
    this.loading.delete(partition);
    for (const [id, t] of this.txns) if (t.partition === partition) this.txns.delete(id);
  }

  /** Resolves once every partition being loaded has been (tests, start-up). */
  async loaded(): Promise<void> {
    while (this.loading.size > 0) await Promise.all(this.loading.values());
  }

  private async load(partition: number): Promise<void> {
    const found = new Map<string, TxnRecord>();
    for await (const r of this.deps.writer.load(partition)) {
      if ('marker' in r) continue;
      const { transactionalId, record } = readTxnRecord(r.key, r.value);
      if (record) found.set(transactionalId, record);
      else found.delete(transactionalId);
    }
    if (!this.led.has(partition)) return;
    for (const [id, record] of found) this.txns.set(id, { ...record, partition, pending: false, lastProducerEpoch: -1 });
    if (found.size > 0) this.deps.logger.info(`loaded ${found.size} transactional id(s) of __transaction_state-${partition}`);
    for (const [id, t] of this.txns) {
      if (t.partition !== partition) continue;
      if (t.state === TxnState.PrepareCommit || t.state === TxnState.PrepareAbort) this.finish(id, t, t.state === TxnState.PrepareCommit);
    }
  }

  // ---- the protocol ---------------------------------------------------------------------

  /** InitProducerId with a transactional id: a producer id and a fresh epoch, fencing earlier ones. */
  async initProducerId(transactionalId: string, timeoutMs: number, expected: { producerId: number; producerEpoch: number }): Promise<InitResult> {
    const fail = (errorCode: number): InitResult => ({ errorCode, producerId: -1, producerEpoch: -1 });
    if (transactionalId === '') return fail(ErrorCode.INVALID_REQUEST);
    if (timeoutMs <= 0 || timeoutMs > this.deps.config.int('transaction.max.timeout.ms')) return fail(ErrorCode.INVALID_TRANSACTION_TIMEOUT);
    const notHere = this.coordinatorError(transactionalId);
    if (notHere !== null) return fail(notHere);
    let t = this.txns.get(transactionalId);
    if (!t) {
      const producerId = await this.deps.producerIds.allocate();
      // The allocation waited: another request for the id may have got there first.
      t = this.txns.get(transactionalId);
      if (!t) {
        t = {
          producerId, lastProducerId: -1, nextProducerId: -1, producerEpoch: -1, timeoutMs, state: TxnState.Empty, partitions: NO_PARTITIONS(), lastUpdateMs: this.deps.now(), startMs: -1,
          clientTransactionVersion: 0, partition: this.partitionFor(transactionalId), pending: false, lastProducerEpoch: -1,
        };
        this.txns.set(transactionalId, t);
      }
    }
    if (t.pending) return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
    // KIP-360, as Kafka checks it: a producer that names an id (an idempotent one taking on
    // a transactional id, or one recovering) is fenced unless the id was just made, is the
    // current one, or is the one before it whose epochs ran out.
    const named = expected.producerId >= 0;
    if (named && !(t.producerEpoch === -1 || expected.producerId === t.producerId || (expected.producerId === t.lastProducerId && expected.producerEpoch >= MAX_EPOCH - 1))) {
      return fail(ErrorCode.PRODUCER_FENCED);
    }
    switch (t.state) {
      case TxnState.PrepareCommit:
      case TxnState.PrepareAbort:
      case TxnState.PrepareEpochFence:
      case TxnState.Dead:
        return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
      case TxnState.Ongoing: {
        // Abort it under a bumped epoch, which fences the producer that began it; the
        // client retries and is given the epoch after that.
        const code = await this.abortFenced(transactionalId, t);
        return fail(code === ErrorCode.NONE ? ErrorCode.CONCURRENT_TRANSACTIONS : code);
      }
      default: {
        // A named epoch must be the current one (bumped), or the one before (a retry of a bump that was answered: the current one back).
        const sameProducer = named && expected.producerId === t.producerId && t.producerEpoch !== -1;
        if (sameProducer && expected.producerEpoch !== t.producerEpoch) {
          if (expected.producerEpoch === t.lastProducerEpoch) return { errorCode: ErrorCode.NONE, producerId: t.producerId, producerEpoch: t.producerEpoch };
          return fail(ErrorCode.PRODUCER_FENCED);
        }
        const before = t.producerEpoch;
        const next = { ...this.bumped(t), timeoutMs, state: TxnState.Empty, partitions: NO_PARTITIONS(), startMs: -1, lastUpdateMs: this.deps.now() } satisfies TxnRecord;
        const code = await this.persist(transactionalId, t, () => next);
        if (code !== ErrorCode.NONE) return fail(code);
        t.lastProducerEpoch = sameProducer ? before : -1;
        return { errorCode: ErrorCode.NONE, producerId: t.producerId, producerEpoch: t.producerEpoch };
      }
    }
  }

  /**
   * Aborts an open transaction under the next epoch, fencing its producer (a timeout, or a
   * new producer of the id). The markers go to batches of this producer id, so it is never
   * rotated here; with the epochs spent the epoch stays, as Kafka's epoch fence then does.
   * Under transaction version 2 the abort bumps it once more, as every end of one does.
   */
  private async abortFenced(transactionalId: string, t: Txn): Promise<number> {
    const next = (e: number) => (e < MAX_EPOCH - 1 ? e + 1 : e);
    const tv = this.deps.transactionVersion();
    const producerEpoch = tv >= 2 ? next(next(t.producerEpoch)) : next(t.producerEpoch);
    const fenced: TxnRecord = { ...t, producerEpoch, state: TxnState.PrepareAbort, lastUpdateMs: this.deps.now(), ...(tv >= 2 ? { clientTransactionVersion: tv } : {}) };
    const code = await this.persist(transactionalId, t, () => fenced);
    if (code === ErrorCode.NONE) {
      t.lastProducerEpoch = -1;
      this.finish(transactionalId, t, false);
    }
    return code;
  }

  /** The next epoch; past the last one, a new producer id at epoch 0 (the id before it kept, KIP-360). */
  private bumped(t: Txn): TxnRecord {
    if (t.producerEpoch < MAX_EPOCH - 1) return { ...t, producerEpoch: t.producerEpoch + 1 };
    // Allocated ids are reserved up front; this one is taken from the same allocator below.
    return { ...t, lastProducerId: t.producerId, producerId: -1, producerEpoch: 0 };
  }

  /**
   * AddPartitionsToTxn (and AddOffsetsToTxn, for the group's offsets partition): the
   * partitions join the producer's transaction, which begins if it had not.
   */
  async addPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: ReadonlyArray<[string, number]>, fencedCode: number, tv2 = false): Promise<number> {
    const t = this.check(transactionalId, producerId, producerEpoch, fencedCode);
    if (typeof t === 'number') return t;
    if (t.state === TxnState.PrepareCommit || t.state === TxnState.PrepareAbort) return ErrorCode.CONCURRENT_TRANSACTIONS;
    if (t.state === TxnState.Dead || t.state === TxnState.PrepareEpochFence) return fencedCode;
    if (t.state === TxnState.Ongoing && partitions.every(([topic, p]) => t.partitions.get(topic)?.has(p))) return ErrorCode.NONE;
    const merged = new Map([...t.partitions].map(([k, v]) => [k, new Set(v)]));
    for (const [topic, p] of partitions) {
      let set = merged.get(topic);
      if (!set) merged.set(topic, (set = new Set()));
      set.add(p);
    }
    const now = this.deps.now();
    const begins = t.state !== TxnState.Ongoing;
    return this.persist(transactionalId, t, () => ({
      ...t, state: TxnState.Ongoing, partitions: merged, lastUpdateMs: now, startMs: begins ? now : t.startMs, clientTransactionVersion: tv2 ? 2 : 0,
    }));
  }

  /**
   * Whether each partition is in the producer's transaction (AddPartitionsToTxn v4+
   * VerifyOnly, KIP-890), in Kafka's order of checks. A write in flight is not waited for:
   * the partitions join once their state is written.
   */
  verifyPartitions(transactionalId: string, producerId: number, producerEpoch: number, partitions: ReadonlyArray<[string, number]>): number[] {
    const all = (code: number) => partitions.map(() => code);
    const notHere = this.coordinatorError(transactionalId);
    if (notHere !== null) return all(notHere);
    const t = this.txns.get(transactionalId);
    if (!t || t.producerId !== producerId) return all(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    if (t.producerEpoch !== producerEpoch) return all(ErrorCode.PRODUCER_FENCED);
    if (t.state === TxnState.PrepareCommit || t.state === TxnState.PrepareAbort) return all(ErrorCode.CONCURRENT_TRANSACTIONS);
    return partitions.map(([topic, p]) => (t.partitions.get(topic)?.has(p) ? ErrorCode.NONE : ErrorCode.TRANSACTION_ABORTABLE));
  }

  /**
   * EndTxn v0-4 (transaction versions 0 and 1): the transaction is prepared to commit or
   * abort (answered then), its markers written, and then completed.
   */
  async endTxn(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean, fencedCode: number): Promise<number> {
    const t = this.check(transactionalId, producerId, producerEpoch, fencedCode);
    if (typeof t === 'number') return t;
    switch (t.state) {
      case TxnState.Ongoing: {
        const code = await this.persist(transactionalId, t, () => ({ ...t, state: commit ? TxnState.PrepareCommit : TxnState.PrepareAbort, lastUpdateMs: this.deps.now() }));
        if (code === ErrorCode.NONE) this.finish(transactionalId, t, commit);
        return code;
      }
      case TxnState.CompleteCommit:
        return commit ? ErrorCode.NONE : ErrorCode.INVALID_TXN_STATE;
      case TxnState.CompleteAbort:
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.NONE;
      case TxnState.PrepareCommit:
        return commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE;
      case TxnState.PrepareAbort:
        return commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS;
      case TxnState.Empty:
        return ErrorCode.INVALID_TXN_STATE;
      default:
        return fencedCode;
    }
  }

  /**
   * EndTxn v5 (transaction version 2, KIP-890 part 2): as v0-4, but the prepared state
   * carries the producer's next epoch, which the markers are written with and the answer
   * gives back; past the last epoch, a new producer id. A retry is a request of the epoch
   * before the bump, answered with the state it left. An abort with no transaction open
   * is allowed, and only bumps the epoch (the client's way out of an abortable error).
   */
  async endTxnV2(transactionalId: string, producerId: number, producerEpoch: number, commit: boolean): Promise<EndTxnResult> {
    const fail = (errorCode: number): EndTxnResult => ({ errorCode, producerId: -1, producerEpoch: -1 });
    const notHere = this.coordinatorError(transactionalId);
    if (notHere !== null) return fail(notHere);
    const t = this.txns.get(transactionalId);
    if (!t) return fail(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    const retryOnOverflow = t.lastProducerId === producerId && producerEpoch === MAX_EPOCH - 1 && t.producerEpoch === 0;
    const retryOnEpochBump = t.producerEpoch === producerEpoch + 1;
    const isRetry = retryOnEpochBump || retryOnOverflow;
    const prepared = t.state === TxnState.PrepareCommit || t.state === TxnState.PrepareAbort;
    const completed = t.state === TxnState.CompleteCommit || t.state === TxnState.CompleteAbort;
    const validEpoch = prepared ? retryOnEpochBump : completed ? isRetry || producerEpoch === t.producerEpoch : producerEpoch === t.producerEpoch;
    if (t.producerId !== producerId && !retryOnOverflow) return fail(ErrorCode.INVALID_PRODUCER_ID_MAPPING);
    if (!validEpoch) return fail(ErrorCode.PRODUCER_FENCED);
    if (t.pending) return fail(ErrorCode.CONCURRENT_TRANSACTIONS);
    const current = (): EndTxnResult => ({ errorCode: ErrorCode.NONE, producerId: t.producerId, producerEpoch: t.producerEpoch });
    switch (t.state) {
      case TxnState.Ongoing:
        return this.prepareEnd(transactionalId, t, commit, false);
      case TxnState.CompleteCommit:
        if (commit) return isRetry ? current() : fail(ErrorCode.INVALID_TXN_STATE);
        return isRetry ? fail(ErrorCode.INVALID_TXN_STATE) : this.prepareEnd(transactionalId, t, false, true);
      case TxnState.CompleteAbort:
        if (commit) return fail(ErrorCode.INVALID_TXN_STATE);
        return isRetry ? current() : this.prepareEnd(transactionalId, t, false, true);
      case TxnState.PrepareCommit:
        return fail(commit ? ErrorCode.CONCURRENT_TRANSACTIONS : ErrorCode.INVALID_TXN_STATE);
      case TxnState.PrepareAbort:
        return fail(commit ? ErrorCode.INVALID_TXN_STATE : ErrorCode.CONCURRENT_TRANSACTIONS);
      case TxnState.Empty:
        return commit ? fail(ErrorCode.INVALID_TXN_STATE) : this.prepareEnd(transactionalId, t, false, true);
      default:
        return fail(ErrorCode.PRODUCER_FENCED);
    }
  }

  /** Writes a transaction version 2 prepare under the next epoch (or a new producer id), then sends its markers. */
  private async prepareEnd(transactionalId: string, t: Txn, commit: boolean, noPartitionAdded: boolean): Promise<EndTxnResult> {
    const epoch = t.producerEpoch;
    const now = this.deps.now();
    const exhausted = epoch >= MAX_EPOCH - 1;
    const code = await this.persist(transactionalId, t, async () => ({
      ...t,
      state: commit ? TxnState.PrepareCommit : TxnState.PrepareAbort,
      producerEpoch: epoch + 1,
      nextProducerId: exhausted ? await this.deps.producerIds.allocate() : -1,
      clientTransactionVersion: 2,
      lastUpdateMs: now,
      startMs: noPartitionAdded ? now : t.startMs,
    }));
    if (code !== ErrorCode.NONE) return { errorCode: code, producerId: -1, producerEpoch: -1 };
    t.lastProducerEpoch = epoch;
    const answer: EndTxnResult = t.nextProducerId >= 0
      ? { errorCode: ErrorCode.NONE, producerId: t.nextProducerId, producerEpoch: 0 }
      : { errorCode: ErrorCode.NONE, producerId: t.producerId, producerEpoch: t.producerEpoch };
    this.finish(transactionalId, t, commit);
    return answer;
  }

  /** The checks every request of a producer goes through; the transaction, or the error. */
  private check(transactionalId: string, producerId: number, producerEpoch: number, fencedCode: number): Txn | number {
    const notHere = this.coordinatorError(transactionalId);
    if (notHere !== null) return notHere;
    const t = this.txns.get(transactionalId);
    if (!t || t.producerId !== producerId) return ErrorCode.INVALID_PRODUCER_ID_MAPPING;
    if (t.producerEpoch !== producerEpoch) return fencedCode;
    if (t.pending) return ErrorCode.CONCURRENT_TRANSACTIONS;
    return t;
  }

  /**
   * Writes the state `build` gives as the id's; applied here once the log has it. Other
   * requests of the id meanwhile get CONCURRENT_TRANSACTIONS, so `build` may allocate
   * producer ids. The producer id a bump ran out of epochs for is replaced by a new one.
   */
  private async persist(transactionalId: string, t: Txn, build: () => TxnRecord | Promise<TxnRecord>): Promise<number> {
    t.pending = true;
    try {
      let next = await build();
      if (next.producerId < 0) next = { ...next, producerId: await this.deps.producerIds.allocate() };
      const value = txnValue(next, txnValueVersion(this.deps.transactionVersion()));
      const code = await this.deps.writer.append(t.partition, [{ key: txnKey(transactionalId), value }]);
      if (code === ErrorCode.NONE) Object.assign(t, next);
      return code;
    } finally {
      t.pending = false;
    }
  }

  /** Writes the markers of a prepared transaction, then completes it. Requests meanwhile get CONCURRENT_TRANSACTIONS. */
  private finish(transactionalId: string, t: Txn, commit: boolean): void {
    t.pending = true;
    const partition = t.partition;
    const abandoned = () => !this.led.has(partition) || this.txns.get(transactionalId) !== t;
    void (async () => {
      try {
        // A version 2 abort with no partitions (only an epoch bump) has no markers to write.
        if (t.partitions.size > 0) {
          await this.deps.markers.write({ producerId: t.producerId, producerEpoch: t.producerEpoch, commit, coordinatorEpoch: this.deps.coordinatorEpoch(partition), partitions: t.partitions }, abandoned);
        }
        if (abandoned()) return;
        t.pending = false;
        // A version 2 prepare that ran out of epochs completes under its new producer id.
        const rotated = t.nextProducerId >= 0 ? { lastProducerId: t.producerId, producerId: t.nextProducerId, producerEpoch: 0, nextProducerId: -1 } : {};
        const complete: TxnRecord = { ...t, ...rotated, state: commit ? TxnState.CompleteCommit : TxnState.CompleteAbort, partitions: NO_PARTITIONS(), lastUpdateMs: this.deps.now() };
        const code = await this.persist(transactionalId, t, () => complete);
        if (code !== ErrorCode.NONE && !abandoned()) {
          // The prepared state stays in the log: the partition's next leader finishes it.
          this.deps.logger.warn(`completing the transaction of ${transactionalId} failed (${code}); left prepared`);
        }
      } catch (e) {
        this.deps.logger.error(`finishing the transaction of ${transactionalId} failed: ${(e as Error).stack ?? String(e)}`);
      } finally {
        t.pending = false;
      }
    })();
  }

  // ---- time -----------------------------------------------------------------------------

  /**
   * Aborts transactions open longer than their timeout, fencing their producer with a
   * bumped epoch, and forgets ids idle past transactional.id.expiration.ms (a tombstone).
   */
  async expire(now: number): Promise<void> {
    const expiration = this.deps.config.int('transactional.id.expiration.ms');
    for (const [id, t] of [...this.txns]) {
      if (t.pending || this.coordinatorError(id) !== null) continue;
      if (t.state === TxnState.Ongoing && now - t.startMs > t.timeoutMs) {
        this.deps.logger.info(`aborting the transaction of ${id} (producer ${t.producerId}, epoch ${t.producerEpoch}): open longer than its ${t.timeoutMs} ms timeout`);
        await this.abortFenced(id, t);
      } else if ((t.state === TxnState.Empty || t.state === TxnState.CompleteCommit || t.state === TxnState.CompleteAbort) && now - t.lastUpdateMs > expiration) {
        t.pending = true;
        const code = await this.deps.writer.append(t.partition, [{ key: txnKey(id), value: null }]).finally(() => {
          t.pending = false;
        });
        if (code === ErrorCode.NONE && this.txns.get(id) === t) this.txns.delete(id);
      }
    }
  }

  /** The test kit's reset: every transactional id coordinated here is forgotten (a tombstone each). Returns them. */
  async resetAll(): Promise<string[]> {
    const ids = [...this.txns].filter(([id]) => this.coordinatorError(id) === null);
    for (const [id] of ids) this.txns.delete(id);
    await Promise.all(ids.map(([id, t]) => this.deps.writer.append(t.partition, [{ key: txnKey(id), value: null }])));
    return ids.map(([id]) => id);
  }

  // ---- describing -----------------------------------------------------------------------

  /** DescribeTransactions: the id's state, or the error for it. */
  describe(transactionalId: string): { errorCode: number; txn?: Readonly<TxnRecord> } {
    const notHere = this.coordinatorError(transactionalId);
    if (notHere !== null) return { errorCode: notHere };
    const t = this.txns.get(transactionalId);
    return t ? { errorCode: ErrorCode.NONE, txn: t } : { errorCode: ErrorCode.TRANSACTIONAL_ID_NOT_FOUND };
  }

  /** ListTransactions: the ids this broker coordinates, as the filters allow (empty filters allow all). */
  list(states: ReadonlySet<string>, producerIds: ReadonlySet<number>, minDurationMs: number, stateName: (s: TxnStateId) => string): Array<{ transactionalId: string; producerId: number; state: string }> {
    const now = this.deps.now();
    const out: Array<{ transactionalId: string; producerId: number; state: string }> = [];
    for (const [id, t] of this.txns) {
      if (!this.led.has(t.partition)) continue;
      const state = stateName(t.state);
      if (states.size > 0 && !states.has(state)) continue;
      if (producerIds.size > 0 && !producerIds.has(t.producerId)) continue;
      // As Kafka filters by duration: time since the transaction began (an id with none open always passes).
      if (minDurationMs >= 0 && now - t.startMs < minDurationMs) continue;
      out.push({ transactionalId: id, producerId: t.producerId, state });
    }
    return out;
  }
}
