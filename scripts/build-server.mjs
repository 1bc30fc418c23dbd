/**
 * Builds the server that `npm start` runs: server/main.ts bundled into ES
 * modules in dist/server, with source maps. Packages stay in node_modules and
 * load as they are; what is imported on demand (the MongoDB store, the Redis
 * link) gets chunks of its own, so its drivers load only when the
 * configuration asks for them. The WAL checkpointer's worker file is copied
 * beside the bundle, where `new URL('./checkpoint.worker.mjs', import.meta.url)`
 * finds it. No type checking here: `npm run typecheck` does that.
 *
 *   node scripts/build-server.mjs [--outdir DIR]
 */
import { copyFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
const { values } = parseArgs({ options: { outdir: { type: 'string' } } });
const outdir = path.resolve(values.outdir ?? path.join(root, 'dist/server'));

await rm(outdir, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints: ['server/main.ts'],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  // server/server.ts serves the client from dist/client: one level up from dist/server.
  define: { SERVER_BUILD_CLIENT_DIR: JSON.stringify('../client') },
  logLevel: 'warning',
});
await copyFile(path.join(root, 'server/store/sqlite/checkpoint.worker.mjs'), path.join(outdir, 'checkpoint.worker.mjs'));
