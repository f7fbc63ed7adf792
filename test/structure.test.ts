// The shape the code keeps (issue 19): handlers see services, never the broker; the
// broker is a composition root; no file grows past what one reads in a sitting; types
// survive dispatch without casts.
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ROOT } from './support/helpers.js';

function sources(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? sources(p) : p.endsWith('.ts') ? [p] : [];
  });
}

const src = path.join(ROOT, 'src');
const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').length - 1;

test('no handler imports the broker', (t) => {
  for (const f of sources(path.join(src, 'broker/handlers'))) {
    t.false(/from '\.\.\/broker\.js'/.test(fs.readFileSync(f, 'utf8')), path.relative(ROOT, f));
  }
});

test('broker.ts is at most 250 lines and no source file exceeds 500', (t) => {
  t.true(lines(path.join(src, 'broker/broker.ts')) <= 250);
  for (const f of sources(src)) t.true(lines(f) <= 500, `${path.relative(ROOT, f)} has ${lines(f)} lines`);
});

test('no `as never` or `as unknown as` in src/broker', (t) => {
  for (const f of sources(path.join(src, 'broker'))) {
    t.false(/\bas never\b|\bas unknown as\b/.test(fs.readFileSync(f, 'utf8')), path.relative(ROOT, f));
  }
});
