/**
 * The built client through the real server: each text file goes out as the
 * brotli or gzip variant the build wrote beside it, chosen by Accept-Encoding,
 * with the original Content-Type, `Vary: Accept-Encoding`, a year's cache on
 * hashed names and `no-cache` on index.html. The client folder is a fixture
 * made here (the real build's variants are checked in Chromium,
 * test/e2e/cold-open.e2e.test.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

const INDEX =
  '<!doctype html><html lang="ru"><head><script type="module" src="/assets/index-a1b2c3.js"></script></head><body><div id="app"></div></body></html>';
const ENTRY = `export const greeting = ${JSON.stringify('Совместное решение вопросов '.repeat(200))};\n`;
const STYLE = `.room { display: grid; }\n${'.card { padding: 1rem; }\n'.repeat(100)}`;
const PLAIN = `export const tiny = ${JSON.stringify('без сжатых копий '.repeat(50))};\n`;
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

const SECRET = 'export const secret = "не для посторонних";\n';

const IMMUTABLE = 'public, max-age=31536000, immutable';

interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A request whose body is read as sent (fetch would decode it). */
function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static client assets, precompressed (real server)', () => {
  let server: TestServer;
  let root = '';
  let clientDir = '';

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'client-assets-'));
    clientDir = path.join(root, 'client');
    // Beside the client folder, never to be served.
    writeFileSync(path.join(root, 'secret.js'), SECRET);
    writeFileSync(path.join(root, 'secret.js.br'), brotliCompressSync(SECRET));
    const assets = path.join(clientDir, 'assets');
    mkdirSync(assets, { recursive: true });
    const put = (file: string, body: string | Buffer, variants: ('br' | 'gz')[]): void => {
      writeFileSync(path.join(clientDir, file), body);
      if (variants.includes('br')) writeFileSync(path.join(clientDir, `${file}.br`), brotliCompressSync(body));
      if (variants.includes('gz')) writeFileSync(path.join(clientDir, `${file}.gz`), gzipSync(body));
    };
    put('index.html', INDEX, ['br', 'gz']);
    put('assets/index-a1b2c3.js', ENTRY, ['br', 'gz']);
    put('assets/style-d4e5f6.css', STYLE, ['gz']);
    put('assets/plain-0a0b0c.js', PLAIN, []);
    put('assets/dot-1a2b3c.png', PNG, []);
    server = await startTestServer({ clientDir });
  });

  afterAll(async () => {
    await server.stop();
    rmSync(root, { recursive: true, force: true });
  });

  it('sends the brotli variant to a browser that accepts it, with the JavaScript type, Vary and a year of cache', async () => {
    const res = await get(`${server.url}/assets/index-a1b2c3.js`, { 'Accept-Encoding': 'gzip, deflate, br, zstd' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers.vary).toBe('Accept-Encoding');
    expect(res.headers['cache-control']).toBe(IMMUTABLE);
    expect(Number(res.headers['content-length'])).toBe(res.body.length);
    expect(res.body.length).toBeLessThan(Buffer.byteLength(ENTRY) / 10);
    expect(brotliDecompressSync(res.body).toString('utf8')).toBe(ENTRY);
  });

  it('sends gzip when brotli is not accepted, or refused with q=0, or weighed lower', async () => {
    for (const accept of ['gzip, deflate', 'br;q=0, gzip', 'gzip;q=1, br;q=0.5', 'x-gzip']) {
      const res = await get(`${server.url}/assets/index-a1b2c3.js`, { 'Accept-Encoding': accept });
      expect(res.headers['content-encoding'], accept).toBe('gzip');
      expect(res.headers['content-type'], accept).toBe('text/javascript; charset=utf-8');
      expect(res.headers.vary, accept).toBe('Accept-Encoding');
      expect(gunzipSync(res.body).toString('utf8'), accept).toBe(ENTRY);
    }
  });

  it('sends the file itself to a client that accepts neither, still with Vary', async () => {
    for (const accept of [undefined, 'identity', 'deflate', 'br;q=0, gzip;q=0', '*;q=0']) {
      const res = await get(`${server.url}/assets/index-a1b2c3.js`, accept === undefined ? {} : { 'Accept-Encoding': accept });
      expect(res.headers['content-encoding'], accept).toBeUndefined();
      expect(res.headers['content-type'], accept).toBe('text/javascript; charset=utf-8');
      expect(res.headers.vary, accept).toBe('Accept-Encoding');
      expect(res.headers['cache-control'], accept).toBe(IMMUTABLE);
      expect(res.body.toString('utf8'), accept).toBe(ENTRY);
    }
    // `*` accepts both: brotli first.
    expect((await get(`${server.url}/assets/index-a1b2c3.js`, { 'Accept-Encoding': '*' })).headers['content-encoding']).toBe('br');
  });

  it('falls back to gzip when the build wrote no brotli variant, and to the plain file when it wrote none', async () => {
    const css = await get(`${server.url}/assets/style-d4e5f6.css`, { 'Accept-Encoding': 'br, gzip' });
    expect(css.status).toBe(200);
    expect(css.headers['content-encoding']).toBe('gzip');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.headers['cache-control']).toBe(IMMUTABLE);
    expect(gunzipSync(css.body).toString('utf8')).toBe(STYLE);

    const plain = await get(`${server.url}/assets/plain-0a0b0c.js`, { 'Accept-Encoding': 'br, gzip' });
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(plain.headers.vary).toBe('Accept-Encoding');
    expect(plain.headers['cache-control']).toBe(IMMUTABLE);
    expect(plain.body.toString('utf8')).toBe(PLAIN);
  });

  it('sends images as they are, without Vary', async () => {
    const res = await get(`${server.url}/assets/dot-1a2b3c.png`, { 'Accept-Encoding': 'br, gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['content-type']).toBe('image/png');
    expect(res.headers.vary).toBeUndefined();
    expect(res.headers['cache-control']).toBe(IMMUTABLE);
    expect(res.body.equals(PNG)).toBe(true);
  });

  it('answers the SPA routes and /index.html with index.html, compressed and never cached without a check', async () => {
    for (const route of ['/', '/appeals/abc', '/queue', '/index.html']) {
      const br = await get(server.url + route, { 'Accept-Encoding': 'gzip, deflate, br' });
      expect(br.status, route).toBe(200);
      expect(br.headers['content-encoding'], route).toBe('br');
      expect(br.headers['content-type'], route).toBe('text/html; charset=utf-8');
      expect(br.headers['cache-control'], route).toBe('no-cache');
      expect(br.headers.vary, route).toBe('Accept-Encoding');
      expect(brotliDecompressSync(br.body).toString('utf8'), route).toBe(INDEX);

      const plain = await get(server.url + route);
      expect(plain.headers['content-encoding'], route).toBeUndefined();
      expect(plain.headers['cache-control'], route).toBe('no-cache');
      expect(plain.body.toString('utf8'), route).toBe(INDEX);
    }
    // The CSP is on the page whichever way it is sent.
    expect((await get(`${server.url}/`, { 'Accept-Encoding': 'br' })).headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('answers HEAD with the headers of the variant and no body, and a revalidation with 304', async () => {
    const head = await get(`${server.url}/assets/index-a1b2c3.js`, { 'Accept-Encoding': 'br' }, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-encoding']).toBe('br');
    expect(head.body.length).toBe(0);
    const etag = head.headers.etag;
    expect(typeof etag).toBe('string');

    const again = await get(`${server.url}/assets/index-a1b2c3.js`, { 'Accept-Encoding': 'br', 'If-None-Match': String(etag) });
    expect(again.status).toBe(304);
    expect(again.body.length).toBe(0);
    // The gzip variant is another representation: its validator differs.
    const gz = await get(`${server.url}/assets/index-a1b2c3.js`, { 'Accept-Encoding': 'gzip' }, 'HEAD');
    expect(gz.headers.etag).not.toBe(etag);
  });

  it('serves nothing from outside the client folder, whatever the encoding: such a path gets the SPA page', async () => {
    for (const p of ['/..%2fsecret.js', '/assets/..%2f..%2fsecret.js', '/%2e%2e/secret.js']) {
      for (const accept of ['br', 'gzip', 'identity']) {
        const res = await get(server.url + p, { 'Accept-Encoding': accept });
        const enc = res.headers['content-encoding'];
        const body = enc === 'br' ? brotliDecompressSync(res.body) : enc === 'gzip' ? gunzipSync(res.body) : res.body;
        expect([res.status, res.headers['content-type'], body.toString('utf8')], `${p} ${accept}`).toEqual([200, 'text/html; charset=utf-8', INDEX]);
      }
    }
  });

  it('leaves the API alone: JSON, never cached, not from the client folder', async () => {
    const res = await get(`${server.url}/api/health`, { 'Accept-Encoding': 'br, gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['cache-control']).toBe('no-store');
    expect(JSON.parse(res.body.toString('utf8'))).toEqual({ ok: true, store: server.store.kind });
  });
});
