// The partitions this broker holds (Kafka's ReplicaManager): it opens their logs as the
// cluster metadata assigns them here, makes each leader or follower as its state says,
// runs the follower fetchers, and as leader tracks followers and changes the ISR (adding
// a follower that caught up, dropping one that fell replica.lag.time.max.ms behind).
import { type Clock, systemClock } from './clock.js';
import type { Logger } from 'winston';
import { ErrorCode } from '../protocol/errors.js';
import { type LogManager, partitionDirName } from '../storage/log-manager.js';
import type { BrokerConfig } from './config.js';
import type { ClusterMetadata, PartitionState, TopicState } from './controller/cluster-metadata.js';
import type { BrokerInfo } from './controller/placement.js';
import type { BrokerClient } from './net/broker-client.js';
import { endpointOn } from './net/endpoints.js';
import type { Peers } from './net/peers.js';
import { completeReassignment } from './controller/reassignment.js';
import { ReplicationQuota, throttledOn } from './quotas/replication-throttle.js';
import { ReplicaMoves } from './replica-moves.js';
import { OfflineReplicas } from './offline-replicas.js';
import { Partition } from './partition.js';
import { type FetcherHost, ReplicaFetcher } from './replication/replica-fetcher.js';
import type { Scheduler } from './scheduler.js';
import type { TopicConfigs } from './topic-configs.js';

/** How long one slice of opening a topic's partitions may hold the event loop. */
const OPEN_SLICE_MS = 20;

/** Told when this broker starts or stops leading a partition of a topic it watches (a coordinator's internal topic). */
export type LeadershipListener = (partition: number, leading: boolean) => void;

export interface LeaderHintTarget {
  topic: string;
  partition: number;
  out: { errorCode?: number; currentLeader?: { leaderId?: number; leaderEpoch?: number } };
}

export class ReplicaManager implements FetcherHost {
  private readonly partitions = new Map<string, Partition>();
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  private readonly following = new Map<Partition, number>();
  private readonly isrChanges = new Set<Partition>();
  private readonly leadershipListeners = new Map<string, LeadershipListener>();
  /** Replicas assigned here whose logs could not be opened or whose log directory failed: answered KAFKA_STORAGE_ERROR. */
  private readonly offline = new OfflineReplicas();
  /**
   * Told when the replicas on failed log directories change, for the broker's registration
   * to report them; `allDirsOffline` when no log directory serves any more.
   */
  onOfflineReplicas: (allDirsOffline: boolean) => void = () => undefined;
  /** Topics whose partitions are still being opened, a slice at a time. */
  private readonly opening = new Map<string, { timer: NodeJS.Immediate | null; settled: Promise<void>; resolve: () => void }>();
  readonly fetchSettings: FetcherHost['fetchSettings'];
  private readonly rack: string | null;
  /** replica.selector.class is the rack-aware selector (KIP-392): consumers may be sent to a same-rack follower. */
  private readonly rackAwareReads: boolean;
  /** Stops this broker's followers from fetching (see ReplicaFetcher); the leaders then drop it from their ISRs. */
  replicationPaused = false;
  /** Whether this broker can reach another (an in-process cluster's network split says no). */
  reachable: (brokerId: number) => boolean = () => true;
  /** Told of each ISR change this broker makes as a leader: shrunk, or expanded (metrics). */
  onIsrChange: ((shrunk: boolean) => void) | null = null;
  /** leader.replication.throttled.rate: bytes this broker as leader sends replicas not in sync. */
  readonly leaderQuota: ReplicationQuota;
  /** follower.replication.throttled.rate: bytes this broker fetches for partitions it is not in sync for. */
  readonly followerQuota: ReplicationQuota;
  /** Replicas moving between this broker's log directories (AlterReplicaLogDirs). */
  readonly moves: ReplicaMoves;

  constructor(
    readonly brokerId: number,
    private readonly config: BrokerConfig,
    private readonly metadata: ClusterMetadata,
    /** How followers reach their leaders: the inter-broker listener. */
    private readonly peers: Peers,
    private readonly logs: LogManager,
    private readonly topicConfigs: TopicConfigs,
    private readonly logger: Logger,
    private readonly clock: Clock = systemClock,
  ) {
    this.rack = config.get('broker.rack');
    this.rackAwareReads = config.get('replica.selector.class')?.endsWith('RackAwareReplicaSelector') ?? false;
    this.fetchSettings = {
      maxWaitMs: config.int('replica.fetch.wait.max.ms'),
      minBytes: config.int('replica.fetch.min.bytes'),
      maxBytes: config.int('replica.fetch.response.max.bytes'),
      partitionMaxBytes: config.int('replica.fetch.max.bytes'),
      backoffMs: config.int('replica.fetch.backoff.ms'),
      requestTimeoutMs: config.int('replica.socket.timeout.ms'),
    };
    const window = { samples: config.int('replication.quota.window.num'), windowMs: config.int('replication.quota.window.size.seconds') * 1000 };
    this.leaderQuota = new ReplicationQuota(() => config.int('leader.replication.throttled.rate'), window);
    this.followerQuota = new ReplicationQuota(() => config.int('follower.replication.throttled.rate'), window);
    this.moves = new ReplicaMoves(logs, {
      partition: (topic, index) => this.partition(topic, index),
      isOffline: (topic, index) => this.offline.has(partitionDirName(topic, index)),
      adopted: (p, log) => {
        log.onStorageError = (e) => this.logStorageFailed(p.topic.name, p.index, e);
      },
    }, logger);
    logs.highWatermarkOf = (key) => this.partitions.get(key)?.highWatermark;
    logs.onDirOffline = (dir, cause, partitions) => this.logDirFailed(dir, cause, partitions);
  }

  /** Schedules the ISR expiry, as Kafka's ReplicaManager does its own. */
  start(scheduler: Scheduler): void {
    scheduler.every(this.config.int('replica.lag.time.max.ms') / 2, 'ISR expiry', () => this.shrinkIsrs(Date.now()));
  }

  /** Tells `fn` whenever this broker starts or stops leading a partition of `topic`. One listener a topic. */
  watchLeadership(topic: string, fn: LeadershipListener): void {
    this.leadershipListeners.set(topic, fn);
  }

  partition(topic: string, index: number): Partition | undefined {
    return this.partitions.get(partitionDirName(topic, index));
  }

  all(): IterableIterator<Partition> {
    return this.partitions.values();
  }

  /**
   * The partition if this broker leads it; otherwise the error a client gets:
   * UNKNOWN_TOPIC_OR_PARTITION when the cluster has no such partition, KAFKA_STORAGE_ERROR
   * when this broker's replica of it is offline (its log could not be opened, or its log
   * directory failed), else
   * NOT_LEADER_OR_FOLLOWER (the client refreshes its metadata and goes to the leader).
   */
  leaderPartition(topic: string, index: number): Partition | number {
    const p = this.partition(topic, index);
    if (p?.isLeader) return p;
    const state = this.metadata.topics.get(topic)?.partitions[index];
    if (!state) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
    // As Kafka's ReplicaManager answers for a replica it hosts offline, whoever leads.
    if (this.offline.has(partitionDirName(topic, index))) return ErrorCode.KAFKA_STORAGE_ERROR;
    return ErrorCode.NOT_LEADER_OR_FOLLOWER;
  }

  /**
   * KIP-951: partitions answered NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH name the
   * current leader (`currentLeader`, Produce v10+ / Fetch v12+), so the client need not ask
   * for metadata first; returns the endpoints of the leaders named, for the response's
   * nodeEndpoints, at their address on `listener` (the client's). Partitions with no live
   * leader get no hint.
   */
  addLeaderHints(parts: Iterable<LeaderHintTarget>, listener: string): Array<{ nodeId: number; host: string; port: number; rack: string | null }> {
    const leaders = new Map<number, BrokerInfo>();
    for (const { topic, partition, out } of parts) {
      if (out.errorCode !== ErrorCode.NOT_LEADER_OR_FOLLOWER && out.errorCode !== ErrorCode.FENCED_LEADER_EPOCH) continue;
      const s = this.metadata.topics.get(topic)?.partitions[partition];
      const leader = s && this.metadata.brokers.get(s.leader);
      if (!s || !leader) continue;
      out.currentLeader = { leaderId: s.leader, leaderEpoch: s.leaderEpoch };
      leaders.set(leader.nodeId, leader);
    }
    return [...leaders.values()].sort((a, b) => a.nodeId - b.nodeId).flatMap((b) => {
      const at = endpointOn(b, listener);
      return at ? [{ nodeId: b.nodeId, host: at.host, port: at.port, rack: b.rack }] : [];
    });
  }

  /**
   * KIP-392: with a rack-aware replica selector, a consumer in another rack than the leader
   * is pointed at an in-sync replica in its own rack; -1 when it should read here.
   */
  preferredReadReplica(p: Partition, rackId: string): number {
    if (!rackId || !this.rackAwareReads || this.rack === rackId) return -1;
    const same = p.state.isr.find((r) => r !== this.brokerId && this.metadata.brokers.get(r)?.rack === rackId);
    return same ?? -1;
  }

  connectTo(leaderId: number, clientId: string): Promise<BrokerClient> | null {
    return this.peers.address(leaderId) ? this.peers.connect(leaderId, clientId) : null;
  }

  warn(message: string): void {
    this.logger.warn(message);
  }

  // ---- following the metadata ---------------------------------------------------------

  /** At start-up: every topic's partitions, and log directories nobody assigns here any more removed. */
  reconcileAll(): void {
    for (const t of this.metadata.topics.values()) this.reconcileTopic(undefined, t);
    for (const { topic, partition } of this.logs.onDisk()) {
      const t = this.metadata.topics.get(topic);
      if (!t || !t.partitions[partition]?.replicas.includes(this.brokerId)) this.logs.delete(topic, partition);
    }
  }

  /** A topic was created, changed or deleted: this broker's replicas of it follow. */
  reconcileTopic(before: TopicState | undefined, after: TopicState | undefined): void {
    const recreated = before && after && before.topicId !== after.topicId;
    if (before && (!after || recreated)) {
      let reported = false;
      for (const ps of before.partitions) {
        const p = this.partition(before.name, ps.partition);
        if (p) this.dropPartition(p);
        reported = this.offline.forget(partitionDirName(before.name, ps.partition)) || reported;
      }
      if (reported) this.onOfflineReplicas(false);
      if (!after) this.logger.info(`deleted topic ${before.name}`);
    }
    const name = (after ?? before)!.name;
    const opening = this.opening.get(name);
    // Work left from an earlier state of the topic: this state's pass covers it.
    if (opening?.timer) clearImmediate(opening.timer);
    if (!after) {
      this.opening.delete(name);
      opening?.resolve();
      return;
    }
    if (before && JSON.stringify(before.configs) !== JSON.stringify(after.configs)) this.refreshConfigs(after);
    this.followPartitions(after, 0);
  }

  /**
   * Opens, updates or drops this broker's replicas of `topic` from partition `from` on. A
   * new log's files cost a handful of synchronous file-system calls, a millisecond or more
   * on some disks: a topic of thousands of partitions is opened a slice at a time, with the
   * event loop serving other clients between slices.
   */
  private followPartitions(topic: TopicState, from: number): void {
    const started = performance.now();
    let failed = 0;
    let failure: unknown = null;
    let i = from;
    for (; i < topic.partitions.length && performance.now() - started < OPEN_SLICE_MS; i++) {
      const ps = topic.partitions[i]!;
      let p = this.partition(topic.name, ps.partition);
      if (!ps.replicas.includes(this.brokerId)) {
        if (p) this.dropPartition(p);
        if (this.offline.forget(partitionDirName(topic.name, ps.partition))) this.onOfflineReplicas(false);
        continue;
      }
      let prev: PartitionState | null = null;
      if (!p) {
        const key = partitionDirName(topic.name, ps.partition);
        // Its log is on a failed directory: opening it afresh elsewhere would serve an empty log.
        if (this.offline.onFailedDir(key)) continue;
        try {
          const log = this.logs.open(topic.name, ps.partition, this.topicConfigs.logConfig(topic));
          log.onStorageError = (e) => this.logStorageFailed(topic.name, ps.partition, e);
          p = new Partition(topic, ps, log, this.topicConfigs.produceSettings(topic), this.brokerId, this.logs.checkpointedHighWatermark(topic.name, ps.partition), () => this.clock.now());
        } catch (e) {
          // Out of file descriptors or disk: this replica is offline here, the broker serves on.
          this.offline.notOpened(key);
          failed++;
          failure = e;
          continue;
        }
        this.offline.opened(key);
        this.partitions.set(key, p);
      } else {
        prev = p.state;
        p.updateState(topic, ps);
      }
      this.applyRole(p, prev);
    }
    if (failed > 0) this.logger.error(`${failed} partition(s) of ${topic.name} could not be opened and are offline on this broker: ${(failure as Error).message}`);
    let opening = this.opening.get(topic.name);
    if (i >= topic.partitions.length) {
      this.opening.delete(topic.name);
      opening?.resolve();
      return;
    }
    if (!opening) {
      let resolve = () => {};
      const settled = new Promise<void>((r) => { resolve = r; });
      this.opening.set(topic.name, (opening = { timer: null, settled, resolve }));
    }
    opening.timer = setImmediate(() => {
      try {
        this.followPartitions(topic, i);
      } catch (e) {
        this.logger.error(`opening the partitions of ${topic.name} failed: ${(e as Error).stack ?? String(e)}`);
        this.opening.delete(topic.name);
        opening.resolve();
      }
    });
  }

  /** Resolves once this broker has opened its replicas of `topic` as the metadata last described it. */
  opened(topic: string): Promise<void> {
    return this.opening.get(topic)?.settled ?? Promise.resolve();
  }

  /**
   * An append failed on the storage. Out of space or descriptors, the partition refuses
   * appends until one succeeds; an I/O error takes its log directory offline (after the
   * failed request has had its answer).
   */
  private logStorageFailed(topic: string, partition: number, e: Error): void {
    this.logger.error(`${partitionDirName(topic, partition)}: an append failed on the storage and was answered KAFKA_STORAGE_ERROR: ${e.message}`);
    setImmediate(() => this.logs.logFailed(topic, partition, e));
  }

  /**
   * A log directory went offline: its partitions stop here, answer KAFKA_STORAGE_ERROR
   * until a restart, and are reported to the controller, which moves their leadership to
   * in-sync replicas on other brokers.
   */
  private logDirFailed(dir: string, cause: Error, gone: Array<{ topic: string; partition: number }>): void {
    for (const { topic, partition } of gone) {
      const key = partitionDirName(topic, partition);
      const p = this.partitions.get(key);
      if (p) this.stopReplica(p);
      const topicId = this.metadata.topics.get(topic)?.topicId;
      if (topicId) this.offline.dirFailed(key, topicId, partition);
    }
    const online = this.logs.dirs.filter((d) => d.online).length;
    this.logger.error(`log directory ${dir} is offline (${cause.message}): ${gone.length} partition(s) on it are offline on this broker until it restarts; ${online} of ${this.logs.dirs.length} log directories serve on`);
    this.onOfflineReplicas(online === 0);
  }

  /** Replicas on failed log directories, by topic id, for the broker's registration. */
  offlineReplicas(): Record<string, number[]> | undefined {
    return this.offline.report();
  }

  /** Re-reads a topic's configs into its open partitions and logs (topic or broker configs changed). */
  refreshConfigs(topic: TopicState): void {
    const config = this.topicConfigs.logConfig(topic);
    const settings = this.topicConfigs.produceSettings(topic);
    for (const p of topic.partitions) {
      const part = this.partition(topic.name, p.partition);
      if (!part) continue;
      part.log.config = config;
      part.settings = settings;
    }
  }

  /** Makes this broker lead or follow the partition as its new state says. */
  private applyRole(p: Partition, prev: PartitionState | null): void {
    const s = p.state;
    const leaderChanged = !prev || prev.leader !== s.leader || prev.leaderEpoch !== s.leaderEpoch;
    const listener = this.leadershipListeners.get(p.topic.name);
    if (s.leader === this.brokerId) {
      if (p.isLeader && !leaderChanged) return;
      this.unfollow(p);
      p.becomeLeader(Date.now());
      listener?.(p.index, true);
      return;
    }
    if (!leaderChanged && !p.isLeader) return;
    const wasLeader = p.isLeader;
    p.becomeFollower();
    this.unfollow(p);
    if (s.leader >= 0) this.follow(p, s.leader);
    if (wasLeader) listener?.(p.index, false);
  }

  private follow(p: Partition, leaderId: number): void {
    let f = this.fetchers.get(leaderId);
    if (!f) this.fetchers.set(leaderId, (f = new ReplicaFetcher(this, leaderId)));
    f.add(p);
    this.following.set(p, leaderId);
  }

  private unfollow(p: Partition): void {
    const leaderId = this.following.get(p);
    if (leaderId === undefined) return;
    this.following.delete(p);
    this.fetchers.get(leaderId)?.remove(p);
  }

  /** The partition left this broker (topic deleted, replica moved): its log goes too. */
  private dropPartition(p: Partition): void {
    this.stopReplica(p);
    this.logs.delete(p.topic.name, p.index);
  }

  /** This broker stops leading or following the partition; its log stays as it is. */
  private stopReplica(p: Partition): void {
    this.unfollow(p);
    if (p.isLeader) this.leadershipListeners.get(p.topic.name)?.(p.index, false);
    p.becomeFollower();
    this.partitions.delete(partitionDirName(p.topic.name, p.index));
  }

  // ---- leader side of replication ----------------------------------------------------

  /** Whether the leader's bytes to `replicaId` for `p` count against leader.replication.throttled.rate (it is not in sync, and the topic names the partition here). */
  leaderThrottled(p: Partition, replicaId: number): boolean {
    return !p.state.isr.includes(replicaId) && throttledOn(this.topicConfigs.get(p.topic, 'leader.replication.throttled.replicas').value, this.brokerId, p.index);
  }

  /** Whether this follower's fetches of `p` count against follower.replication.throttled.rate. */
  followerThrottled(p: Partition): boolean {
    return !p.state.isr.includes(this.brokerId) && throttledOn(this.topicConfigs.get(p.topic, 'follower.replication.throttled.replicas').value, this.brokerId, p.index);
  }

  /** A follower fetched: track it, and add it to the ISR once it has caught up. */
  followerFetched(p: Partition, replicaId: number, fetchOffset: number): void {
    if (p.recordFollowerFetch(replicaId, fetchOffset, Date.now())) {
      // A replica a reassignment has just removed may fetch a little longer: it never rejoins.
      void this.changeIsr(p, (isr, replicas) => (isr.includes(replicaId) || !replicas.includes(replicaId) ? null : [...isr, replicaId]), `broker ${replicaId} caught up`);
    }
  }

  /** Drops ISR members that stopped fetching or fell behind for replica.lag.time.max.ms. */
  private shrinkIsrs(now: number): void {
    const maxLag = this.config.int('replica.lag.time.max.ms');
    for (const p of this.partitions.values()) {
      if (!p.isLeader || p.state.isr.length <= 1) continue;
      const lagging = p.laggingFollowers(now, maxLag);
      if (lagging.length > 0) void this.changeIsr(p, (isr) => isr.filter((r) => !lagging.includes(r)), `broker(s) ${lagging.join(',')} fell behind`);
    }
  }

  /**
   * An ISR change by the leader: a compare-and-set that only applies while this broker
   * still leads at this epoch. The change that puts the last replica a reassignment adds in
   * sync completes the reassignment in the same write, as Kafka's controller does.
   */
  private async changeIsr(p: Partition, fn: (isr: number[], replicas: number[]) => number[] | null, why: string): Promise<void> {
    if (this.isrChanges.has(p)) return;
    this.isrChanges.add(p);
    const epoch = p.leaderEpoch;
    const before = p.state.isr.length;
    const replicasBefore = p.state.replicas.length;
    try {
      const written = await this.metadata.updateTopic(p.topic.name, (t) => {
        const cur = t.partitions[p.index];
        if (!cur || cur.leader !== this.brokerId || cur.leaderEpoch !== epoch) return null;
        const isr = fn(cur.isr, cur.replicas);
        if (!isr || isr.length === 0) return null;
        const changed = { ...cur, isr };
        const partitions = [...t.partitions];
        partitions[p.index] = completeReassignment(changed, new Set(this.metadata.brokers.keys())) ?? changed;
        return { ...t, partitions };
      });
      const state = written?.partitions[p.index];
      if (state) {
        this.logger.info(`${p.topic.name}-${p.index} ISR now [${state.isr.join(',')}]: ${why}`);
        if (state.replicas.length !== replicasBefore) this.logger.info(`${p.topic.name}-${p.index} reassignment complete: replicas [${state.replicas.join(',')}], leader ${state.leader}`);
        this.onIsrChange?.(state.isr.length < before);
      }
    } catch (e) {
      this.logger.warn(`ISR change of ${p.topic.name}-${p.index} failed: ${(e as Error).message}`);
    } finally {
      this.isrChanges.delete(p);
    }
  }

  // ---- stopping -----------------------------------------------------------------------

  /**
   * Stops opening partitions and leading them, so produces get NOT_LEADER_OR_FOLLOWER from
   * here on instead of landing in a log the next leader will not have.
   */
  resignAll(): void {
    for (const { timer, resolve } of this.opening.values()) {
      if (timer) clearImmediate(timer);
      resolve();
    }
    this.opening.clear();
    // The coordinators hear of it as of any lost leadership: a transaction's marker sender
    // stops with its partition, rather than retrying from a broker that has stopped.
    for (const p of this.partitions.values()) {
      if (p.isLeader) this.leadershipListeners.get(p.topic.name)?.(p.index, false);
      p.becomeFollower();
    }
  }

  /** Stops every follower fetcher. */
  async stopFetchers(): Promise<void> {
    await Promise.all([...this.fetchers.values()].map((f) => f.stop()));
    this.fetchers.clear();
  }
}
