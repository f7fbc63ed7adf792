// __transaction_state records laid out as Kafka lays them out (TransactionLog): the key
// is version 0 and the transactional id; the value, version 0, the producer, the timeout,
// the state, the partitions and the two timestamps.
import test from 'ava';
import { readTxnRecord, txnKey, txnValue, TxnState } from '../../../src/broker/txn/records.js';

test('key and value bytes, and back', (t) => {
  const key = txnKey('tx');
  t.deepEqual([...key], [0, 0, 0, 2, 0x74, 0x78]);
  const record = {
    producerId: 5, lastProducerId: -1, nextProducerId: -1, producerEpoch: 2, timeoutMs: 60_000, state: TxnState.Ongoing, partitions: new Map([['t', new Set([1, 0])]]),
    lastUpdateMs: 1000, startMs: 900, clientTransactionVersion: 0,
  };
  const value = txnValue(record, 0);
  const expected = Buffer.concat([
    Buffer.from([0, 0]), // version 0
    Buffer.from([0, 0, 0, 0, 0, 0, 0, 5]), // producer id
    Buffer.from([0, 2]), // epoch
    Buffer.from([0, 0, 0xea, 0x60]), // timeout 60,000
    Buffer.from([1]), // Ongoing
    Buffer.from([0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1]), // [t: [0, 1]]
    Buffer.from([0, 0, 0, 0, 0, 0, 0x03, 0xe8]), // last update 1000
    Buffer.from([0, 0, 0, 0, 0, 0, 0x03, 0x84]), // start 900
  ]);
  t.deepEqual(value, expected);
  t.deepEqual(readTxnRecord(key, value), { transactionalId: 'tx', record: { ...record, partitions: new Map([['t', new Set([0, 1])]]) } });
  t.deepEqual(readTxnRecord(key, null), { transactionalId: 'tx', record: null });
});

test('value version 1 (transaction version 1 and up): flexible, with the producer ids and client version as tagged fields', (t) => {
  const record = {
    producerId: 5, lastProducerId: 4, nextProducerId: -1, producerEpoch: 0, timeoutMs: 60_000, state: TxnState.PrepareCommit, partitions: new Map([['t', new Set([0])]]),
    lastUpdateMs: 1000, startMs: 900, clientTransactionVersion: 2,
  };
  const value = txnValue(record, 1);
  const expected = Buffer.concat([
    Buffer.from([0, 1]), // version 1
    Buffer.from([0, 0, 0, 0, 0, 0, 0, 5]), // producer id
    Buffer.from([0, 0]), // epoch
    Buffer.from([0, 0, 0xea, 0x60]), // timeout 60,000
    Buffer.from([2]), // PrepareCommit
    Buffer.from([2, 2, 0x74, 2, 0, 0, 0, 0, 0]), // compact [t: [0]], each struct with no tags
    Buffer.from([0, 0, 0, 0, 0, 0, 0x03, 0xe8]), // last update 1000
    Buffer.from([0, 0, 0, 0, 0, 0, 0x03, 0x84]), // start 900
    Buffer.from([2]), // two tagged fields: NextProducerId is at its default (-1) and left off
    Buffer.from([0, 8, 0, 0, 0, 0, 0, 0, 0, 4]), // tag 0 PreviousProducerId 4
    Buffer.from([2, 2, 0, 2]), // tag 2 ClientTransactionVersion 2
  ]);
  t.deepEqual(value, expected);
  t.deepEqual(readTxnRecord(txnKey('tx'), value).record, record);
});
