// A short run of the socket fuzzer (`make fuzz` runs a million frames): frames from every
// served API's schema, mutated, thrown at a broker process; it must keep answering, keep
// its memory bounded and restart over what the fuzz left in its log directory.
import test from 'ava';
import { fuzz } from './socket-fuzzer.js';

test('20,000 generated and mutated frames: the broker keeps answering and restarts over its log directory', async (t) => {
  const seed = Math.floor(Math.random() * 2 ** 31);
  t.log(`seed ${seed} (replay: node dist/test/fuzz/socket-fuzzer.js --frames 20000 --seed ${seed})`);
  const r = await fuzz({ frames: 20_000, seed, batch: 500, maxRssMiB: 1024 });
  t.is(r.frames, 20_000);
  t.true(r.peakRssMiB < 1024);
  t.log(`${r.frames} frames in ${r.seconds.toFixed(1)} s, peak RSS ${r.peakRssMiB.toFixed(0)} MiB, ${r.partitions} partitions created`);
});
