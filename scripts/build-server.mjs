/**
 * Builds the server that `npm start` runs: server/main.ts and the packages it
 * uses bundled into ES modules in dist/server, with source maps. One bundle
 * loads in about two thirds of the time Node takes to resolve and read the
 * same code from hundreds of files in node_modules. What is imported on demand
 * (the MongoDB store, the Redis link, the SMTP client, the readers of uploaded
 * formats) gets chunks of its own, loaded only when used.
 *
 * Left in node_modules and loaded by Node as they are:
 * - native addons (better-sqlite3, argon2), which find their binaries beside
 *   their own files, and ws's optional native helpers (not installed);
 * - the drivers of the optional parts (mongoose, mongodb, redis), which load
 *   only when MONGODB_URI or REDIS_URL asks for them;
 * - pdfkit, which reads its own data files beside its code, loaded at the
 *   first PDF (server/channels/pdf.renderer.ts).
 *
 * CommonJS packages inside an ES module bundle call `require` for Node's
 * built-in modules: the banner gives each chunk one. The WAL checkpointer's
 * worker file is copied beside the bundle, where
 * `new URL('./checkpoint.worker.mjs', import.meta.url)` finds it. No type
 * checking here: `npm run typecheck` does that.
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
  external: ['better-sqlite3', 'argon2', 'bufferutil', 'utf-8-validate', 'mongoose', 'mongodb', 'redis', 'pdfkit'],
  banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
  // For stack traces that name the TypeScript and the packages' own files:
  // `NODE_OPTIONS=--enable-source-maps npm start`. Without the sources' text
  // (the files are in server/ and node_modules): with it, the parsed maps held 28 MB.
  sourcemap: true,
  sourcesContent: false,
  // server/server.ts serves the client from dist/client: one level up from dist/server.
  define: { SERVER_BUILD_CLIENT_DIR: JSON.stringify('../client') },
  logLevel: 'warning',
});
await copyFile(path.join(root, 'server/store/sqlite/engine/checkpoint.worker.mjs'), path.join(outdir, 'checkpoint.worker.mjs'));
