/**
 * Runs the real `server/main.ts` in a child process (as `npm start` does) so a
 * test can kill it with SIGKILL and start it again on the same DATA_DIR (and,
 * in a MongoDB run, the same database: test/helpers/server.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { storeEnvFor } from './server.js';

export const ROOT = path.resolve(import.meta.dirname, '../..');

/** The `NAME=value` assignments in front of `node` in an npm script of package.json. */
export function scriptEnv(name = 'start'): Record<string, string> {
  const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string | undefined> }).scripts;
  const line = scripts[name];
  if (line === undefined) throw new Error(`package.json has no script "${name}"`);
  const env: Record<string, string> = {};
  for (const word of line.split(/\s+/)) {
    const m = /^([A-Za-z_]\w*)=(\S*)$/.exec(word);
    if (!m) break;
    env[m[1]!] = m[2]!;
  }
  return env;
}

/** The arguments to `node` in an npm script of package.json: what follows the environment assignments and `node`. */
export function scriptNodeArgs(name = 'start'): string[] {
  const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string | undefined> }).scripts;
  const words = (scripts[name] ?? '').split(/\s+/).filter((w) => !/^[A-Za-z_]\w*=/.test(w));
  if (words[0] !== 'node') throw new Error(`package.json script "${name}" does not run node`);
  return words.slice(1);
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** SIGKILL: no shutdown hooks, no flush. */
  kill(): Promise<void>;
}

export async function spawnServer(dataDir: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    cwd: ROOT,
    env: storeEnvFor(dataDir, { ...process.env, ...scriptEnv(), PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...env }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    out += c.toString();
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`server did not start:\n${out}`));
    }, 30_000);
    const check = (): void => {
      const m = /Case room is up: (http:\/\/[^\s]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
  return {
    url,
    child,
    output: () => out,
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => {
          resolve();
        });
        child.kill('SIGKILL');
      }),
  };
}

/** Parses the demo accounts table printed on first start. */
export function demoLogins(output: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const m of output.matchAll(/^\s+\w+\s+(\S+@demo\.local)\s+(\S+)/gm)) map.set(m[1]!, m[2]!);
  return map;
}
