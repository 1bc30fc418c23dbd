/** Admin: categories (list, create, edit, archive) and departments (list, create, edit). */
import { categoryInputSchema, departmentInputSchema } from '../../../../shared/schemas/catalogue.schema';
import type { DepartmentLevel, ExtraField } from '../../../../shared/catalogue';
import { DEFAULT_DEADLINE_DAYS } from '../../../../shared/catalogue';
import { api, isApiError } from '../api';
import type { Category, Department } from '../api-types';
import { serverFieldErrors, validate, type FieldErrors } from '../validation';
import type { CatalogueState } from './CatalogueState.svelte';
import { Task } from './Task.svelte';

export interface CategoryForm {
  code: string;
  name: string;
  departmentId: string;
  deadlineDays: string;
  /** One document per line. */
  requiredDocuments: string;
  extraFields: ExtraField[];
  /** Comma-separated. */
  keywords: string;
}

export interface DepartmentForm {
  code: string;
  name: string;
  region: string;
  level: DepartmentLevel;
  /** The department above it, where escalation goes; '' for none. */
  parentId: string;
}

const emptyCategory = (): CategoryForm => ({
  code: '',
  name: '',
  departmentId: '',
  deadlineDays: String(DEFAULT_DEADLINE_DAYS),
  requiredDocuments: '',
  extraFields: [],
  keywords: '',
});
const emptyDepartment = (): DepartmentForm => ({ code: '', name: '', region: '77', level: 'regional', parentId: '' });

export class AdminCatalogueState {
  #categories = $state.raw<Category[]>([]);
  readonly #task = new Task();
  /** Id being edited, null for a new one; undefined while the form is closed. */
  #editingCategory = $state<string | null | undefined>(undefined);
  #editingDepartment = $state<string | null | undefined>(undefined);
  categoryForm = $state<CategoryForm>(emptyCategory());
  departmentForm = $state<DepartmentForm>(emptyDepartment());
  #errors = $state<FieldErrors>({});
  readonly #catalogue: CatalogueState;

  constructor(catalogue: CatalogueState) {
    this.#catalogue = catalogue;
  }

  /** Every category, archived ones too. */
  get categories(): Category[] {
    return this.#categories;
  }

  get departments(): Department[] {
    return this.#catalogue.departments;
  }

  get error(): string {
    return this.#task.error;
  }

  get errors(): FieldErrors {
    return this.#errors;
  }

  get isBusy(): boolean {
    return this.#task.isBusy;
  }

  get editingCategory(): string | null | undefined {
    return this.#editingCategory;
  }

  get editingDepartment(): string | null | undefined {
    return this.#editingDepartment;
  }

  async load(): Promise<void> {
    await this.#run(async () => {
      await this.#catalogue.load(true);
      this.#categories = (await api('admin.categories.list')).items;
    });
  }

  /** Opens the category form, empty or filled from `c`. */
  editCategory(c: Category | null): void {
    this.#errors = {};
    this.#editingCategory = c?.id ?? null;
    this.categoryForm = c
      ? {
          code: c.code,
          name: c.name,
          departmentId: c.departmentId,
          deadlineDays: String(c.deadlineDays),
          requiredDocuments: c.requiredDocuments.join('\n'),
          extraFields: c.extraFields.map((f) => ({ ...f })),
          keywords: c.keywords.join(', '),
        }
      : emptyCategory();
  }

  addExtraField(): void {
    this.categoryForm.extraFields.push({ key: '', label: '', kind: 'text', required: false });
  }

  removeExtraField(index: number): void {
    this.categoryForm.extraFields.splice(index, 1);
  }

  closeForms(): void {
    this.#editingCategory = undefined;
    this.#editingDepartment = undefined;
    this.#errors = {};
  }

  async saveCategory(): Promise<boolean> {
    const f = this.categoryForm;
    const input = {
      code: f.code,
      name: f.name,
      departmentId: f.departmentId,
      deadlineDays: Number(f.deadlineDays),
      requiredDocuments: f.requiredDocuments
        .split('\n')
        .map((s) => s.trim())
        .filter(Boolean),
      extraFields: $state.snapshot(f.extraFields),
      keywords: f.keywords
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    };
    const checked = validate(categoryInputSchema, input);
    if (!checked.ok) {
      this.#errors = checked.errors;
      return false;
    }
    const id = this.#editingCategory;
    const ok = await this.#run(async () => {
      if (id) await api('admin.categories.update', { params: { id }, body: checked.data });
      else await api('admin.categories.create', { body: checked.data });
    });
    if (ok) {
      this.closeForms();
      await this.load();
    }
    return ok;
  }

  async setArchived(c: Category, archived: boolean): Promise<void> {
    const ok = await this.#run(() => api('admin.categories.update', { params: { id: c.id }, body: { archived } }));
    if (ok) await this.load();
  }

  editDepartment(d: Department | null): void {
    this.#errors = {};
    this.#editingDepartment = d?.id ?? null;
    this.departmentForm = d ? { code: d.code, name: d.name, region: d.region, level: d.level, parentId: d.parentId ?? '' } : emptyDepartment();
  }

  async saveDepartment(): Promise<boolean> {
    const checked = validate(departmentInputSchema, { ...this.departmentForm, parentId: this.departmentForm.parentId || null });
    if (!checked.ok) {
      this.#errors = checked.errors;
      return false;
    }
    const id = this.#editingDepartment;
    const ok = await this.#run(async () => {
      if (id) await api('admin.departments.update', { params: { id }, body: checked.data });
      else await api('admin.departments.create', { body: checked.data });
    });
    if (ok) {
      this.closeForms();
      await this.load();
    }
    return ok;
  }

  /** Runs a request; a VALIDATION_FAILED answer also marks its fields. */
  #run(work: () => Promise<unknown>): Promise<boolean> {
    return this.#task.run(work, (e) => {
      if (isApiError(e, 'VALIDATION_FAILED')) this.#errors = serverFieldErrors(e);
    });
  }
}
