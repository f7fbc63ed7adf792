// Kafka's checkpoint file format: a version line, a count line, then one entry per line.
// Written to a temporary file and renamed, so a crash leaves the old or the new file.
import fs from 'node:fs';

export function writeCheckpoint(file: string, entries: string[][]): void {
  const text = `0\n${entries.length}\n${entries.map((e) => e.join(' ')).join('\n')}${entries.length ? '\n' : ''}`;
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

export function readCheckpoint(file: string): string[][] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  const lines = text.split('\n').filter((l) => l.length > 0);
  const count = Number(lines[1] ?? 0);
  return lines.slice(2, 2 + count).map((l) => l.split(' '));
}
