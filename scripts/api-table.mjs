#!/usr/bin/env node
// Prints the README's table of served API keys and versions from the built code, so the
// table is never typed by hand. `node scripts/api-table.mjs --write` updates README.md.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const root = path.resolve(import.meta.dirname, '..');
const { allApis } = await import(pathToFileURL(path.join(root, 'dist/src/broker/handlers/index.js')).href);

export function apiTable(apis) {
  const rows = [...apis].sort((a, b) => a.apiKey - b.apiKey)
    .map((a) => `| ${a.apiKey} | ${a.schemas.request.name.replace(/Request$/, '')} | ${a.minVersion}–${a.maxVersion} |`);
  return ['| key | API | versions |', '|---:|---|---|', ...rows].join('\n');
}

const BEGIN = '<!-- api-table:begin -->';
const END = '<!-- api-table:end -->';
const table = apiTable(allApis);
if (process.argv.includes('--write')) {
  const file = path.join(root, 'README.md');
  const text = fs.readFileSync(file, 'utf8');
  const a = text.indexOf(BEGIN);
  const b = text.indexOf(END);
  fs.writeFileSync(file, `${text.slice(0, a + BEGIN.length)}\n${table}\n${text.slice(b)}`);
} else {
  console.log(table);
}
