import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { allApis } from '../src/broker/handlers/index.js';
import { ROOT } from './support/helpers.js';

test('the README API table matches what the broker serves (regenerate: node scripts/api-table.mjs --write)', (t) => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  for (const a of allApis) {
    const row = `| ${a.apiKey} | ${a.schemas.request.name.replace(/Request$/, '')} | ${a.minVersion}–${a.maxVersion} |`;
    t.true(readme.includes(row), `README lacks: ${row}`);
  }
  const rows = readme.split('\n').filter((l) => /^\| \d+ \|/.test(l));
  t.is(rows.length, allApis.length, 'no row for an API the broker does not serve');
});
