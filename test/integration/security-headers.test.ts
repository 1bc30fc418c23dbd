/** Security headers on every response; the upgrade directive only behind https. */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

describe('security headers', () => {
  it('sends a strict CSP without upgrade-insecure-requests over plain http', async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/api/health`);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain('upgrade-insecure-requests');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('x-powered-by')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('lets scripts connect to this server only, loads no outside fonts, allows no inline styles, and sends no HSTS over http', async () => {
    server = await startTestServer();
    const res = await fetch(`${server.url}/`);
    const directives = new Map(
      (res.headers.get('content-security-policy') ?? '').split(';').map((d) => {
        const [name, ...values] = d.trim().split(/\s+/);
        return [name ?? '', values] as const;
      }),
    );
    const port = new URL(server.url).port;
    expect(directives.get('connect-src')?.sort()).toEqual(["'self'", `ws://127.0.0.1:${port}`, `ws://localhost:${port}`].sort());
    expect(directives.get('font-src')).toEqual(["'self'"]);
    expect(directives.get('style-src')).toEqual(["'self'"]);
    expect(res.headers.get('strict-transport-security')).toBeNull();
  });

  it('asks browsers to upgrade requests when PUBLIC_URL is https', async () => {
    server = await startTestServer({ env: { PUBLIC_URL: 'https://caseroom.example.ru' } });
    const res = await fetch(`${server.url}/api/health`);
    expect(res.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self' wss://caseroom.example.ru");
    expect(res.headers.get('strict-transport-security')).toBe('max-age=15552000');
  });
});
