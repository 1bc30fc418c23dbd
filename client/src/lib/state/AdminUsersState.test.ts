import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEPARTMENT, installFakeApi, type Call } from '../../test/fake-api';
import type { User } from '../api-types';
import { i18n } from '../i18n/i18n.svelte';
import { AdminUsersState } from './AdminUsersState.svelte';

const operator: User = {
  id: 'user_operator_000001',
  email: 'petrov@example.ru',
  phone: '+79161234567',
  fullName: 'Петров Пётр',
  role: 'operator',
  departmentId: DEPARTMENT.id,
  emailConfirmed: true,
  phoneConfirmed: true,
  locked: false,
  expertsSeeContacts: false,
  birthDate: null,
  inn: null,
  address: null,
  createdAt: 0,
};

let calls: Call[];

beforeEach(() => {
  i18n.setLocale('ru');
  calls = installFakeApi({
    'GET /api/admin/users': () => ({ json: { items: [operator], total: 1 } }),
    [`PATCH /api/admin/users/${operator.id}`]: (body) => ({ json: { user: { ...operator, ...(body as Partial<User>) } } }),
  });
});

afterEach(() => {
  vi.unstubAllGlobals();
});

const patches = (): Call[] => calls.filter((c) => c.method === 'PATCH');

async function loaded(): Promise<AdminUsersState> {
  const admin = new AdminUsersState();
  await admin.load();
  return admin;
}

describe('AdminUsersState', () => {
  it('sends the search and the role filter with the list request', async () => {
    const admin = await loaded();
    admin.search = '  петров ';
    admin.roleFilter = 'operator';
    await admin.load();
    expect(calls.at(-1)?.url).toBe('/api/admin/users?limit=20&offset=0&role=operator&search=%D0%BF%D0%B5%D1%82%D1%80%D0%BE%D0%B2');
  });

  it('saves nothing while the form changes; confirms the listed changes, then says it saved', async () => {
    const admin = await loaded();
    admin.openEdit(operator);
    admin.editRole = 'supervisor';
    expect(patches()).toHaveLength(0);
    expect(admin.review()).toBe(true);
    expect(admin.edit?.stage).toBe('confirm');
    expect(admin.changes).toEqual([{ field: 'role', from: 'operator', to: 'supervisor' }]);
    expect(await admin.confirm()).toBe(true);
    expect(patches()[0]?.body).toEqual({ role: 'supervisor', departmentId: DEPARTMENT.id });
    expect(admin.edit).toBeNull();
    expect(admin.notice).toBe('Изменения сохранены: Петров Пётр.');
    expect(admin.list.items[0]?.role).toBe('supervisor');
  });

  it('warns that a role without a department drops it, and lists that change before saving', async () => {
    const admin = await loaded();
    admin.openEdit(operator);
    admin.editRole = 'expert';
    expect(admin.droppedDepartmentId).toBe(DEPARTMENT.id);
    expect(admin.review()).toBe(true);
    expect(admin.changes).toEqual([
      { field: 'role', from: 'operator', to: 'expert' },
      { field: 'department', from: DEPARTMENT.id, to: null },
    ]);
    await admin.confirm();
    expect(patches()[0]?.body).toEqual({ role: 'expert', departmentId: null });
  });

  it('requires a department for an operator or a supervisor, and refuses an edit that changes nothing', async () => {
    const admin = await loaded();
    admin.openEdit({ ...operator, role: 'expert', departmentId: null });
    admin.editRole = 'operator';
    expect(admin.review()).toBe(false);
    expect(admin.editErrors.departmentId).toBe('Выберите ведомство');
    admin.editRole = 'expert';
    expect(admin.review()).toBe(false);
    expect(admin.editError).toBe('Вы ничего не изменили.');
    expect(patches()).toHaveLength(0);
  });

  it('locks sign-in after its own confirmation and keeps the dialog open with the reason when refused', async () => {
    const admin = await loaded();
    admin.openLock(operator);
    expect(admin.edit).toMatchObject({ kind: 'lock', stage: 'confirm' });
    expect(await admin.confirm()).toBe(true);
    expect(patches()[0]?.body).toEqual({ locked: true });
    expect(admin.notice).toBe('Вход заблокирован: Петров Пётр.');

    installFakeApi({
      [`PATCH /api/admin/users/${operator.id}`]: () => ({
        status: 400,
        json: { error: { code: 'VALIDATION_FAILED', message: 'x', fields: { id: 'нельзя заблокировать себя или снять с себя роль администратора' } } },
      }),
    });
    admin.openLock(operator);
    expect(await admin.confirm()).toBe(false);
    expect(admin.edit).not.toBeNull();
    expect(admin.editError).toBe('Не сохранено: нельзя заблокировать себя или снять с себя роль администратора');
    expect(admin.notice).toBe('');
  });
});
