import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { FileDeleter } from '../../src/storage/file-deleter.js';
import { tempDir } from '../support/helpers.js';

const file = (dir: string, name: string): string => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, 'x');
  return p;
};

test('a delay beyond what a Node timer holds (Kafka allows a long) keeps the files rather than removing them at once', async (t) => {
  const dir = tempDir(t, 'deleter');
  const deleter = new FileDeleter();
  const kept = file(dir, 'kept.deleted');
  deleter.schedule([kept], Number.MAX_SAFE_INTEGER);
  await new Promise((r) => setTimeout(r, 50));
  t.true(fs.existsSync(kept));
  deleter.close();
});

test('closing forgets what waits; what is due is removed, files and directories alike', async (t) => {
  const dir = tempDir(t, 'deleter');
  const deleter = new FileDeleter();
  const waiting = file(dir, 'waiting.deleted');
  const due = path.join(dir, 'topic-0.abc-delete');
  fs.mkdirSync(due);
  file(due, '00000000000000000000.log');
  deleter.schedule([due], 0);
  deleter.schedule([waiting], 50);
  for (let i = 0; i < 200 && fs.existsSync(due); i++) await new Promise((r) => setTimeout(r, 5));
  t.false(fs.existsSync(due));
  deleter.close();
  await new Promise((r) => setTimeout(r, 100));
  t.true(fs.existsSync(waiting), 'left for the next start');
});
