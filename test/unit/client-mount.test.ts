/** The built client is served wherever it is installed, a folder under a dot-directory (~/.local/…) included. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { mountClient } from '../../server/transport/http/app.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('mountClient', () => {
  it('answers the SPA routes with index.html from a client folder under a dot-directory', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'client-mount-'));
    dirs.push(root);
    const clientDir = path.join(root, '.local', 'case-room', 'dist', 'client');
    mkdirSync(path.join(clientDir, 'assets'), { recursive: true });
    writeFileSync(path.join(clientDir, 'index.html'), '<!doctype html><title>Дело</title>');
    writeFileSync(path.join(clientDir, 'assets', 'app-1a2b.js'), 'export {};');
    const app = express();
    mountClient(app, clientDir);
    const server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      for (const route of ['/', '/appeals/abc', '/queue']) {
        const res = await fetch(base + route);
        expect(res.status, route).toBe(200);
        expect(await res.text()).toBe('<!doctype html><title>Дело</title>');
        expect(res.headers.get('cache-control')).toBe('no-cache');
      }
      const asset = await fetch(`${base}/assets/app-1a2b.js`);
      expect(asset.status).toBe(200);
      expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    } finally {
      await new Promise<void>((r) =>
        server.close(() => {
          r();
        }),
      );
    }
  });
});
