/**
 * The production start, measured from outside (`npm run bench -- --phases=start`).
 *
 * The server is built from the current sources by the same script as
 * `npm run build` (scripts/build-server.mjs), into dist/bench-server so that a
 * dist/server in use is left alone, and launched as `npm start` launches it:
 * `node <its flags> <build>/main.js` with the start script's environment, no demo data
 * (SEED_DEMO=false), a fresh DATA_DIR, neither MONGODB_URI nor REDIS_URL, not
 * pinned. From the spawn, GET /api/health is tried every 10 ms; the first 200
 * is "healthy". The idle RSS is the process's VmRSS `settleMs` after that.
 * The floor, in the same run: a bare `node:http` server answering 200, started
 * and measured the same way. Launches alternate between the two; the figures
 * are the medians of `runs` launches each.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { scriptEnv, scriptNodeArgs } from '../helpers/process.js';
import { ROOT } from './proc.js';

export interface StartFigures {
  /** Launch to the first 200 from /api/health, ms, one per launch. */
  startMs: number[];
  /** VmRSS `settleMs` after that, MB, one per launch. */
  idleRssMb: number[];
}

export interface StartReport {
  runs: number;
  settleMs: number;
  ours: StartFigures;
  bareNode: StartFigures;
}

export const BUILD_DIR = path.join(ROOT, 'dist/bench-server');
const BARE_SERVER =
  "require('node:http').createServer((q, s) => { s.setHeader('content-type', 'application/json'); s.end('{\"ok\":true}'); }).listen(Number(process.env.PORT), process.env.HOST);";

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => {
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => {
    server.close(resolve);
  });
  return port;
}

function healthy(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/api/health', agent: false }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => {
      resolve(false);
    });
  });
}

const rssMb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

/** One launch to healthy and its RSS `settleMs` later; in a fresh DATA_DIR, removed after, unless `keepDataDir` names one. */
export async function launch(args: string[], settleMs: number, keepDataDir?: string): Promise<{ startMs: number; idleRssMb: number }> {
  const port = await freePort();
  const dataDir = keepDataDir ?? mkdtempSync(path.join(tmpdir(), 'bench-start-'));
  const { MONGODB_URI: _m, REDIS_URL: _r, NODE_OPTIONS: _n, ...env } = process.env;
  const t0 = performance.now();
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...env, ...scriptEnv('start'), PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, SEED_DEMO: 'false', LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  try {
    for (;;) {
      if (await healthy(port)) break;
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${args.join(' ')} exited before it was healthy`);
      if (performance.now() - t0 > 30_000) throw new Error(`${args.join(' ')} not healthy after 30 s`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const startMs = performance.now() - t0;
    await new Promise((r) => setTimeout(r, settleMs));
    return { startMs, idleRssMb: rssMb(child.pid!) };
  } finally {
    child.kill('SIGTERM');
    await exited;
    if (keepDataDir === undefined) rmSync(dataDir, { recursive: true, force: true });
  }
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** Builds the server from the current sources into BUILD_DIR, as `npm run build` does; returns `npm start`'s node arguments for it. */
export async function buildBenchServer(log: (...a: unknown[]) => void): Promise<string[]> {
  log(`start: building the server into ${path.relative(ROOT, BUILD_DIR)}`);
  await promisify(execFile)(process.execPath, ['scripts/build-server.mjs', '--outdir', BUILD_DIR], { cwd: ROOT });
  return [...scriptNodeArgs('start').slice(0, -1), path.join(BUILD_DIR, 'main.js')];
}

export async function measureStart(runs: number, settleMs: number, log: (...a: unknown[]) => void): Promise<StartReport> {
  await buildBenchServer(log);
  const report: StartReport = { runs, settleMs, ours: { startMs: [], idleRssMb: [] }, bareNode: { startMs: [], idleRssMb: [] } };
  for (let i = 0; i < runs; i++) {
    // npm start's flags to node, if any, then the entry point of this build.
    const ours = [...scriptNodeArgs('start').slice(0, -1), path.join(BUILD_DIR, 'main.js')];
    for (const [figures, args] of [
      [report.ours, ours],
      [report.bareNode, ['-e', BARE_SERVER]],
    ] as const) {
      const r = await launch([...args], settleMs);
      figures.startMs.push(r.startMs);
      figures.idleRssMb.push(r.idleRssMb);
    }
    log(
      `start: launch ${i + 1}/${runs}: ours ${report.ours.startMs.at(-1)!.toFixed(0)} ms, ${report.ours.idleRssMb.at(-1)!.toFixed(1)} MB; bare node ${report.bareNode.startMs.at(-1)!.toFixed(0)} ms, ${report.bareNode.idleRssMb.at(-1)!.toFixed(1)} MB`,
    );
  }
  return report;
}
