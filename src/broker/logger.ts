// One winston logger per broker: one line per event an operator cares about (start,
// ready, topic created/deleted, group rebalances, retention, shutdown). Per-request
// detail is at debug level only.
import winston from 'winston';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'silent';

export function createLogger(level: LogLevel, brokerId: number): winston.Logger {
  return winston.createLogger({
    level: level === 'silent' ? 'error' : level,
    silent: level === 'silent',
    format: winston.format.combine(
      winston.format.timestamp(),
      winston.format.printf((i) => `${String(i['timestamp'])} ${i.level.toUpperCase()} [broker ${brokerId}] ${String(i.message)}`),
    ),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug'] })],
  });
}
