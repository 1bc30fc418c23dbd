/** Admin: users and roles — list with a role filter, create, change role, department, lock. */
import { userCreateSchema } from '../../../../shared/schemas/account.schema';
import type { Role } from '../../../../shared/status-machine';
import { api, isApiError } from '../api';
import type { User } from '../api-types';
import { serverFieldErrors, validate, type FieldErrors } from '../validation';
import { ListState } from './ListState.svelte';
import { Task } from './Task.svelte';

export interface UserForm {
  fullName: string;
  email: string;
  phone: string;
  password: string;
  role: Role;
  departmentId: string;
}

const emptyUser = (): UserForm => ({ fullName: '', email: '', phone: '', password: '', role: 'operator', departmentId: '' });

export class AdminUsersState {
  roleFilter = $state<Role | ''>('');
  readonly list = new ListState((page) => api('admin.users.list', { query: { ...page, role: this.roleFilter || undefined } }));
  form = $state<UserForm>(emptyUser());
  #isFormOpen = $state(false);
  #errors = $state<FieldErrors>({});
  readonly #task = new Task();

  get isFormOpen(): boolean {
    return this.#isFormOpen;
  }

  get errors(): FieldErrors {
    return this.#errors;
  }

  get error(): string {
    return this.#task.error;
  }

  get isBusy(): boolean {
    return this.#task.isBusy;
  }

  load(): Promise<void> {
    return this.list.load(0);
  }

  openForm(): void {
    this.form = emptyUser();
    this.#errors = {};
    this.#isFormOpen = true;
  }

  closeForm(): void {
    this.#isFormOpen = false;
  }

  async create(): Promise<boolean> {
    const { departmentId, ...rest } = this.form;
    const checked = validate(userCreateSchema, departmentId ? { ...rest, departmentId } : rest);
    if (!checked.ok) {
      this.#errors = checked.errors;
      return false;
    }
    this.#errors = {};
    const ok = await this.#run(() => api('admin.users.create', { body: checked.data }));
    if (ok) {
      this.#isFormOpen = false;
      await this.load();
    }
    return ok;
  }

  /** Changes role, department or lock of one user. */
  async update(user: User, patch: { role?: Role; departmentId?: string | null; locked?: boolean }): Promise<void> {
    await this.#run(async () => {
      const { user: updated } = await api('admin.users.update', { params: { id: user.id }, body: patch });
      this.list.replace((u) => u.id === user.id, updated);
    });
  }

  /** Runs a request; a VALIDATION_FAILED answer also marks its fields. */
  #run(work: () => Promise<unknown>): Promise<boolean> {
    return this.#task.run(work, (e) => {
      if (isApiError(e, 'VALIDATION_FAILED')) this.#errors = serverFieldErrors(e);
    });
  }
}
