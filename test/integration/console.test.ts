// The web console (issue 23) in real headless Chromium (Debian's, driven by
// playwright-core): the cluster, topics, a topic's partitions and configs, the message
// browser showing what kafkajs produced, groups and their lag; no console errors. Each
// page's screenshot is kept in dist/test-artifacts/console/.
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { chromium } from 'playwright-core';
import { startBroker } from '../../src/index.js';
import { groupThatRead, kafka, ROOT } from '../support/helpers.js';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(ROOT, 'dist/test-artifacts/console');

test('the console shows the cluster, topics, partitions, configs, records and groups, with no console errors', async (t) => {
  if (!fs.existsSync(CHROMIUM)) {
    t.fail(`${CHROMIUM} is missing: apt-get install chromium (.ci/run installs it)`);
    return;
  }
  const b = await startBroker({ http: true, testKit: false });
  t.teardown(() => b.close());
  const k = kafka(b.bootstrap);
  const admin = k.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 2, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] });
  const producer = k.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: 'orders', messages: [
    { key: 'o-1', value: JSON.stringify({ id: 1, item: 'krill' }), partition: 0, headers: { source: 'test' } },
    { key: 'o-2', value: '<script>alert(1)</script>', partition: 0 },
  ] });
  await groupThatRead(t, k, 'billing', 'orders', 2);

  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'] });
  t.teardown(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('dialog', (d) => { errors.push(`a dialog: ${d.message()}`); void d.dismiss(); });
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

  await page.goto(`${b.http}/`);
  await page.waitForSelector('text=Brokers');
  t.regex(await page.textContent('main') ?? '', /controller/);
  t.regex(await page.textContent('#who') ?? '', /broker 0/);
  // Traffic while the chart samples: its lines rise above the floor.
  for (let i = 0; i < 3; i++) {
    await producer.send({ topic: 'orders', messages: Array.from({ length: 200 }, (_, j) => ({ value: `load-${i}-${j}`, partition: 1 })) });
    await page.waitForTimeout(1000);
  }
  await page.waitForTimeout(1300);
  const drawn = await page.evaluate(() => {
    const c = document.querySelector('canvas')!;
    const data = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
    let red = 0;
    for (let i = 0; i < data.length; i += 4) if (data[i]! > 200 && data[i + 1]! < 120 && data[i + 2]! < 120) red++;
    return red;
  });
  t.true(drawn > 50, `the records-in line is drawn (${drawn} red pixels)`);
  await shot('1-cluster');

  await page.click('text=Topics');
  await page.waitForSelector('a:has-text("orders")');
  await shot('2-topics');
  await page.click('a:has-text("orders")');
  await page.waitForSelector('text=Messages');
  await page.waitForSelector('#records table');
  const records = await page.textContent('#records') ?? '';
  t.regex(records, /o-1/);
  t.regex(records, /"item":"krill"/);
  t.regex(records, /source=test/);
  t.regex(records, /<script>alert\(1\)<\/script>/, 'shown as text, never run');
  t.regex(await page.textContent('main') ?? '', /retention\.ms\s*3600000\s*topic/);
  await shot('3-topic');
  await page.selectOption('#view', 'hex');
  await page.waitForFunction(() => document.querySelector('#records')?.textContent?.includes('6f 2d 31'));
  await page.selectOption('#view', 'json');
  await page.waitForFunction(() => document.querySelector('#records')?.textContent?.includes('"item": "krill"'));
  await shot('4-messages-json');

  await page.click('header >> text=Groups');
  await page.waitForSelector('a:has-text("billing")');
  await shot('5-groups');
  await page.click('a:has-text("billing")');
  await page.waitForSelector('text=Offsets and lag');
  t.regex(await page.textContent('main') ?? '', /orders/);
  await shot('6-group');
  t.deepEqual(errors, []);
});
