/**
 * The admin's user management: staff accounts, roles, departments, locks.
 * Changing what a user may do ends their sessions, so every connection
 * re-authorises.
 */
import type { z } from 'zod';
import { DEPARTMENT_ROLES, type userCreateSchema, type userUpdateSchema } from '../../../shared/schemas/account.schema.js';
import type { Role } from '../../../shared/status-machine.js';
import { newId } from '../../lib/ids.js';
import type { UserRecord } from '../../store/store.js';
import { forbidden, invalid, notFound } from '../errors.js';
import type { Viewer } from '../viewer.js';
import type { AccountCore } from './account-core.js';
import type { PublicUser } from './account.types.js';
import { hashPassword } from './password.js';
import { toPublicUser } from './sessions.js';

export class UserAdmin {
  constructor(private readonly core: AccountCore) {}

  /** Staff accounts made by an admin count as confirmed: the admin vouches for the contacts. */
  async createUser(viewer: Viewer, input: z.infer<typeof userCreateSchema>): Promise<PublicUser> {
    requireAdmin(viewer);
    const departmentId = await this.checkDepartment(input.role, input.departmentId ?? null);
    const user: UserRecord = {
      id: newId(),
      email: input.email,
      phone: input.phone,
      passwordHash: await hashPassword(input.password),
      fullName: input.fullName,
      role: input.role,
      departmentId,
      birthDate: null,
      inn: null,
      address: null,
      emailConfirmed: true,
      phoneConfirmed: true,
      locked: false,
      expertsSeeContacts: false,
      createdAt: this.core.deps.clock.now(),
    };
    await this.core.createUserRecord(user);
    await this.core.audit({ actorId: viewer.id, action: 'admin.user_created', subjectId: user.id, details: { role: user.role, departmentId } });
    return toPublicUser(user);
  }

  /** Locking, or changing the role or department, ends the user's sessions so every connection re-authorises. */
  async updateUser(viewer: Viewer, id: string, patch: z.infer<typeof userUpdateSchema>): Promise<PublicUser> {
    requireAdmin(viewer);
    const user = await this.core.deps.store.users.get(id);
    if (!user) throw notFound('Пользователь не найден');
    if (id === viewer.id && (patch.locked === true || (patch.role !== undefined && patch.role !== 'admin'))) {
      throw invalid({ id: 'нельзя заблокировать себя или снять с себя роль администратора' });
    }
    const role = patch.role ?? user.role;
    const wanted = patch.departmentId !== undefined ? patch.departmentId : DEPARTMENT_ROLES.includes(role) ? user.departmentId : null;
    const departmentId = await this.checkDepartment(role, wanted);
    // An admin's lock is lifted by an admin only; the owner's code unlocks only the owner's own lock (docs/accounts.md).
    const lock = patch.locked !== undefined ? { locked: patch.locked, lockedBy: patch.locked ? ('admin' as const) : null } : {};
    const updated = await this.core.deps.store.users.update(id, { role, departmentId, ...lock });
    if (!updated) throw notFound('Пользователь не найден');
    if ((patch.locked === true && !user.locked) || role !== user.role || departmentId !== user.departmentId) await this.core.endSessions(id);
    await this.core.audit({
      actorId: viewer.id,
      action: 'admin.user_updated',
      subjectId: id,
      details: { changed: Object.keys(patch).sort(), role, departmentId, locked: updated.locked },
    });
    return toPublicUser(updated);
  }

  async listUsers(
    viewer: Viewer,
    filter: { role?: Role; departmentId?: string; search?: string; limit: number; offset: number },
  ): Promise<{ items: PublicUser[]; total: number }> {
    requireAdmin(viewer);
    const search = filter.search?.trim();
    const page = await this.core.deps.store.users.list({ ...filter, search: search ? search : undefined });
    return { items: page.items.map(toPublicUser), total: page.total };
  }

  /** Operators and supervisors need an existing department; other roles have none. */
  private async checkDepartment(role: Role, departmentId: string | null): Promise<string | null> {
    if (!DEPARTMENT_ROLES.includes(role)) {
      if (departmentId !== null) throw invalid({ departmentId: 'ведомство указывается только для сотрудников и руководителей' });
      return null;
    }
    if (departmentId === null || !(await this.core.deps.store.catalogue.getDepartment(departmentId))) {
      throw invalid({ departmentId: 'укажите существующее ведомство' });
    }
    return departmentId;
  }
}

function requireAdmin(viewer: Viewer): void {
  if (viewer.role !== 'admin') throw forbidden();
}
