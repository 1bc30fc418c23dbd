/**
 * Departments and categories: seeded on first start, edited by admins, read by
 * everyone (the category decides form fields, documents, department, deadline).
 */
import { LEVEL_RANK, SEED_CATEGORIES, SEED_DEPARTMENTS, type DepartmentLevel } from '../../../shared/catalogue.js';
import type { CategoryInput, DepartmentInput } from '../../../shared/schemas/catalogue.schema.js';
import { newId } from '../../lib/ids.js';
import { StoreError, type CategoryRecord, type DepartmentRecord, type Store } from '../../store/store.js';
import type { AuditService } from '../audit/audit.service.js';
import { DomainError, forbidden, invalid, notFound } from '../errors.js';
import type { Viewer } from '../viewer.js';

export class CatalogueService {
  constructor(
    private readonly store: Store,
    private readonly audit: AuditService,
  ) {}

  /**
   * Writes the seed catalogue into an empty store; a no-op otherwise. Several
   * instances may start on one empty MongoDB at once: a department or
   * category whose code another instance stored first is taken as stored, and
   * categories point at the departments as stored, whoever wrote them.
   */
  async seed(): Promise<void> {
    if ((await this.store.catalogue.listDepartments()).length > 0) return;
    for (const { parentCode: _parent, ...d } of SEED_DEPARTMENTS) {
      await ignoreDuplicate(this.store.catalogue.createDepartment({ id: newId(), ...d, parentId: null }));
    }
    const byCode = new Map((await this.store.catalogue.listDepartments()).map((d) => [d.code, d.id]));
    // Parents once every department is stored (escalation goes to the parent: PRODUCT.md §7).
    for (const d of SEED_DEPARTMENTS) {
      const id = byCode.get(d.code);
      const parentId = d.parentCode ? byCode.get(d.parentCode) : undefined;
      if (id && parentId) await this.store.catalogue.updateDepartment(id, { parentId });
    }
    for (const c of SEED_CATEGORIES) {
      const { departmentCode, ...rest } = c;
      const departmentId = byCode.get(departmentCode);
      if (!departmentId) throw new Error(`seed category ${c.code} names unknown department ${departmentCode}`);
      await ignoreDuplicate(this.store.catalogue.createCategory({ id: newId(), ...rest, departmentId, archived: false }));
    }
  }

  departments(): Promise<DepartmentRecord[]> {
    return this.store.catalogue.listDepartments();
  }

  async categories(includeArchived = false): Promise<CategoryRecord[]> {
    const all = await this.store.catalogue.listCategories();
    return includeArchived ? all : all.filter((c) => !c.archived);
  }

  /** Admin: every category, archived ones included. */
  async allCategories(viewer: Viewer): Promise<CategoryRecord[]> {
    requireAdmin(viewer);
    return this.categories(true);
  }

  async category(id: string): Promise<CategoryRecord> {
    const c = await this.store.catalogue.getCategory(id);
    if (!c) throw notFound('Категория не найдена');
    return c;
  }

  /**
   * Suggests categories for a citizen's text by keyword hits (stems matched as
   * prefixes of words), best first; empty when nothing matches.
   */
  async suggest(text: string, max = 3): Promise<{ category: CategoryRecord; score: number }[]> {
    const words = text
      .toLowerCase()
      .replace(/ё/g, 'е')
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
    const joined = ` ${words.join(' ')} `;
    const scored = (await this.categories()).map((category) => {
      let score = 0;
      for (const raw of category.keywords) {
        const kw = raw.toLowerCase().replace(/ё/g, 'е');
        if (kw.includes(' ') ? joined.includes(` ${kw}`) : words.some((w) => w.startsWith(kw))) score++;
      }
      return { category, score };
    });
    return scored
      .filter((s) => s.score > 0)
      .sort((a, b) => b.score - a.score)
      .slice(0, max);
  }

  async createDepartment(viewer: Viewer, input: DepartmentInput): Promise<DepartmentRecord> {
    requireAdmin(viewer);
    const dep = { id: newId(), ...input, parentId: input.parentId ?? null };
    await this.checkParent(dep.id, dep.level, dep.parentId);
    await translateDuplicate(this.store.catalogue.createDepartment(dep));
    await this.audit.record({ actorId: viewer.id, action: 'department.create', subjectType: 'department', subjectId: dep.id });
    return dep;
  }

  async updateDepartment(viewer: Viewer, id: string, input: Partial<DepartmentInput>): Promise<DepartmentRecord> {
    requireAdmin(viewer);
    const before = await this.store.catalogue.getDepartment(id);
    if (!before) throw notFound('Ведомство не найдено');
    if (input.parentId !== undefined || input.level !== undefined) {
      await this.checkParent(id, input.level ?? before.level, input.parentId !== undefined ? input.parentId : before.parentId);
    }
    const dep = await translateDuplicate(this.store.catalogue.updateDepartment(id, input));
    if (!dep) throw notFound('Ведомство не найдено');
    await this.audit.record({ actorId: viewer.id, action: 'department.update', subjectType: 'department', subjectId: id });
    return dep;
  }

  async createCategory(viewer: Viewer, input: CategoryInput): Promise<CategoryRecord> {
    requireAdmin(viewer);
    await this.requireDepartment(input.departmentId);
    const cat = { id: newId(), ...input, archived: false };
    await translateDuplicate(this.store.catalogue.createCategory(cat));
    await this.audit.record({ actorId: viewer.id, action: 'category.create', subjectType: 'category', subjectId: cat.id });
    return cat;
  }

  async updateCategory(viewer: Viewer, id: string, input: Partial<CategoryInput> & { archived?: boolean }): Promise<CategoryRecord> {
    requireAdmin(viewer);
    if (input.departmentId) await this.requireDepartment(input.departmentId);
    const cat = await translateDuplicate(this.store.catalogue.updateCategory(id, input));
    if (!cat) throw notFound('Категория не найдена');
    await this.audit.record({ actorId: viewer.id, action: 'category.update', subjectType: 'category', subjectId: id });
    return cat;
  }

  /** A parent exists, is not the department itself, and stands on a higher level (escalation goes up). */
  private async checkParent(id: string, level: DepartmentLevel, parentId: string | null): Promise<void> {
    if (parentId === null) return;
    const parent = parentId === id ? null : await this.store.catalogue.getDepartment(parentId);
    if (!parent) throw invalid({ parentId: 'нет такого вышестоящего ведомства' });
    if (LEVEL_RANK[parent.level] <= LEVEL_RANK[level]) throw invalid({ parentId: 'вышестоящее ведомство должно быть выше по уровню' });
  }

  private async requireDepartment(id: string): Promise<void> {
    if (!(await this.store.catalogue.getDepartment(id))) {
      throw new DomainError('VALIDATION_FAILED', 'Ведомство не найдено', { departmentId: 'нет такого ведомства' });
    }
  }
}

function requireAdmin(viewer: Viewer): void {
  if (viewer.role !== 'admin') throw forbidden();
}

/** A write another writer made first (same unique key) counts as done. */
async function ignoreDuplicate(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof StoreError && err.code === 'duplicate')) throw err;
  }
}

async function translateDuplicate<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (err) {
    if (err instanceof StoreError && err.code === 'duplicate') {
      throw new DomainError('ALREADY_EXISTS', 'Такой код уже занят', { [err.field ?? 'code']: 'уже занят' });
    }
    throw err;
  }
}
