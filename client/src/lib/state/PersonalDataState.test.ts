/**
 * «Мои данные» states against a fake API (jsdom): the export list is read
 * again every 3 s while an export is being prepared and stops once it is
 * ready; the deletion form refuses without the tick or the password before
 * sending, shows the server's field error beside the password, and signs out
 * on success; the lock signs out.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { installFakeApi } from '../../test/fake-api';
import { DeleteAccountForm, exportDownloadUrl, ExportsState, LockState } from './PersonalDataState.svelte';
import { SessionState } from './SessionState.svelte';

const exportOf = (state: string, id = 'export_000000001') => ({
  id,
  state,
  createdAt: 1,
  readyAt: state === 'ready' ? 2 : null,
  expiresAt: state === 'ready' ? 86_400_002 : null,
  size: state === 'ready' ? 2048 : null,
});

function signedIn(): SessionState {
  const s = new SessionState();
  s.accept({ user: { id: 'user_0000000001', role: 'citizen' } as never, csrfToken: 'csrf' });
  return s;
}

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('ExportsState', () => {
  it('reads the list again every 3 s while the export is prepared, and stops once it is ready', async () => {
    vi.useFakeTimers();
    let state = 'pending';
    const calls = installFakeApi({
      'POST /api/me/exports': () => ({ status: 201, json: { export: exportOf('pending') } }),
      'GET /api/me/exports': () => ({ json: { items: [exportOf(state)] } }),
    });
    const exports = new ExportsState();
    await exports.start();
    expect(exports.isPreparing).toBe(true);
    await vi.advanceTimersByTimeAsync(3000);
    expect(calls.filter((c) => c.method === 'GET')).toHaveLength(1);
    state = 'ready';
    await vi.advanceTimersByTimeAsync(3000);
    expect(exports.latest?.state).toBe('ready');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(calls.filter((c) => c.method === 'GET')).toHaveLength(2);
    expect(exportDownloadUrl('export_000000001')).toBe('/api/me/exports/export_000000001/download');
    exports.stop();
  });
});

describe('DeleteAccountForm', () => {
  it('refuses without the tick and the password before sending anything', async () => {
    const calls = installFakeApi({});
    const form = new DeleteAccountForm(signedIn());
    expect(await form.submit()).toBe(false);
    expect(Object.keys(form.errors).sort()).toEqual(['confirm', 'password']);
    expect(form.errors.confirm).toBe('Подтвердите удаление учётной записи');
    expect(calls).toEqual([]);
  });

  it('shows the server’s refusal beside the password, and signs out once the account is deleted', async () => {
    let answer: { status?: number; json: unknown } = {
      status: 400,
      json: { error: { code: 'VALIDATION_FAILED', message: 'Неверный пароль: учётная запись не удалена', fields: { password: 'Неверный пароль' } } },
    };
    const calls = installFakeApi({ 'POST /api/me/delete': () => answer });
    const session = signedIn();
    const form = new DeleteAccountForm(session);
    form.password = 'не тот';
    form.confirm = true;
    expect(await form.submit()).toBe(false);
    expect(form.errors).toEqual({ password: 'Неверный пароль' });
    expect(session.isSignedIn).toBe(true);
    answer = { json: { keptAppeals: 1, retainUntil: 0 } };
    form.password = 'правильный пароль 1';
    expect(await form.submit()).toBe(true);
    expect(calls.at(-1)?.body).toEqual({ password: 'правильный пароль 1', confirm: true });
    expect(session.isSignedIn).toBe(false);
  });
});

describe('LockState', () => {
  it('signs out once the account is locked', async () => {
    // (the fake answers with a JSON body; the server's 204 has none)
    installFakeApi({ 'POST /api/me/lock': () => ({ json: {} }) });
    const session = signedIn();
    expect(await new LockState(session).lock()).toBe(true);
    expect(session.isSignedIn).toBe(false);
  });
});
