import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config/config.js';

const dir = mkdtempSync(path.join(tmpdir(), 'caseroom-config-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('configuration', () => {
  it('has safe defaults and generates a secret into DATA_DIR once', () => {
    const c = loadConfig({ DATA_DIR: dir });
    expect(c).toMatchObject({ port: 3000, host: '127.0.0.1', mongodbUri: undefined, seedDemo: true, secureCookies: false });
    expect(c.secret).toBe(readFileSync(path.join(dir, 'secret'), 'utf8'));
    expect(loadConfig({ DATA_DIR: dir }).secret).toBe(c.secret);
    expect(c.allowedOrigins(3000)).toEqual(['http://localhost:3000', 'http://127.0.0.1:3000']);
  });

  it('stops with a message naming every bad variable', () => {
    const bad = () => loadConfig({ DATA_DIR: dir, PORT: 'abc', MONGODB_URI: 'http://x', SESSION_SECRET: 'short' });
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (e) {
      expect((e as Error).message).toMatch(/PORT/);
      expect((e as Error).message).toMatch(/MONGODB_URI/);
      expect((e as Error).message).toMatch(/SESSION_SECRET/);
    }
  });

  it('takes the allowed origin and cookie security from PUBLIC_URL', () => {
    const c = loadConfig({ DATA_DIR: dir, PUBLIC_URL: 'https://caseroom.example.ru/app' });
    expect(c.allowedOrigins(3000)).toEqual(['https://caseroom.example.ru']);
    expect(c.secureCookies).toBe(true);
  });
});
