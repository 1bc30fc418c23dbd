import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFakeApi } from '../test/fake-api';
import { api, ApiError, setCsrfToken } from './api';

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(undefined);
});

describe('api', () => {
  it('sends the CSRF token on state-changing requests only', async () => {
    const calls = installFakeApi({ 'GET /api/me': () => ({ json: {} }), 'POST /api/x': () => ({ json: {} }) });
    setCsrfToken('tok123');
    await api.get('/api/me');
    await api.post('/api/x', { a: 1 });
    expect(calls[0]?.headers['x-csrf-token']).toBeUndefined();
    expect(calls[1]?.headers['x-csrf-token']).toBe('tok123');
    expect(calls[1]?.body).toEqual({ a: 1 });
  });

  it('turns an error answer into a typed ApiError with fields', async () => {
    installFakeApi({
      'POST /api/auth/register': () => ({ status: 400, json: { error: { code: 'VALIDATION_FAILED', message: 'Проверьте', fields: { inn: 'плохой ИНН' } } } }),
    });
    const err = await api.post('/api/auth/register', {}).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', fields: { inn: 'плохой ИНН' } });
  });
});
