import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFakeApi } from '../test/fake-api';
import { api, ApiError, setCsrfToken } from './api';

afterEach(() => {
  vi.unstubAllGlobals();
  setCsrfToken(undefined);
});

describe('api', () => {
  it('sends the CSRF token on state-changing requests only', async () => {
    const calls = installFakeApi({
      'GET /api/me': () => ({ json: {} }),
      'POST /api/categories/suggest': () => ({ json: { items: [] } }),
    });
    setCsrfToken('tok123');
    await api('me.get');
    await api('categories.suggest', { body: { text: 'квитанция' } });
    expect(calls[0]?.headers['x-csrf-token']).toBeUndefined();
    expect(calls[1]?.headers['x-csrf-token']).toBe('tok123');
    expect(calls[1]?.body).toEqual({ text: 'квитанция' });
  });

  it('turns an error answer into a typed ApiError with fields', async () => {
    installFakeApi({
      'POST /api/auth/register': () => ({ status: 400, json: { error: { code: 'VALIDATION_FAILED', message: 'Проверьте', fields: { inn: 'плохой ИНН' } } } }),
    });
    const body = {
      email: 'a@b.ru',
      phone: '+79990000000',
      password: 'password123',
      fullName: 'Иван',
      birthDate: '1990-01-01',
      inn: '1',
      address: 'Москва',
      consentVersion: '2026-12-01',
    };
    const err = await api('auth.register', { body }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', fields: { inn: 'плохой ИНН' } });
  });

  it('calls a route by its key: method and path from the shared table, parameters encoded, unset query values left out', async () => {
    const calls = installFakeApi({
      'DELETE /api/appeals/a%2Fb/experts/expert_00000001': () => ({ json: {} }),
      'GET /api/queue': () => ({ json: { items: [], total: 0 } }),
    });
    await api('appeals.removeExpert', { params: { id: 'a/b', expertId: 'expert_00000001' } });
    await api('queue.list', { query: { status: 'registered', priority: undefined, overdue: 'true', limit: 20, offset: 0 } });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'DELETE /api/appeals/a%2Fb/experts/expert_00000001',
      'GET /api/queue?status=registered&overdue=true&limit=20&offset=0',
    ]);
    expect(calls[0]?.body).toBeUndefined();
  });
});
