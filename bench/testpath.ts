// What a test pays before its first assertion: a broker started, a topic made, a record
// produced and read back by a consumer in a new group (join, sync, fetch). librdkafka's
// flow (bench/testpath.py) runs against the mock cluster and against Krill started
// in-process as a test suite starts it; kafkajs's against Krill; and Krill's reset, from
// the call to a topic made again.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kafka, logLevel } from 'kafkajs';
import { startBroker } from '../src/index.js';
import { median, ROOT, startTarget } from './targets.js';

export interface TestPathFigures {
  librdkafka: { mock: number; krill: number };
  kafkajs: number;
  reset: number;
}

const run = promisify(execFile);

/** librdkafka's produce-then-consume flow against `bootstrap`, in milliseconds, as the client counts it. Not run synchronously: the in-process broker shares this event loop. */
async function librdkafkaFlow(bootstrap: string, topic: string): Promise<number> {
  const { stdout } = await run('/usr/bin/python3', [path.join(ROOT, 'bench/testpath.py'), bootstrap, topic], { encoding: 'utf8', timeout: 60_000 });
  return Number(stdout.trim());
}

async function kafkajsFlow(bootstrap: string, topic: string): Promise<void> {
  const k = new Kafka({ brokers: [bootstrap], logLevel: logLevel.NOTHING });
  const admin = k.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] });
  await admin.disconnect();
  const producer = k.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ value: 'first' }] });
  await producer.disconnect();
  const consumer = k.consumer({ groupId: `g-${topic}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await new Promise<void>((resolve) => void consumer.run({ eachMessage: async () => resolve() }));
  await consumer.disconnect();
}

export async function testPath(runs: number): Promise<TestPathFigures> {
  const rd: { mock: number[]; krill: number[] } = { mock: [], krill: [] };
  const kjs: number[] = [];
  const reset: number[] = [];
  for (let i = 0; i < runs; i++) {
    // The mock: its process started, a topic made through its own API (it serves no CreateTopics).
    let t0 = performance.now();
    const mock = await startTarget('mock');
    await mock.createTopic('path', 1);
    const mockSetup = performance.now() - t0;
    rd.mock.push(mockSetup + (await librdkafkaFlow(mock.bootstrap, 'path')));
    await mock.stop();
    // Krill as a test suite starts it: in-process, a topic made with CreateTopics.
    t0 = performance.now();
    const b = await startBroker();
    const k = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await k.connect();
    await k.createTopics({ topics: [{ topic: 'path', numPartitions: 1 }] });
    await k.disconnect();
    const setup = performance.now() - t0;
    rd.krill.push(setup + (await librdkafkaFlow(b.bootstrap, 'path')));
    t0 = performance.now();
    await b.reset();
    const again = new Kafka({ brokers: [b.bootstrap], logLevel: logLevel.NOTHING }).admin();
    await again.connect();
    await again.createTopics({ topics: [{ topic: 'path', numPartitions: 1 }] });
    await again.disconnect();
    reset.push(performance.now() - t0);
    await b.close();
    t0 = performance.now();
    const kb = await startBroker();
    await kafkajsFlow(kb.bootstrap, 'path');
    kjs.push(performance.now() - t0);
    await kb.close();
  }
  return { librdkafka: { mock: median(rd.mock), krill: median(rd.krill) }, kafkajs: median(kjs), reset: median(reset) };
}
