// Kafka's sampled Rate and quota throttle time, on a clock the test moves.
import test from 'ava';
import fc from 'fast-check';
import { recordAndThrottle, SampledRate, TokenBucket } from '../../../src/broker/quotas/rate.js';

const window = { samples: 11, windowMs: 1000 };

test('a rate spans at least samples - 1 windows, so a first burst is not read as unbounded', (t) => {
  const r = new SampledRate(window);
  r.record(5000, 0);
  // 5000 over the minimum 10 s: 500/s.
  t.is(r.measure(0), 500);
  t.is(r.windowSize(0), 10_000);
  t.is(r.windowSize(12_500), 10_000, 'the first sample expired after 11 windows; the window is the minimum again');
});

test('over the bound, the throttle time is how long the client must wait for the rate to fall back to it', (t) => {
  const r = new SampledRate(window);
  t.is(recordAndThrottle(r, 1000, 5000, 0), 0);
  // 15000 over 10 s = 1500/s, half again the bound: wait half the window span, 5 s.
  t.is(recordAndThrottle(r, 1000, 10_000, 0), 5000);
  // Request time is capped at one window.
  t.is(recordAndThrottle(new SampledRate(window), 10, 1000, 0, 1000), 1000);
});

test('samples roll over by window and old ones stop counting', (t) => {
  const r = new SampledRate(window);
  for (let s = 0; s < 30; s++) r.record(100, s * 1000);
  // 11 live samples of 100 over their span of 10 s (the oldest starts at 19 s).
  t.is(r.measure(29_000), 110);
  r.unrecord(100, 29_000);
  t.is(r.measure(29_000), 100);
});

test('a client that sends as fast as it may and waits each throttle time averages the bound, within 10% (property)', (t) => {
  fc.assert(fc.property(fc.integer({ min: 1000, max: 1_000_000 }), fc.array(fc.double({ min: 0.001, max: 0.5, noNaN: true }), { minLength: 1, maxLength: 8 }), (bound, sizes) => {
    const r = new SampledRate(window);
    let now = 0;
    let sent = 0;
    // Requests of sizes cycling through `sizes` (up to half the bound, as a producer's requests are against a per-second quota), each sent the
    // moment the last one's throttle ends; measured over two minutes after the first 30 s,
    // whose start may burst as Kafka's does (the rate's minimum span is 10 windows).
    const from = 30_000;
    for (let i = 0; now < from + 120_000; i++) {
      const value = Math.max(1, Math.round(bound * sizes[i % sizes.length]!));
      if (now >= from) sent += value;
      now += Math.max(1, recordAndThrottle(r, bound, value, now));
    }
    const average = sent / ((now - from) / 1000);
    t.true(Math.abs(average - bound) <= bound * 0.1, `${average.toFixed(0)}/s against a bound of ${bound}/s`);
  }), { numRuns: 100 });
});

test('a token bucket starts full, lends once, and makes a client in debt wait until repaid', (t) => {
  const b = new TokenBucket({ samples: 3, windowMs: 1000 });
  // 2 permits/s over 3 windows: a burst of 6.
  b.take(5, 2, 1_000);
  t.is(b.throttle(2, 1_000), 0);
  b.take(5, 2, 1_000);
  t.is(b.throttle(2, 1_000), 2000, '4 in debt at 2/s');
  t.is(b.throttle(2, 2_000), 1000);
  t.is(b.throttle(2, 3_000), 0);
  t.is(b.throttle(2, 60_000), 0, 'never more than the burst saved up');
  b.take(7, 2, 60_000);
  t.is(b.throttle(2, 60_000), 500);
});
