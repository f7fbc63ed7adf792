// Bundles the `krill` command into dist/bundle: one file instead of ~150 modules (ours and
// winston's) to resolve and load, which was most of a process's start-up time on a slow
// disk. Native addons and the etcd client stay in node_modules; the etcd store, imported
// only for `--metadata etcd://`, stays a separate chunk so a lone broker never loads gRPC.
import { build } from 'esbuild';

await build({
  entryPoints: ['dist/src/cli/krill.js'],
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  external: ['@node-rs/crc32', 'krill-crc32c', 'snappy', 'lz4-napi', '@mongodb-js/zstd', 'etcd3'],
  // winston and its dependencies are CommonJS and require() Node's built-ins.
  banner: { js: "import { createRequire as krillCreateRequire } from 'node:module'; const require = krillCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
