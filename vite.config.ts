// Vite builds the client (root: client/, output: dist/client); the same file
// configures Vitest: a 'server' project (node), a 'client' project (jsdom) and
// an 'e2e' project (browser tests in Chromium against the built client).
import { writeFileSync } from 'node:fs';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import path from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

const repoRoot = import.meta.dirname;

/** Initial JavaScript budget of the public pages (issue 4 §9), gzip bytes. */
const INITIAL_JS_BUDGET = 200 * 1024;

/** The text formats the server sends precompressed (server/transport/http/client-assets.ts names the same). */
const COMPRESSIBLE = /\.(?:js|mjs|css|html|svg|json|txt|map|webmanifest)$/;

interface Compressed {
  source: Buffer;
  raw: number;
  gzip: Buffer;
  br: Buffer;
}

/**
 * gzip (level 9) and brotli (quality 11) of each output file, shared by the two
 * plugins below; reused only for the same bytes (later plugins may still
 * rewrite a chunk after the budget has measured it).
 */
const compressed = new Map<string, Compressed>();

function compress(file: string, source: string | Uint8Array): Compressed {
  const buf = typeof source === 'string' ? Buffer.from(source, 'utf8') : Buffer.from(source);
  const known = compressed.get(file);
  if (known?.source.equals(buf)) return known;
  const out: Compressed = {
    source: buf,
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }),
    br: brotliCompressSync(buf, {
      params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_MODE]: zlib.BROTLI_MODE_TEXT, [zlib.BROTLI_PARAM_SIZE_HINT]: buf.length },
    }),
  };
  compressed.set(file, out);
  return out;
}

/**
 * Prints the raw, gzip and brotli sizes of the JavaScript a first visit loads
 * (the entry chunk and everything it imports statically) and fails the build
 * when its gzip passes the budget. Chunks reached only through dynamic
 * import() (the room, its editor, the role pages) are listed apart.
 */
function bundleBudget(): Plugin {
  return {
    name: 'case-room:bundle-budget',
    apply: 'build',
    buildStart() {
      compressed.clear();
    },
    generateBundle(_options, bundle) {
      const chunks = new Map<string, { code: string; imports: string[]; isEntry: boolean }>();
      for (const [file, out] of Object.entries(bundle)) {
        if (out.type === 'chunk') chunks.set(file, { code: out.code, imports: out.imports, isEntry: out.isEntry });
      }
      const initial = new Set<string>();
      const visit = (file: string): void => {
        if (initial.has(file)) return;
        initial.add(file);
        for (const dep of chunks.get(file)?.imports ?? []) visit(dep);
      };
      for (const [file, chunk] of chunks) if (chunk.isEntry) visit(file);
      const sizes = (file: string): Compressed => compress(file, chunks.get(file)?.code ?? '');
      const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
      const row = (label: string, file: string): string => {
        const c = sizes(file);
        return `  ${label}${kb(c.raw).padStart(10)} ${kb(c.gzip.length).padStart(9)} ${kb(c.br.length).padStart(9)}  ${file}`;
      };
      let total = 0;
      const lines: string[] = [`             raw      gzip    brotli`];
      for (const file of initial) {
        total += sizes(file).gzip.length;
        lines.push(row('initial  ', file));
      }
      for (const file of chunks.keys()) if (!initial.has(file)) lines.push(row('on demand', file));
      const verdict = total <= INITIAL_JS_BUDGET ? 'within' : 'OVER';
      console.log(`\nInitial JS of the public pages: ${kb(total)} gzip (${verdict} the ${kb(INITIAL_JS_BUDGET)} budget)\n${lines.join('\n')}\n`);
      if (total > INITIAL_JS_BUDGET) this.error(`initial JS ${kb(total)} gzip exceeds the ${kb(INITIAL_JS_BUDGET)} budget`);
    },
  };
}

/**
 * Writes `<file>.br` and `<file>.gz` beside every text file of the build, when
 * smaller than the file: the server sends them to browsers that accept them
 * and never compresses while serving.
 */
function precompress(): Plugin {
  return {
    name: 'case-room:precompress',
    apply: 'build',
    enforce: 'post',
    writeBundle(options, bundle) {
      const dir = options.dir ?? path.join(repoRoot, 'dist/client');
      for (const [file, out] of Object.entries(bundle)) {
        if (!COMPRESSIBLE.test(file)) continue;
        const c = compress(file, out.type === 'chunk' ? out.code : out.source);
        const target = path.join(dir, file);
        if (c.br.length < c.raw) writeFileSync(`${target}.br`, c.br);
        if (c.gzip.length < c.raw) writeFileSync(`${target}.gz`, c.gzip);
      }
    },
  };
}

export default defineConfig({
  root: path.join(repoRoot, 'client'),
  plugins: [svelte(), bundleBudget(), precompress()],
  build: {
    outDir: path.join(repoRoot, 'dist/client'),
    emptyOutDir: true,
    target: 'es2022',
  },
  test: {
    projects: [
      {
        // Vitest 4: an inline project inherits nothing unless it says `extends: true`.
        test: {
          name: 'server',
          root: repoRoot,
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/hostile/**', 'node_modules/**'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
          env: { TZ: 'UTC' },
          pool: 'forks',
        },
      },
      {
        extends: true,
        // Svelte's browser build (mount, effects) instead of its server build.
        resolve: { conditions: ['browser'] },
        test: {
          name: 'client',
          root: repoRoot,
          include: ['client/**/*.test.ts'],
          environment: 'jsdom',
          env: { TZ: 'UTC' },
        },
      },
      {
        // The hostile-input suite (`npm run test:hostile`): outsiders, hostile
        // uploads, malformed frames, SIGKILLs; one summary line per area and a
        // final JSON line, printed by its global teardown.
        test: {
          name: 'hostile',
          root: repoRoot,
          include: ['test/hostile/**/*.hostile.test.ts'],
          globalSetup: ['test/hostile/global-setup.ts'],
          environment: 'node',
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 180_000,
          hookTimeout: 90_000,
          env: { TZ: 'UTC' },
        },
      },
      {
        // Browser tests: playwright-core driving /usr/bin/chromium against the
        // real server and the built client (dist/client); one file at a time.
        test: {
          name: 'e2e',
          root: repoRoot,
          include: ['test/e2e/**/*.e2e.test.ts'],
          environment: 'node',
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 120_000,
          hookTimeout: 90_000,
          env: { TZ: 'UTC' },
        },
      },
      // With MONGODB_URI (CI starts FerretDB for it): the integration suite and
      // the three-person room in Chromium once more, each server on a fresh
      // database of that server (test/helpers/server.ts). They run after the
      // projects above, the room alone last (groupOrder 1, 2), so their
      // timing-sensitive tests never share the cores with the SQLite runs.
      ...(process.env.MONGODB_URI
        ? [
            {
              test: {
                name: 'server-mongo',
                root: repoRoot,
                include: ['test/integration/**/*.test.ts'],
                // Files that check the status machine (the rules' matrix, about
                // 3,000 appeals made and acted on) or the transport (frame limits,
                // Origin checks, headers, static files, colours, the Redis bus),
                // not the store: they run on SQLite only.
                exclude: [
                  'test/integration/actions-offered.test.ts',
                  'test/integration/collab-limits.test.ts',
                  'test/integration/rules.test.ts',
                  'test/integration/security-headers.test.ts',
                  'test/integration/static-assets.test.ts',
                  'test/integration/identity-colour.test.ts',
                  'test/integration/cluster-bus.test.ts',
                ],
                environment: 'node' as const,
                testTimeout: 60_000,
                hookTimeout: 60_000,
                env: { TZ: 'UTC', CASEROOM_TEST_STORE: 'mongo' },
                pool: 'forks' as const,
                sequence: { groupOrder: 1 },
              },
            },
            {
              test: {
                name: 'e2e-mongo',
                root: repoRoot,
                include: ['test/e2e/room.e2e.test.ts'],
                environment: 'node' as const,
                pool: 'forks' as const,
                fileParallelism: false,
                testTimeout: 120_000,
                hookTimeout: 90_000,
                env: { TZ: 'UTC', CASEROOM_TEST_STORE: 'mongo' },
                sequence: { groupOrder: 2 },
              },
            },
          ]
        : []),
    ],
  },
});
