/**
 * The real server for the client's live tests (`client/**\/*.server.test.ts`,
 * which load this file through live-client.ts's `startLiveServer`):
 * runs `startTestServer()` in a child process (server-host.ts) and lets a test
 * stop it gracefully, kill it (SIGKILL) and start it again on the same
 * DATA_DIR and the same port — the port matters, because a browser tab
 * reconnects to the origin it was loaded from. Logins go over REST
 * (live-client.ts); the seeded passwords are kept from the first start (a
 * restart on a used directory seeds none).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { LiveClient, type LiveServer } from './live-client.js';

/** A command to the host process. */
export type HostCommand = { cmd: 'start'; dataDir?: string; port?: number } | { cmd: 'stop'; keepData: boolean };

/** What the host says: loaded, or its answer to one command. */
export type HostReply =
  | { type: 'ready' }
  | { type: 'started'; url: string; port: number; dataDir: string; demoAccounts: { login: string; password: string }[] }
  | { type: 'stopped' }
  | { type: 'failed'; message: string };

const HOST = path.join(import.meta.dirname, 'server-host.ts');
const REPO_ROOT = path.resolve(import.meta.dirname, '../..');

/** One host process; answers its commands in order. */
class Host {
  readonly #child: ChildProcess;
  #waiting: { resolve(r: HostReply): void; reject(e: Error): void } | null = null;
  readonly #exit: Promise<void>;

  private constructor() {
    this.#child = fork(HOST, [], { cwd: REPO_ROOT, execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.#child.on('message', (r: HostReply) => {
      const w = this.#waiting;
      this.#waiting = null;
      w?.resolve(r);
    });
    this.#exit = new Promise((resolve) => {
      this.#child.once('exit', (code, signal) => {
        this.#waiting?.reject(new Error(`server host exited (${String(code ?? signal)})`));
        this.#waiting = null;
        resolve();
      });
    });
  }

  /** A host with the server's modules loaded, so that a start takes the server's own time only. */
  static async spawn(): Promise<Host> {
    const host = new Host();
    await host.#next(() => undefined);
    return host;
  }

  async send(command: HostCommand): Promise<HostReply> {
    const reply = await this.#next(() => this.#child.send(command));
    if (reply.type === 'failed') throw new Error(`server host: ${reply.message}`);
    return reply;
  }

  async kill(): Promise<void> {
    if (this.#child.exitCode === null && this.#child.signalCode === null) this.#child.kill('SIGKILL');
    await this.#exit;
  }

  #next(ask: () => void): Promise<HostReply> {
    if (this.#waiting) return Promise.reject(new Error('server host is busy'));
    return new Promise<HostReply>((resolve, reject) => {
      this.#waiting = { resolve, reject };
      ask();
    });
  }
}

/** Starts the real server (fresh DATA_DIR, demo accounts seeded). */
export async function startLiveServer(): Promise<LiveServer> {
  let host = await Host.spawn();
  const first = await host.send({ cmd: 'start' });
  if (first.type !== 'started') throw new Error('server host did not start');
  const { url, port, dataDir, demoAccounts } = first;
  // The process that takes over after a kill, loaded in the background: the
  // server is then down only as long as the server itself takes to start.
  let spare = Host.spawn();
  spare.catch(() => undefined);

  return {
    url,
    dataDir,
    async loginAs(prefix) {
      const account = demoAccounts.find((a) => a.login.startsWith(`${prefix}@`));
      if (!account) throw new Error(`no demo account ${prefix}`);
      return new LiveClient(url).login(account.login, account.password);
    },
    async stop() {
      await host.send({ cmd: 'stop', keepData: true });
    },
    async kill() {
      const next = await spare;
      await host.kill();
      host = next;
      spare = Host.spawn();
      spare.catch(() => undefined);
    },
    async start() {
      const again = await host.send({ cmd: 'start', dataDir, port });
      if (again.type !== 'started' || again.url !== url) throw new Error(`server came back elsewhere: ${again.type === 'started' ? again.url : again.type}`);
    },
    async close() {
      await host.send({ cmd: 'stop', keepData: false }).catch(() => undefined);
      await host.kill();
      await (await spare.catch(() => null))?.kill();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
