/** Departments and categories on MongoDB. */
import type { CatalogueRepo, CategoryRecord, DepartmentRecord } from '../store.js';
import { defined, toCategory, toDepartment } from './convert.js';
import { guarded } from './errors.js';
import type { Models } from './schemas.js';

export function catalogueRepo(m: Models): CatalogueRepo {
  return {
    async createDepartment(dep) {
      await guarded(() => m.departments.create(dep));
    },
    async updateDepartment(id, patch) {
      const set = defined(patch);
      if (Object.keys(set).length === 0) return this.getDepartment(id);
      const d = await guarded(() =>
        m.departments.findOneAndUpdate({ id }, { $set: set }, { returnDocument: 'after' }).lean<DepartmentRecord>().exec(),
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
      await guarded(() => m.categories.create(cat));
    },
    async updateCategory(id, patch) {
      const set = defined(patch);
      if (Object.keys(set).length === 0) return this.getCategory(id);
      const d = await guarded(() =>
        m.categories.findOneAndUpdate({ id }, { $set: set }, { returnDocument: 'after' }).lean<CategoryRecord>().exec(),
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
