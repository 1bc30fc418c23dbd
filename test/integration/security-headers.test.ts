/** Security headers on every response; the upgrade directive only behind https. */
import { afterEach, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => { await server?.stop(); server = undefined; });

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

  it('asks browsers to upgrade requests when PUBLIC_URL is https', async () => {
    server = await startTestServer({ env: { PUBLIC_URL: 'https://caseroom.example.ru' } });
    const res = await fetch(`${server.url}/api/health`);
    expect(res.headers.get('content-security-policy')).toContain('upgrade-insecure-requests');
  });
});
