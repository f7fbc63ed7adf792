// A broker's periodic work, started once it serves: log maintenance (retention, flushes,
// checkpoints), the descriptor watch, replica and coordinator timers, preferred leader
// elections and the log cleaner, each as often as Kafka's configs say.
import type { Logger } from 'winston';
import type { Clock } from './clock.js';
import type { BrokerConfig } from './config.js';
import type { Controller } from './controller/controller.js';
import type { GroupCoordinator } from './group/coordinator.js';
import type { LogCleaner } from './log-cleaner.js';
import { scheduleLogMaintenance, watchDescriptors } from './log-maintenance.js';
import type { ReplicaManager } from './replica-manager.js';
import type { Scheduler } from './scheduler.js';
import type { Transactions } from './txn/transactions.js';
import type { LogManager } from '../storage/log-manager.js';

export interface BackgroundWork {
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly logs: LogManager;
  readonly replicas: ReplicaManager;
  readonly groups: GroupCoordinator;
  readonly txns: Transactions;
  readonly controller: Controller;
  readonly cleaner: LogCleaner;
  readonly clock: Clock;
}

export function startBackgroundTasks(s: Scheduler, b: BackgroundWork): void {
  const { config, logger } = b;
  scheduleLogMaintenance(s, b.logs, config, logger, b.clock);
  watchDescriptors(s, logger);
  b.replicas.start(s);
  b.groups.start(s);
  b.txns.start(s);
  if (config.bool('auto.leader.rebalance.enable')) {
    s.every(config.int('leader.imbalance.check.interval.seconds') * 1000, 'preferred leader election',
      () => void b.controller.rebalance().catch((e) => logger.warn(`preferred leader election failed: ${(e as Error).message}`)));
  }
  if (config.bool('log.cleaner.enable')) b.cleaner.start(s, config.int('log.cleaner.backoff.ms'));
}
