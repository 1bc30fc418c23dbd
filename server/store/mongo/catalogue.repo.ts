/** Departments and categories on MongoDB. A patch sets only mutable fields (never `id`), as on SQLite. */
import type { CatalogueRepo, CategoryRecord, DepartmentRecord } from '../store.js';
import { pick, toCategory, toDepartment } from './convert.js';
import { guarded } from './errors.js';
import type { Models } from './schemas.js';
import type { InFlight } from './sequence.js';

const DEPARTMENT_MUTABLE: readonly (keyof DepartmentRecord)[] = ['code', 'name', 'region', 'level', 'parentId'];
const CATEGORY_MUTABLE: readonly (keyof CategoryRecord)[] = [
  'code',
  'name',
  'departmentId',
  'deadlineDays',
  'requiredDocuments',
  'extraFields',
  'keywords',
  'archived',
];

type FindById = (filter: Record<string, string>) => Promise<{ id: string } | null>;

/** Names the unique index (code or id) a write collided with when the server did not (FerretDB). */
function collided(find: FindById, values: { id?: string; code?: string }, self?: string) {
  return async (): Promise<string | undefined> => {
    for (const field of ['code', 'id'] as const) {
      const value = values[field];
      if (typeof value !== 'string') continue;
      const other = await find({ [field]: value });
      if (other && other.id !== self) return field;
    }
    return undefined;
  };
}

export function catalogueRepo(m: Models, inFlight: InFlight): CatalogueRepo {
  const department: FindById = (f) => m.departments.findOne(f).select({ id: 1 }).lean<{ id: string }>().exec();
  const category: FindById = (f) => m.categories.findOne(f).select({ id: 1 }).lean<{ id: string }>().exec();
  return {
    async createDepartment(dep) {
      await inFlight.track(() => guarded(() => m.departments.create(dep), collided(department, dep)));
    },
    async updateDepartment(id, patch) {
      const set = pick(patch, DEPARTMENT_MUTABLE);
      if (Object.keys(set).length === 0) return this.getDepartment(id);
      const d = await inFlight.track(() =>
        guarded(
          () => m.departments.findOneAndUpdate({ id }, { $set: set }, { returnDocument: 'after' }).lean<DepartmentRecord>().exec(),
          collided(department, set, id),
        ),
      );
      return d ? toDepartment(d) : null;
    },
    async getDepartment(id) {
      const d = await m.departments.findOne({ id }).lean<DepartmentRecord>().exec();
      return d ? toDepartment(d) : null;
    },
    async listDepartments() {
      const docs = await m.departments.find({}).sort({ code: 1 }).lean<DepartmentRecord[]>().exec();
      return docs.map(toDepartment);
    },
    async createCategory(cat) {
      await inFlight.track(() => guarded(() => m.categories.create(cat), collided(category, cat)));
    },
    async updateCategory(id, patch) {
      const set = pick(patch, CATEGORY_MUTABLE);
      if (Object.keys(set).length === 0) return this.getCategory(id);
      const d = await inFlight.track(() =>
        guarded(
          () => m.categories.findOneAndUpdate({ id }, { $set: set }, { returnDocument: 'after' }).lean<CategoryRecord>().exec(),
          collided(category, set, id),
        ),
      );
      return d ? toCategory(d) : null;
    },
    async getCategory(id) {
      const d = await m.categories.findOne({ id }).lean<CategoryRecord>().exec();
      return d ? toCategory(d) : null;
    },
    async listCategories() {
      const docs = await m.categories.find({}).sort({ code: 1 }).lean<CategoryRecord[]>().exec();
      return docs.map(toCategory);
    },
  };
}
