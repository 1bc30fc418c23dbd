/**
 * The production start: `npm start` runs the server compiled by
 * `npm run build` (scripts/build-server.mjs), not TypeScript through tsx, and
 * the MongoDB and Redis drivers load only when MONGODB_URI or REDIS_URL asks
 * for them. The server is built here into a directory of its own (beside a
 * stand-in client build) and run in a child process with a preloaded probe
 * that writes, at exit, every module the process loaded: CommonJS from the
 * require cache, ES modules from a resolve hook. The two runs with a driver
 * configured show that the probe sees one when it loads. Since the packages
 * are bundled too, one run goes through a room end to end on the built server:
 * login, an appeal with a PDF and a DOCX, socket.io chat, the Yjs sync, and a
 * registration mailed over SMTP.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docxBytes, formWith, pdfBytes } from '../helpers/files.js';
import { randomPhone } from '../helpers/factories.js';
import { demoLogins, ROOT, scriptEnv, scriptNodeArgs } from '../helpers/process.js';
import { closeAllSockets, connect, ok } from '../helpers/realtime.js';
import { fileAppeal, TestClient } from '../helpers/session.js';
import { startSmtp } from '../helpers/smtp.js';
import { closeAllYjs, openYjs } from '../helpers/yjs.js';
import { INITIAL_CONSENT } from '../../server/domain/accounts/consent.js';

/** Runs in the module-loading thread: reports every resolved URL to the probe. */
const HOOKS = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  port.postMessage(resolved.url);
  return resolved;
}`;

/** Preloaded with --import: collects the resolved URLs and writes them with the require cache at exit. */
const PROBE = `
import Module, { register } from 'node:module';
import { writeFileSync } from 'node:fs';
import { MessageChannel } from 'node:worker_threads';
const esm = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (url) => { esm.add(url); });
port1.unref();
register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(HOOKS)}`)}, { data: { port: port2 }, transferList: [port2] });
process.on('exit', () => {
  writeFileSync(process.env.LOADED_MODULES_FILE, [...Object.keys(Module._cache), ...esm].join('\\n'));
});`;

const MARKER = 'built client stand-in';
/** What `npm start` passes to node: its flags, then the compiled entry point. */
const START_ARGS = scriptNodeArgs('start');
const START_FLAGS = START_ARGS.slice(0, -1);
let dir = '';

beforeAll(async () => {
  // In dist/, so that the bundle finds node_modules as dist/server does.
  mkdirSync(path.join(ROOT, 'dist'), { recursive: true });
  dir = mkdtempSync(path.join(ROOT, 'dist/production-start-test-'));
  await promisify(execFile)(process.execPath, ['scripts/build-server.mjs', '--outdir', path.join(dir, 'server')], { cwd: ROOT });
  mkdirSync(path.join(dir, 'client'));
  writeFileSync(path.join(dir, 'client/index.html'), `<!doctype html><title>${MARKER}</title>`);
}, 60_000);

afterAll(() => {
  closeAllSockets();
  closeAllYjs();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  output: string;
  modules: string[];
  health?: unknown;
  index?: string;
}

/** Starts the built server with `npm start`'s environment plus `env`; once it is up, asks it, runs `whileUp` and stops it. */
async function run(name: string, env: Record<string, string>, whileUp?: (url: string, output: string) => Promise<void>): Promise<Run> {
  const modulesFile = path.join(dir, `${name}.modules`);
  const dataDir = path.join(dir, `${name}.data`);
  // Neither the drivers' variables nor the test runner's Node options reach the child.
  const { MONGODB_URI: _m, REDIS_URL: _r, NODE_OPTIONS: _n, ...childEnv } = process.env;
  const child = spawn(process.execPath, [...START_FLAGS, '--import', `data:text/javascript,${encodeURIComponent(PROBE)}`, path.join(dir, 'server/main.js')], {
    cwd: ROOT,
    env: {
      ...childEnv,
      ...scriptEnv('start'),
      PORT: '0',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      SEED_DEMO: 'false',
      LOG_LEVEL: 'warn',
      LOADED_MODULES_FILE: modulesFile,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      resolve(code);
    });
  });
  const up = new Promise<string | null>((resolve) => {
    const onData = (c: Buffer): void => {
      output += c.toString();
      const m = /Case room is up: (http:\/\/\S+)/.exec(output);
      if (m) resolve(m[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => {
      resolve(null);
    });
  });
  const url = await up;
  const result: Partial<Run> = {};
  if (url) {
    try {
      result.health = await (await fetch(`${url}/api/health`)).json();
      result.index = await (await fetch(`${url}/`)).text();
      await whileUp?.(url, output);
    } finally {
      child.kill('SIGTERM');
    }
  }
  const code = await exited;
  return { ...result, code, output, modules: readFileSync(modulesFile, 'utf8').split('\n') };
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
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

const loaded = (modules: string[], pkg: string): boolean => modules.some((m) => m.includes(`/node_modules/${pkg}/`));

describe('production start', () => {
  it('npm start runs the compiled server, without tsx', () => {
    const scripts = (JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(START_ARGS.at(-1)).toBe('dist/server/main.js');
    expect(START_FLAGS.join(' ')).not.toMatch(/tsx|--import|--loader/);
    expect(scripts.build).toContain('build:server');
  });

  it('without MONGODB_URI and REDIS_URL loads no MongoDB or Redis driver, and no TypeScript', async () => {
    const r = await run('plain', {});
    expect(r.code, r.output).toBe(0);
    expect(r.health).toEqual({ ok: true, store: 'sqlite' });
    // dist/client beside dist/server is what it serves.
    expect(r.index).toContain(MARKER);
    // The probe sees what loaded: the bundle and the native packages left beside it.
    expect(r.modules).toContain(pathToFileURL(path.join(dir, 'server/main.js')).href);
    expect(loaded(r.modules, 'better-sqlite3')).toBe(true);
    expect(loaded(r.modules, 'argon2')).toBe(true);
    // pdfkit too: it loads at the first PDF.
    for (const pkg of ['mongoose', 'mongodb', 'redis', '@redis/client', 'tsx', 'esbuild', 'pdfkit']) expect(loaded(r.modules, pkg), pkg).toBe(false);
    // Nor what only SMTP_URL or an upload needs: bundled, in chunks of their own that stay unread.
    const chunks = readdirSync(path.join(dir, 'server'));
    for (const name of ['nodemailer', 'file-type', 'docx-check', 'file-structure']) {
      expect(
        chunks.some((f) => f.startsWith(`${name}-`)),
        `${name} chunk built`,
      ).toBe(true);
      expect(
        r.modules.some((m) => path.basename(m).startsWith(`${name}-`)),
        `${name} chunk loaded`,
      ).toBe(false);
    }
    expect(r.modules.filter((m) => m.endsWith('.ts'))).toEqual([]);
  }, 30_000);

  it('serves a room end to end from the bundle: login, uploads, socket.io chat, Yjs, mail over SMTP', async () => {
    const smtp = await startSmtp();
    try {
      const r = await run('room', { SEED_DEMO: 'true', SMTP_URL: smtp.url }, async (url, output) => {
        const logins = demoLogins(output);
        const citizenLogin = [...logins.keys()].find((l) => l.startsWith('citizen@'))!;
        const citizen = await new TestClient(url).login(citizenLogin, logins.get(citizenLogin)!);
        const { appeal } = await fileAppeal(citizen);
        const uploaded = await citizen.request(
          'POST',
          `/api/appeals/${appeal.id}/attachments`,
          formWith([
            { name: 'scan.pdf', bytes: pdfBytes() },
            { name: 'letter.docx', bytes: docxBytes() },
          ]),
        );
        expect(uploaded.status, JSON.stringify(uploaded.body)).toBe(201);
        const socket = await connect(url, citizen);
        await ok(socket, 'room:join', { appealId: appeal.id });
        const sent = await ok<{ text: string }>(socket, 'chat:send', { appealId: appeal.id, clientId: 'production-start-1', text: 'Здравствуйте' });
        expect(sent.text).toBe('Здравствуйте');
        const yjs = await openYjs(url, citizen.cookie, appeal.id as string);
        expect(yjs.text()).toContain('Оплатить');
        // The case as a PDF, from pdfkit left in node_modules with its data files and the DejaVu fonts.
        const pdf = await fetch(`${url}/api/appeals/${String(appeal.id)}/pdf`, { headers: { cookie: citizen.cookie } });
        expect(pdf.status).toBe(200);
        expect(
          Buffer.from(await pdf.arrayBuffer())
            .subarray(0, 5)
            .toString('latin1'),
        ).toBe('%PDF-');
        const email = `start-${Date.now()}@mail.ru`;
        const mailed = smtp.messages.length;
        const registered = await new TestClient(url).post('/api/auth/register', {
          email,
          phone: randomPhone(),
          password: 'correct horse 42',
          fullName: 'Иванов Иван Иванович',
          birthDate: '1985-04-12',
          inn: '500100732259',
          address: 'г. Москва, ул. Тверская, д. 1',
          consentVersion: INITIAL_CONSENT.version,
        });
        expect(registered.status, JSON.stringify(registered.body)).toBe(201);
        expect((await smtp.waitFor(email, mailed)).text).toMatch(/\d{6}/);
      });
      expect(r.code, r.output).toBe(0);
      expect(loaded(r.modules, 'pdfkit')).toBe(true);
      for (const name of ['nodemailer', 'file-type', 'docx-check', 'file-structure']) {
        expect(
          r.modules.some((m) => path.basename(m).startsWith(`${name}-`)),
          `${name} chunk loaded`,
        ).toBe(true);
      }
    } finally {
      await smtp.close();
    }
  }, 60_000);

  it('with REDIS_URL loads the Redis client (here one that cannot connect, so the start stops)', async () => {
    const r = await run('redis', { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('REDIS_URL');
    expect(loaded(r.modules, '@redis/client')).toBe(true);
    expect(loaded(r.modules, 'mongoose')).toBe(false);
  }, 30_000);

  it('with MONGODB_URI loads mongoose and the MongoDB driver (here a URI without a database, so the start stops)', async () => {
    const r = await run('mongo', { MONGODB_URI: `mongodb://127.0.0.1:${await closedPort()}` });
    expect(r.code).not.toBe(0);
    expect(r.output).toContain('MONGODB_URI');
    expect(loaded(r.modules, 'mongoose')).toBe(true);
    expect(loaded(r.modules, 'mongodb')).toBe(true);
    expect(loaded(r.modules, '@redis/client')).toBe(false);
  }, 30_000);
});
