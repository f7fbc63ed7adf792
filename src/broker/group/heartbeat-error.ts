// A consumer group request refused with a Kafka error code and message: thrown where the
// check is made, answered where the request is (a heartbeat, a classic member's join).
export class HeartbeatError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

export const fail = (code: number, message: string): never => {
  throw new HeartbeatError(code, message);
};
