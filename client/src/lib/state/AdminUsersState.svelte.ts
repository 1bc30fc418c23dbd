/**
 * Admin: users and roles — the list with a role filter and a search by name or
 * e-mail, creating staff accounts, and editing one user at a time. Nothing is
 * saved as a control changes: an edit is a form (role and department) checked
 * here, then a confirmation that lists what will change, then one request;
 * locking and unlocking sign-in is a confirmation of its own. The outcome is a
 * message: saved (`notice`) or why not (`editError`, in the dialog).
 */
import { DEPARTMENT_ROLES, userCreateSchema } from '../../../../shared/schemas/account.schema';
import type { Role } from '../../../../shared/status-machine';
import { api, isApiError } from '../api';
import type { User } from '../api-types';
import { t } from '../i18n/i18n.svelte';
import { errorText, serverFieldErrors, validate, type FieldErrors } from '../validation';
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

/** What is being edited: role and department (a form, then its confirmation), or sign-in (a confirmation). */
export interface UserEdit {
  user: User;
  kind: 'roles' | 'lock';
  stage: 'form' | 'confirm';
}

/** One line of the confirmation: a field's value before and after. */
export interface UserChange {
  field: 'role' | 'department';
  from: string | null;
  to: string | null;
}

const emptyUser = (): UserForm => ({ fullName: '', email: '', phone: '', password: '', role: 'operator', departmentId: '' });

/** Whether a role belongs to a department (the server requires one for it and refuses one for the others). */
export function needsDepartment(role: Role): boolean {
  return DEPARTMENT_ROLES.includes(role);
}

export class AdminUsersState {
  roleFilter = $state<Role | ''>('');
  search = $state('');
  readonly list = new ListState((page) =>
    api('admin.users.list', { query: { ...page, role: this.roleFilter || undefined, search: this.search.trim() || undefined } }),
  );
  form = $state<UserForm>(emptyUser());
  /** The edit form's fields. */
  editRole = $state<Role>('citizen');
  editDepartmentId = $state('');
  #isFormOpen = $state(false);
  #errors = $state<FieldErrors>({});
  #edit = $state.raw<UserEdit | null>(null);
  #editErrors = $state<FieldErrors>({});
  #notice = $state('');
  readonly #task = new Task();
  readonly #editTask = new Task();

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
    return this.#task.isBusy || this.#editTask.isBusy;
  }

  /** The open edit, or null. */
  get edit(): UserEdit | null {
    return this.#edit;
  }

  /** The edit form's field errors (`departmentId`). */
  get editErrors(): FieldErrors {
    return this.#editErrors;
  }

  /** Why the last confirmed edit was not saved (shown in the dialog), or ''. */
  get editError(): string {
    return this.#editTask.error;
  }

  /** What the last saved change did, by name (shown above the table), or ''. */
  get notice(): string {
    return this.#notice;
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
    const department: FieldErrors = needsDepartment(rest.role) && !departmentId ? { departmentId: t('validation.field.departmentId') } : {};
    if (!checked.ok || department.departmentId) {
      this.#errors = { ...(checked.ok ? {} : checked.errors), ...department };
      return false;
    }
    this.#errors = {};
    const ok = await this.#task.run(
      () => api('admin.users.create', { body: checked.data }),
      (e) => {
        if (isApiError(e, 'VALIDATION_FAILED')) this.#errors = serverFieldErrors(e);
      },
    );
    if (ok) {
      this.#isFormOpen = false;
      await this.load();
    }
    return ok;
  }

  /** Opens the role-and-department form of a user. */
  openEdit(user: User): void {
    this.editRole = user.role;
    this.editDepartmentId = user.departmentId ?? '';
    this.#open({ user, kind: 'roles', stage: 'form' });
  }

  /** Asks to confirm locking or unlocking a user's sign-in. */
  openLock(user: User): void {
    this.#open({ user, kind: 'lock', stage: 'confirm' });
  }

  cancelEdit(): void {
    this.#edit = null;
  }

  /** The department the chosen role would take away from the user, or null. */
  get droppedDepartmentId(): string | null {
    const e = this.#edit;
    if (e?.kind !== 'roles' || needsDepartment(this.editRole)) return null;
    return e.user.departmentId;
  }

  /** What the form would change, for the confirmation. */
  get changes(): UserChange[] {
    const e = this.#edit;
    if (e?.kind !== 'roles') return [];
    const out: UserChange[] = [];
    if (this.editRole !== e.user.role) out.push({ field: 'role', from: e.user.role, to: this.editRole });
    const department = needsDepartment(this.editRole) ? this.editDepartmentId || null : null;
    if (department !== e.user.departmentId) out.push({ field: 'department', from: e.user.departmentId, to: department });
    return out;
  }

  /** From the form to its confirmation: a department for the roles that need one, and something changed. */
  review(): boolean {
    const e = this.#edit;
    if (e?.kind !== 'roles') return false;
    this.#editTask.clear();
    if (needsDepartment(this.editRole) && !this.editDepartmentId) {
      this.#editErrors = { departmentId: t('validation.field.departmentId') };
      return false;
    }
    this.#editErrors = {};
    if (this.changes.length === 0) {
      this.#editTask.fail(t('admin.users.noChanges'));
      return false;
    }
    this.#edit = { ...e, stage: 'confirm' };
    return true;
  }

  /** Back from the confirmation to the form. */
  backToForm(): void {
    const e = this.#edit;
    if (e?.kind === 'roles') this.#edit = { ...e, stage: 'form' };
    this.#editTask.clear();
  }

  /**
   * Saves the confirmed edit. Saved: the row is replaced, the dialog closes and
   * `notice` says what was done. Refused: the dialog stays open with the reason
   * (a department the server refuses sends the form back with it).
   */
  async confirm(): Promise<boolean> {
    const e = this.#edit;
    if (e?.stage !== 'confirm') return false;
    const body =
      e.kind === 'lock' ? { locked: !e.user.locked } : { role: this.editRole, departmentId: needsDepartment(this.editRole) ? this.editDepartmentId : null };
    const ok = await this.#editTask.run(
      async () => {
        const { user } = await api('admin.users.update', { params: { id: e.user.id }, body });
        this.list.replace((u) => u.id === user.id, user);
        this.#notice =
          e.kind === 'roles'
            ? t('admin.users.saved', { name: user.fullName })
            : t(user.locked ? 'admin.users.lockedDone' : 'admin.users.unlockedDone', { name: user.fullName });
      },
      (err) => {
        const fields = isApiError(err, 'VALIDATION_FAILED') ? serverFieldErrors(err) : {};
        if (fields.departmentId && e.kind === 'roles') {
          this.#editErrors = { departmentId: fields.departmentId };
          this.#edit = { ...e, stage: 'form' };
        }
        this.#editTask.fail(t('admin.users.notSaved', { reason: Object.values(fields)[0] ?? errorText(err) }));
        return true;
      },
    );
    if (ok) this.#edit = null;
    return ok;
  }

  #open(edit: UserEdit): void {
    this.#editErrors = {};
    this.#editTask.clear();
    this.#notice = '';
    this.#edit = edit;
  }
}
