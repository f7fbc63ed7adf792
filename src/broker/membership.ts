// This broker's place in the cluster: its registration under a lease in the metadata
// store (broker.session.timeout.ms), its campaign for controller, and the fencing of an
// earlier run of itself that is still registered after a crash.
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'winston';
import type { BrokerConfig } from './config.js';
import { type ClusterMetadata, Keys } from './controller/cluster-metadata.js';
import type { Controller } from './controller/controller.js';
import type { BrokerInfo } from './controller/placement.js';
import { campaign, type CoordinationStore, type Lease } from './controller/store.js';

export class Membership {
  private lease: Lease | null = null;
  private closed = false;
  private readonly incarnation = randomUUID();

  constructor(
    private readonly brokerId: number,
    private readonly config: BrokerConfig,
    private readonly store: CoordinationStore,
    private readonly metadata: ClusterMetadata,
    private readonly controller: Controller,
    private readonly logger: Logger,
    /** Where clients reach this broker, its rack and its offline replicas. */
    private readonly endpoint: () => Omit<BrokerInfo, 'nodeId' | 'incarnation'>,
  ) {}

  /**
   * Restarted within its session timeout (after a crash), this broker is still registered
   * and may still be named leader, yet may have lost what it had not flushed. As KRaft
   * fences an old incarnation, it first withdraws and waits until its leaderships have
   * moved to replicas that kept up (or no other broker is there to take them); then it
   * joins as a follower and catches up.
   */
  async fenceEarlierIncarnation(): Promise<void> {
    const earlier = this.metadata.brokers.get(this.brokerId);
    if (!earlier || earlier.incarnation === this.incarnation) return;
    this.logger.warn('an earlier run of this broker is still registered: withdrawing it and waiting for its leaderships to move');
    await this.metadata.deregister(this.brokerId);
    const deadline = Date.now() + 2 * this.config.int('broker.session.timeout.ms');
    const leadsSomething = () => [...this.metadata.topics.values()].some((t) => t.partitions.some((p) => p.leader === this.brokerId));
    while (Date.now() < deadline && leadsSomething() && [...this.metadata.brokers.keys()].some((id) => id !== this.brokerId)) {
      await sleep(50);
    }
  }

  /** Registers this broker under a fresh lease and campaigns for controller; again if the lease is ever lost. */
  async register(): Promise<void> {
    const lease = await this.store.grantLease(this.config.int('broker.session.timeout.ms'));
    this.lease = lease;
    lease.onLost(() => {
      if (this.closed || this.lease !== lease) return;
      this.logger.warn('lost the broker registration lease; registering again');
      this.controller.deactivate();
      void this.register().catch((e) => this.logger.error(`re-registration failed: ${(e as Error).message}`));
    });
    await this.metadata.register({ nodeId: this.brokerId, ...this.endpoint(), incarnation: this.incarnation }, lease);
    void campaign(this.store, this.metadata.prefix + Keys.controller, String(this.brokerId), lease, () => this.closed || this.lease !== lease)
      .then(async (won) => {
        if (won === null) return;
        // Act only on a metadata copy that has the win in it: one still behind would apply
        // the old controller's key going after this, and take this broker for a follower
        // again (and it would not yet see the brokers that left with that key).
        await this.metadata.catchUp(won);
        if (!this.closed && this.lease === lease && this.metadata.controllerId === this.brokerId) this.controller.activate();
      })
      .catch((e) => this.logger.error(`controller campaign failed: ${(e as Error).message}`));
  }

  /**
   * The replicas on failed log directories changed: registers again with what `endpoint`
   * says now, for the controller to move their leadership. With every log directory
   * failed, Kafka halts the broker; this one leaves the cluster instead (its lease revoked,
   * so leadership moves at once) and stays up to say why.
   */
  async reportOfflineReplicas(allDirsOffline: boolean): Promise<void> {
    const lease = this.lease;
    if (!lease || this.closed) return;
    try {
      if (allDirsOffline) {
        this.logger.error('every log directory is offline: leaving the cluster; restart this broker once they are repaired');
        this.controller.deactivate();
        await this.leave(false);
      } else {
        await this.metadata.register({ nodeId: this.brokerId, ...this.endpoint(), incarnation: this.incarnation }, lease);
      }
    } catch (e) {
      this.logger.error(`reporting offline replicas failed: ${(e as Error).message}`);
    }
  }

  /**
   * Leaves the cluster. A clean stop ends the lease so failover starts at once; a crash
   * leaves it to expire after broker.session.timeout.ms, as a dead process's would.
   */
  async leave(crash: boolean): Promise<void> {
    this.closed = true;
    const lease = this.lease;
    this.lease = null;
    if (crash) await this.store.abandon();
    else await lease?.revoke().catch(() => undefined);
  }
}
